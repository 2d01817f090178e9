import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

/**
 * Rebuilds the type-ahead index with prefix indexes for every prefix of up to 12 characters (it had
 * 1 to 3). FTS5 answers a prefix it has no index for by merging the lists of every word that starts
 * with it before it returns a first row: measured on 100k opportunities, "retire"* took about 250 µs
 * that way against 16 µs from a prefix index, and the lookup sends whatever the advisor has typed.
 * The index grows from about 15 to 27 MB there. Longer prefixes still work, at the merging cost.
 * The rows are copied in ranges of ids, reporting progress (the same rows as one INSERT … SELECT).
 */
export const searchPrefixes: Migration = {
  version: 2,
  name: 'search prefixes up to 12 characters',
  sql: /* sql */ `
DROP TABLE opportunity_search;
CREATE VIRTUAL TABLE opportunity_search USING fts5 (
  topic, customer, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
`,
  run: (db, progress) =>
    inIdRanges(db, progress, {
      label: 'opportunities indexed',
      table: 'opportunities',
      statement: `INSERT INTO opportunity_search (rowid, topic, customer)
        SELECT id, topic, customer FROM opportunity_search_source WHERE id > :from AND id <= :to`,
    }),
};
