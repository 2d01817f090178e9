import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

const etag = (version: number) => ({ ETag: `"${version}"` });

export function opportunityRoutes({ route, services }: RouteDeps): void {
  const opportunities = services.opportunities;
  route(e.listCampaigns, async () => opportunities.campaigns());
  route(e.listOpportunities, async ({ caller, query }) => opportunities.list(caller, query));
  route(e.lookupOpportunities, async ({ caller, query }) => opportunities.lookup(caller, query));
  route(e.suggestOpportunities, async ({ caller, query }) => opportunities.suggestions(caller, query));
  route(e.createOpportunity, async ({ caller, body, req }) => {
    const { detail, created } = await opportunities.create(caller, body, req.get('Idempotency-Key'));
    return new Reply(created ? 201 : 200, detail, {
      ...etag(detail.opportunity.version),
      Location: `/api/v1/opportunities/${detail.opportunity.id}`,
    });
  });
  route(e.getOpportunity, async ({ caller, params }) => {
    const detail = await opportunities.detail(caller, params.id);
    return new Reply(200, detail, etag(detail.opportunity.version));
  });
  route(e.listOpportunityActivities, async ({ caller, params, query }) =>
    opportunities.activityList(caller, params.id, query),
  );
  route(e.listOpportunityNotes, async ({ caller, params, query }) => opportunities.noteList(caller, params.id, query));
  route(e.listOpportunityAssignments, async ({ caller, params, query }) =>
    opportunities.assignmentList(caller, params.id, query),
  );
  route(e.listOpportunityEvents, async ({ caller, params, query }) =>
    opportunities.eventList(caller, params.id, query),
  );
  route(e.updateOpportunity, async ({ caller, params, body, req }) => {
    const updated = await opportunities.update(caller, params.id, req.get('If-Match'), body);
    return new Reply(200, updated, etag(updated.version));
  });
  route(e.assignOpportunity, async ({ caller, params, body }) => opportunities.assign(caller, params.id, body));
  route(e.closeOpportunity, async ({ caller, params, body }) => opportunities.close(caller, params.id, body));
  route(e.reopenOpportunity, async ({ caller, params }) => opportunities.reopen(caller, params.id));
}
