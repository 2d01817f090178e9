import { endpoints as e } from '../../shared/api';
import type { RouteDeps } from './deps';

export function paneRoutes({ route, services }: RouteDeps): void {
  route(e.paneContext, async ({ caller, query }) => services.pane.context(caller, query));
}
