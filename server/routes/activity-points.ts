import { endpoints as e } from '../../shared/api';
import type { RouteDeps } from './deps';

export function activityPointsRoutes({ route, services }: RouteDeps): void {
  route(e.getActivityPoints, async () => services.activityPoints.table());
  route(e.updateActivityPoints, async ({ caller, body }) => services.activityPoints.update(caller, body));
  route(e.pointsReport, async ({ caller, query }) => services.activityPoints.report(caller, query));
}
