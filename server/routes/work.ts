import { endpoints as e } from '../../shared/api';
import type { RouteDeps } from './deps';

export function workRoutes({ route, services }: RouteDeps): void {
  route(e.needsAttention, async ({ caller, query }) => services.work.needsAttention(caller, query));
  route(e.newForMe, async ({ caller, query }) => services.work.newForMe(caller, query));
  route(e.stageReport, async ({ caller, query }) => services.work.stageReport(caller, query.scope));
}
