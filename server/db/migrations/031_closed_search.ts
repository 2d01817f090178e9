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
 * renames; an update of an open opportunity that stays open touches nothing.
 *
 * Recent's index (migration 26) held an advisor's uses under `advisor × 2³² + opportunity`, and the page was ordered by
 * last use, so every match of the advisor's range was read and sorted before the LIMIT (a big book's Recent: every
 * use matching a common prefix). Each use now has the advisor's next number (`use_order`, given by triggers on a first
 * use and on a new `used_at`, whoever writes it), and the index holds it under `advisor × 2³² + 2³² − 1 − use_order`:
 * newest use first is FTS5's forward order and the walk stops at the page. The untyped list reads the same order from
 * (advisor_id, use_order). The uses so far are numbered by (used_at, opportunity_id), the order Recent showed them.
 */
export const closedSearch: Migration = {
  version: 31,
  name: 'closed search, recent in use order',
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


-- Recent in use order: each use of an opportunity gets the advisor's next number, and Recent's index holds it under
-- rowid advisor × 2³² + 2³² − 1 − use_order. The uses so far are numbered in the order Recent showed them.
DROP TRIGGER recent_search_insert;
DROP TRIGGER recent_search_delete;
DROP TRIGGER recent_search_opportunity;
DROP TRIGGER recent_search_contact;
DROP TRIGGER recent_search_organization;
DROP TABLE recent_search;
DROP INDEX opportunity_recent_used;
ALTER TABLE opportunity_recent ADD COLUMN use_order INTEGER;
UPDATE opportunity_recent SET use_order = numbered.n
  FROM (SELECT advisor_id, opportunity_id,
               row_number() OVER (PARTITION BY advisor_id ORDER BY used_at, opportunity_id) AS n
          FROM opportunity_recent) AS numbered
  WHERE opportunity_recent.advisor_id = numbered.advisor_id
    AND opportunity_recent.opportunity_id = numbered.opportunity_id;
CREATE UNIQUE INDEX opportunity_recent_order ON opportunity_recent (advisor_id, use_order);

-- A first use, and a use again (a new used_at), take the advisor's next number: whoever writes the use.
CREATE TRIGGER opportunity_recent_first_use AFTER INSERT ON opportunity_recent WHEN new.use_order IS NULL BEGIN
  UPDATE opportunity_recent SET use_order =
      (SELECT coalesce(max(use_order), 0) + 1 FROM opportunity_recent WHERE advisor_id = new.advisor_id)
    WHERE advisor_id = new.advisor_id AND opportunity_id = new.opportunity_id;
END;
CREATE TRIGGER opportunity_recent_next_use AFTER UPDATE OF used_at ON opportunity_recent BEGIN
  UPDATE opportunity_recent SET use_order =
      (SELECT coalesce(max(use_order), 0) + 1 FROM opportunity_recent WHERE advisor_id = new.advisor_id)
    WHERE advisor_id = new.advisor_id AND opportunity_id = new.opportunity_id;
END;

CREATE VIRTUAL TABLE recent_search USING fts5 (
  topic, customer, content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
CREATE TRIGGER recent_search_insert AFTER INSERT ON opportunity_recent WHEN new.use_order IS NOT NULL BEGIN
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT new.advisor_id * 4294967296 + 4294967295 - new.use_order, topic, customer
    FROM opportunity_search_source WHERE id = new.opportunity_id;
END;
CREATE TRIGGER recent_search_use AFTER UPDATE OF use_order ON opportunity_recent BEGIN
  DELETE FROM recent_search WHERE rowid = old.advisor_id * 4294967296 + 4294967295 - old.use_order;
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT new.advisor_id * 4294967296 + 4294967295 - new.use_order, topic, customer
    FROM opportunity_search_source WHERE id = new.opportunity_id AND new.use_order IS NOT NULL;
END;
CREATE TRIGGER recent_search_delete AFTER DELETE ON opportunity_recent WHEN old.use_order IS NOT NULL BEGIN
  DELETE FROM recent_search WHERE rowid = old.advisor_id * 4294967296 + 4294967295 - old.use_order;
END;
CREATE TRIGGER recent_search_opportunity
  AFTER UPDATE OF topic, customer_contact_id, customer_organization_id ON opportunities BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT advisor_id * 4294967296 + 4294967295 - use_order FROM opportunity_recent WHERE opportunity_id = new.id);
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id = new.id ORDER BY 1;
END;
CREATE TRIGGER recent_search_contact AFTER UPDATE OF name, email ON contacts BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order FROM opportunity_recent r
       WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id));
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id) ORDER BY 1;
END;
CREATE TRIGGER recent_search_organization AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM recent_search WHERE rowid IN
    (SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order FROM opportunity_recent r
       WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id));
  INSERT INTO recent_search (rowid, topic, customer)
    SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order, s.topic, s.customer
    FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id
    WHERE r.opportunity_id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id) ORDER BY 1;
END;
`,
  run: (db, progress) => {
    indexClosed(db, progress);
    const uses = db.prepare('SELECT count(*) FROM opportunity_recent').pluck().get() as number;
    db.prepare(
      `INSERT INTO recent_search (rowid, topic, customer)
         SELECT r.advisor_id * 4294967296 + 4294967295 - r.use_order, s.topic, s.customer
         FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id ORDER BY 1`,
    ).run();
    progress('recent uses indexed', uses, uses);
    // Each segment of the index is a seek per typed word: built in one pass, Closed's index at 1M had 13 segments and a
    // small book's page took 56–540 µs of CPU; merged into one, 17–80 µs (the merge: 19 s at 1M; Recent's: 0.7 s).
    for (const index of ['closed_search', 'recent_search']) {
      db.prepare(`INSERT INTO ${index} (${index}) VALUES ('optimize')`).run();
      progress(`search index merged (${index})`, 1, 1);
    }
  },
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
