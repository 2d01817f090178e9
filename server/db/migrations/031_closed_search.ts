import type { Db } from '../connection';
import type { Migration } from '../migrate';
import type { MigrationProgress } from '../migration-steps';

/**
 * Closed type-ahead reads an index of its own, as Recent does (migration 26): one row per advisor and closed
 * opportunity the Closed view shows them (owned by them, or created by them; once when both), under rowid
 * `advisor × 2³² + 2³² − 1 − id`, so an advisor's closed opportunities are one rowid range, newest first in FTS5's
 * forward order, and a page stops at its LIMIT. Through the firm-wide index, the typed words' doclist (a word
 * common across the firm: tens of thousands of rows at 1M) was intersected with the advisor's `c`/`b` scope
 * tokens, a seek per closed row of the advisor. The table is contentless (only rowids are read back) with
 * contentless_delete, so the triggers delete by rowid without storing the words twice. Kept by triggers on the
 * events that keep `opportunity_search`: status, owner, creator, topic, customer, and contact and organization
 * renames; an update of an open opportunity that stays open touches nothing. The upkeep merges it into one segment
 * with the other type-ahead indexes (`SEARCH_INDEXES`).
 */
export const closedSearch: Migration = {
  version: 31,
  name: 'closed search',
  sql: /* sql */ `
CREATE VIRTUAL TABLE closed_search USING fts5 (
  topic, customer, content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);

-- The advisors whose Closed view shows a closed opportunity: its owner and its creator, one row each.
CREATE VIEW closed_search_rows AS
  SELECT owner_id AS advisor_id, id, customer_contact_id, customer_organization_id FROM opportunities
    WHERE status <> 'open'
  UNION ALL
  SELECT created_by_id, id, customer_contact_id, customer_organization_id FROM opportunities
    WHERE status <> 'open' AND created_by_id <> owner_id;

CREATE TRIGGER closed_search_insert AFTER INSERT ON opportunities WHEN new.status <> 'open' BEGIN
  INSERT INTO closed_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - s.id, s.topic, s.customer
    FROM closed_search_rows r JOIN opportunity_search_source s ON s.id = r.id WHERE r.id = new.id ORDER BY 1;
END;
CREATE TRIGGER closed_search_update
  AFTER UPDATE OF topic, customer_contact_id, customer_organization_id, owner_id, status, created_by_id ON opportunities
  WHEN old.status <> 'open' OR new.status <> 'open' BEGIN
  DELETE FROM closed_search WHERE old.status <> 'open' AND rowid = old.owner_id * 4294967296 + 4294967295 - old.id;
  DELETE FROM closed_search WHERE old.status <> 'open' AND old.created_by_id <> old.owner_id
    AND rowid = old.created_by_id * 4294967296 + 4294967295 - old.id;
  INSERT INTO closed_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - s.id, s.topic, s.customer
    FROM closed_search_rows r JOIN opportunity_search_source s ON s.id = r.id WHERE r.id = new.id ORDER BY 1;
END;
CREATE TRIGGER closed_search_delete AFTER DELETE ON opportunities WHEN old.status <> 'open' BEGIN
  DELETE FROM closed_search WHERE rowid = old.owner_id * 4294967296 + 4294967295 - old.id;
  DELETE FROM closed_search WHERE old.created_by_id <> old.owner_id
    AND rowid = old.created_by_id * 4294967296 + 4294967295 - old.id;
END;
CREATE TRIGGER closed_search_contact AFTER UPDATE OF name, email ON contacts BEGIN
  DELETE FROM closed_search WHERE rowid IN
    (SELECT advisor_id * 4294967296 + 4294967295 - id FROM closed_search_rows WHERE customer_contact_id = new.id);
  INSERT INTO closed_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - s.id, s.topic, s.customer
    FROM closed_search_rows r JOIN opportunity_search_source s ON s.id = r.id
    WHERE r.customer_contact_id = new.id ORDER BY 1;
END;
CREATE TRIGGER closed_search_organization AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM closed_search WHERE rowid IN
    (SELECT advisor_id * 4294967296 + 4294967295 - id FROM closed_search_rows WHERE customer_organization_id = new.id);
  INSERT INTO closed_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - s.id, s.topic, s.customer
    FROM closed_search_rows r JOIN opportunity_search_source s ON s.id = r.id
    WHERE r.customer_organization_id = new.id ORDER BY 1;
END;
`,
  run: (db, progress) => indexClosed(db, progress),
};

/**
 * Indexes every closed opportunity under each of its advisors, an advisor at a time in ascending rowids (FTS5
 * appends to its segment instead of flushing one whenever a rowid goes down), reporting progress in rows.
 */
function indexClosed(db: Db, progress: MigrationProgress): void {
  const total = db.prepare('SELECT count(*) FROM closed_search_rows').pluck().get() as number;
  if (total === 0) return;
  const advisors = db.prepare('SELECT id FROM advisors ORDER BY id').pluck().all() as number[];
  const step = db.prepare(`INSERT INTO closed_search (rowid, topic, customer)
    SELECT :advisor * 4294967296 + 4294967295 - s.id, s.topic, s.customer FROM opportunity_search_source s
    WHERE s.id IN (SELECT id FROM opportunities WHERE owner_id = :advisor AND status IN ('won', 'lost')
                   UNION SELECT id FROM opportunities WHERE created_by_id = :advisor AND status IN ('won', 'lost'))
    ORDER BY s.id DESC`);
  let done = 0;
  let reported = 0;
  for (const advisor of advisors) {
    done += step.run({ advisor }).changes;
    if (done - reported >= 10_000 || advisor === advisors.at(-1)) {
      progress('closed opportunities indexed by advisor', done, total);
      reported = done;
    }
  }
}
