import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

export function activityRoutes({ route, services }: RouteDeps): void {
  const activities = services.activities;
  route(e.setRegarding, async ({ caller, body }) => activities.setRegarding(caller, body));
  route(e.lookupActivity, async ({ caller, query }) => activities.lookup(caller, query));
  route(e.createActivity, async ({ caller, body }) => new Reply(201, await activities.log(caller, body)));
  route(e.changeRegarding, async ({ caller, params, body }) =>
    activities.changeRegarding(caller, params.id, body.opportunityId),
  );
  route(e.removeRegarding, async ({ caller, params }) => activities.removeRegarding(caller, params.id));
  route(e.completeSent, async ({ caller, params, body }) => activities.completeSent(caller, params.id, body));
  route(e.matchSentDrafts, async ({ caller, body }) => services.draftMatching.matchSent(caller, body));
  route(e.updateActivityStatus, async ({ caller, params, body }) => activities.update(caller, params.id, body));
  route(e.listActivityLabels, async () => services.activityLabels.list());
  route(
    e.createActivityLabel,
    async ({ caller, body }) => new Reply(201, await services.activityLabels.create(caller, body)),
  );
  route(e.updateActivityLabel, async ({ caller, params, body }) =>
    services.activityLabels.update(caller, params.id, body),
  );
}
