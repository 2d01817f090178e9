import type { Migration } from '../migrate';

/**
 * The timeline's record of closes and reopens (who, when, outcome, value, reason) and of who referred it
 * (set, changed or cleared), written in the same transaction as the change; and the My Work scope each advisor last chose, so it follows them across
 * clients (null: the default for their role). Opportunities closed before this migration get one close
 * event from their actual close date, by whoever the audit log says closed it (else their owner).
 */
export const opportunityEvents: Migration = {
  version: 12,
  name: 'opportunity events and work scope',
  sql: /* sql */ `
CREATE TABLE opportunity_events (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  kind TEXT NOT NULL CHECK (kind IN ('closed', 'reopened', 'referred')),
  outcome TEXT CHECK (outcome IN ('won', 'lost')),
  value REAL,
  reason TEXT,
  -- For 'referred': who referred it from then on (both null: cleared).
  referrer_advisor_id INTEGER REFERENCES advisors (id),
  referrer_contact_id INTEGER REFERENCES contacts (id),
  by_advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  created_at TEXT NOT NULL
);
CREATE INDEX opportunity_events_timeline ON opportunity_events (opportunity_id, created_at, id);

INSERT INTO opportunity_events (opportunity_id, kind, outcome, value, reason, by_advisor_id, created_at)
  SELECT o.id, 'closed', o.status, o.actual_value, o.close_reason,
    coalesce(
      (SELECT l.actor_id FROM audit_log l
         WHERE l.entity = 'opportunity' AND l.entity_id = o.id AND l.action = 'close' AND l.actor_id IS NOT NULL
         ORDER BY l.id DESC LIMIT 1),
      o.owner_id),
    coalesce(o.actual_close_date || 'T12:00:00.000Z', o.updated_at)
  FROM opportunities o WHERE o.status <> 'open';

ALTER TABLE advisors ADD COLUMN work_scope TEXT CHECK (work_scope IN ('me', 'team', 'closed'));
`,
};
