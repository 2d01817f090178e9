import type { PostgresMigration } from '../migrate';

/**
 * Owner-scoped type-ahead walks the owners' rows newest first (as SQLite's scoped indexes do) and stops at its page,
 * where the planner chose to collect every match of the typed prefix in the firm from the words' GIN index and
 * intersect it with the owner's rows: 10–15 ms for a prefix common across the firm, in any book. The walk reads each
 * row's words from the table: a book with no match is read whole, and is the advisor's own size. (The words are not
 * in these indexes: a btree entry may not pass 2,704 bytes, and an opportunity's words can.)
 *
 * search_prefixes() becomes one expression, which the planner inlines and folds: the subquery form was planned anew
 * for every statement that called it. The same query for every text (tested).
 */
export const postgresTypeahead: PostgresMigration = {
  version: 32,
  name: 'type-ahead walks the owners rows',
  sql: /* sql */ `
CREATE INDEX opportunities_owner_newest ON opportunities (owner_id, status, id);
CREATE INDEX opportunities_creator_newest ON opportunities (created_by_id, status, id);
CREATE OR REPLACE FUNCTION search_prefixes(text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN
  to_tsquery('simple', coalesce(replace(regexp_replace(
    array_to_string((string_to_array(nullif(search_words($1), ''), ' '))[1:8], ' '),
    '(\\S+)', '''\\1'':*', 'g'), ':* ', ':* & '), ''));
`,
};
