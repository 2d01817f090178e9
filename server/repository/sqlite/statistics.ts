import type { Db } from '../../db/connection';
import { sql } from './support';
import { writeIfFree } from './writes';

/**
 * Removes ANALYZE's samples (sqlite_stat4) and has SQLite reload its statistics; the row counts ANALYZE keeps
 * (sqlite_stat1) stay. With samples for an index, SQLite prepares a statement that compares that index's column with
 * a bound value again every time a different value is bound, so after an ANALYZE (an operator's, or a benchmark
 * seed's) nearly every statement of every request paid a fresh prepare: measured at 1M, a type-ahead page's
 * `advisor_id = :me` 120 µs where 42 µs without samples, FTS5's term lookups in contact and organization search 168 µs
 * where 44 µs, and needs attention and new for me 7–18 % of their repository time. Our statements' plans do not need
 * the samples: the plan tests (test/server/query-plans-*.test.ts) prove them on databases without any statistics.
 * Returns whether there were any.
 */
export function dropIndexSamples(db: Db): boolean {
  if (!sql(db, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4'").get()) return false;
  if (!sql(db, 'SELECT 1 FROM sqlite_stat4 LIMIT 1').get()) return false;
  // Statistics are read with the schema: ANALYZE sqlite_schema reloads them (it analyses nothing). It needs the write
  // lock too, so it runs in the same transaction: a reload refused after the samples were gone would never be retried.
  return writeIfFree(db, () => {
    db.prepare('DELETE FROM sqlite_stat4').run();
    db.exec('ANALYZE sqlite_schema');
  });
}
