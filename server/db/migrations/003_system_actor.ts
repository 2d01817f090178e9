import type { Migration } from '../migrate';

/**
 * The audit log says what kind of actor made each change: an advisor (through the API, `actor_id`
 * set) or the system (the admin command line, setup and demo data; no `actor_id`). Before this, the
 * system wrote a NULL actor, and `npm run admin -- advisor set` recorded the changed advisor as the
 * actor. Existing rows keep their actor: those with one are attributed to that advisor, those
 * without to the system. SQLite cannot add a table constraint, so the table is rebuilt (ids kept).
 */
export const systemActor: Migration = {
  version: 3,
  name: 'audit log actor kind',
  sql: /* sql */ `
CREATE TABLE audit_log_new (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('advisor', 'system')),
  actor_id INTEGER REFERENCES advisors (id),
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  details TEXT,
  CHECK ((actor_kind = 'advisor') = (actor_id IS NOT NULL))
);
INSERT INTO audit_log_new (id, at, actor_kind, actor_id, entity, entity_id, action, details)
  SELECT id, at, CASE WHEN actor_id IS NULL THEN 'system' ELSE 'advisor' END, actor_id, entity, entity_id, action, details
  FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
`,
};
