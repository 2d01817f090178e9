import type { Migration } from '../migrate';

/**
 * A manager's rights come from team membership. `team_changes.version` moves with every membership
 * change, and a write allowed by a rule re-reads it in its transaction: a manager removed from a team
 * between a request's check and its write is refused, not obeyed (server/services/context.ts,
 * checkedWrite). Also an index in the timeline's own order, so a page of an opportunity's activities
 * reads only that page, however many the opportunity has.
 */
export const teamChanges: Migration = {
  version: 7,
  name: 'team changes and timeline order',
  sql: /* sql */ `
CREATE TABLE team_changes (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL
);
INSERT INTO team_changes (id, version) VALUES (1, 0);
CREATE INDEX activities_timeline ON activities (regarding_opportunity_id, coalesce(sent_at, start_at, created_at) DESC, id DESC);
`,
};
