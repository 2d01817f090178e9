import type { Db } from '../connection';
import type { Migration } from '../migrate';
import type { MigrationProgress } from '../migration-steps';

/** Opportunities indexed per step: well under a second each. */
const ROWS_PER_STEP = 10_000;

/**
 * Type-ahead answers newest first, and FTS5 walks a match backwards (descending rowid) at two to three times
 * the cost of forwards: each page of a doclist read in reverse is parsed whole to find its rowids, and a seek
 * of the other side of an AND re-parses it. The index now holds each opportunity under rowid `-id`, so newest
 * first is FTS5's forward order. Measured on the 100k firm, the full-text part of a page (every prefix the
 * benchmark types, one segment each way): All Open 20 → 9 µs, My Open (big book) 41 → 22, Closed 86 → 36,
 * Team Open 107 → 40, a small book's My Open 56 → 22 and Closed 145 → 84; the same rows in the same order.
 * The triggers are those of migration 20 with `-id`; where one statement indexes several opportunities (a
 * contact's or an organization's rename) they go in ascending rowid order, as FTS5 appends without a flush.
 * The index is rebuilt in steps of descending ids (ascending rowids: FTS5 flushes a segment whenever a rowid
 * goes down), reporting progress.
 * Recent's search has an index of its own, one row per advisor and opportunity in their Recent under rowid
 * `advisor × 2³² + opportunity`, so an advisor's rows are one rowid range: FTS5 seeks to it and reads only that
 * advisor's matches. Through the firm-wide index, Recent intersected the typed words' matches across the firm
 * with the advisor's `r` token, and the whole intersection was needed (Recent is ordered by last use, not by
 * rowid): a big book's Recent (1,687 uses) typing "ret" walked the 10,182 matches of the firm, ten times more
 * at a million. Kept by triggers on uses, on the opportunity's words and on its customer's names.
 * Organization search reads names in order from an index when a word matches many organizations, and stops after
 * the page (it sorted every match by name).
 */
export const searchNewestFirst: Migration = {
  version: 26,
  name: 'search index newest first',
  sql: /* sql */ `
DROP TRIGGER opportunity_search_insert;
DROP TRIGGER opportunity_search_update;
DROP TRIGGER opportunity_search_delete;
DROP TRIGGER opportunity_search_contact;
DROP TRIGGER opportunity_search_organization;
DROP TRIGGER opportunity_search_recent_insert;
DROP TRIGGER opportunity_search_recent_delete;
DROP TABLE opportunity_search;

CREATE INDEX organizations_name ON organizations (name COLLATE NOCASE, id);

CREATE VIRTUAL TABLE opportunity_search USING fts5 (
  topic, customer, scope, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);

CREATE TRIGGER opportunity_search_insert AFTER INSERT ON opportunities BEGIN
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source WHERE id = new.id;
END;
CREATE TRIGGER opportunity_search_update
  AFTER UPDATE OF topic, customer_contact_id, customer_organization_id, owner_id, status, created_by_id ON opportunities BEGIN
  DELETE FROM opportunity_search WHERE rowid = -old.id;
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source WHERE id = new.id;
END;
CREATE TRIGGER opportunity_search_delete AFTER DELETE ON opportunities BEGIN
  DELETE FROM opportunity_search WHERE rowid = -old.id;
END;
CREATE TRIGGER opportunity_search_contact AFTER UPDATE OF name, email ON contacts BEGIN
  DELETE FROM opportunity_search WHERE rowid IN (SELECT -id FROM opportunities WHERE customer_contact_id = new.id);
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source
    WHERE id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id) ORDER BY id DESC;
END;
CREATE TRIGGER opportunity_search_organization AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM opportunity_search WHERE rowid IN (SELECT -id FROM opportunities WHERE customer_organization_id = new.id);
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source
    WHERE id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id) ORDER BY id DESC;
END;
CREATE TRIGGER opportunity_search_recent_insert AFTER INSERT ON opportunity_recent BEGIN
  DELETE FROM opportunity_search WHERE rowid = -new.opportunity_id;
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source WHERE id = new.opportunity_id;
END;
CREATE TRIGGER opportunity_search_recent_delete AFTER DELETE ON opportunity_recent BEGIN
  DELETE FROM opportunity_search WHERE rowid = -old.opportunity_id;
  INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source WHERE id = old.opportunity_id;
END;

CREATE VIRTUAL TABLE recent_search USING fts5 (
  topic, customer, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
CREATE TRIGGER recent_search_insert AFTER INSERT ON opportunity_recent BEGIN
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT new.advisor_id * 4294967296 + id, topic, customer FROM opportunity_search_source WHERE id = new.opportunity_id;
END;
CREATE TRIGGER recent_search_delete AFTER DELETE ON opportunity_recent BEGIN
  DELETE FROM recent_search WHERE rowid = old.advisor_id * 4294967296 + old.opportunity_id;
END;
CREATE TRIGGER recent_search_opportunity
  AFTER UPDATE OF topic, customer_contact_id, customer_organization_id ON opportunities BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT advisor_id * 4294967296 + opportunity_id FROM opportunity_recent WHERE opportunity_id = new.id);
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + s.id, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id = new.id ORDER BY r.advisor_id;
END;
CREATE TRIGGER recent_search_contact AFTER UPDATE OF name, email ON contacts BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT r.advisor_id * 4294967296 + r.opportunity_id FROM opportunity_recent r
       WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id));
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + s.id, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id)
    ORDER BY r.advisor_id, r.opportunity_id;
END;
CREATE TRIGGER recent_search_organization AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT r.advisor_id * 4294967296 + r.opportunity_id FROM opportunity_recent r
       WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id));
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + s.id, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id)
    ORDER BY r.advisor_id, r.opportunity_id;
END;
`,
  run: (db, progress) => {
    indexNewestFirst(db, progress);
    const uses = db.prepare('SELECT count(*) FROM opportunity_recent').pluck().get() as number;
    db.prepare(
      `INSERT INTO recent_search (rowid, topic, customer)
         SELECT r.advisor_id * 4294967296 + s.id, s.topic, s.customer
         FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
         ORDER BY r.advisor_id, r.opportunity_id`,
    ).run();
    progress('recent uses indexed', uses, uses);
  },
};

function indexNewestFirst(db: Db, progress: MigrationProgress): void {
  const { low, high, total } = db
    .prepare('SELECT min(id) AS low, max(id) AS high, count(*) AS total FROM opportunities')
    .get() as { low: number | null; high: number | null; total: number };
  if (low === null || high === null) return;
  const step = db.prepare(`INSERT INTO opportunity_search (rowid, topic, customer, scope)
    SELECT -id, topic, customer, scope FROM opportunity_search_source WHERE id >= :from AND id < :to ORDER BY id DESC`);
  const count = db.prepare('SELECT count(*) FROM opportunities WHERE id >= ? AND id < ?').pluck();
  let done = 0;
  for (let to = high + 1; to > low; to -= ROWS_PER_STEP) {
    const from = Math.max(to - ROWS_PER_STEP, low);
    step.run({ from, to });
    done += count.get(from, to) as number;
    progress('opportunities indexed', done, total);
  }
}
