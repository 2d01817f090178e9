import type { Db } from '../../db/connection';
import { sql } from './support';

/**
 * A value that moves whenever anything in the database may have changed: SQLite's `data_version` (moves when
 * another connection, in this process or another, commits) with this connection's `total_changes()` (every row it
 * inserted, updated or deleted, triggers included). A cache filled at one stamp is still true while the stamp is
 * the same. Two statements that read no table: cheaper than the read the token cache saves (the token joined to
 * its advisor, with the advisor's teams as sorted JSON).
 */
export function changeStamp(db: Db): string {
  const version = sql(db, 'PRAGMA data_version').pluck().get() as number;
  const changes = sql(db, 'SELECT total_changes()').pluck().get() as number;
  return `${version}:${changes}`;
}

/**
 * Answers kept while the database has not changed (see changeStamp): emptied at the first lookup after any change,
 * and when it holds `limit` entries.
 */
export class StampedCache<V> {
  private stamp = '';
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly db: Db,
    private readonly limit = 10_000,
  ) {}

  /** The cached value, or the loaded one (kept unless undefined). */
  get(key: string, load: () => V | undefined): V | undefined {
    const stamp = changeStamp(this.db);
    if (stamp !== this.stamp) {
      this.entries.clear();
      this.stamp = stamp;
    }
    if (this.entries.has(key)) return this.entries.get(key);
    const value = load();
    if (value === undefined) return value;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
