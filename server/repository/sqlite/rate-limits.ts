import type { ClientRateLimitInfo, Options } from 'express-rate-limit';
import type { Db } from '../../db/connection';
import type { RateLimitStore, RateLimitStoreOptions } from '../repository';
import { sql } from './support';
import { write, writeIfFree } from './writes';

export class SqliteRateLimitStore implements RateLimitStore {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    options: RateLimitStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.windowMs = options.windowMs;
    this.now = options.now;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = sql(this.db, 'SELECT hits, reset_at FROM rate_limits WHERE key = ? AND reset_at > ?').get(
      this.prefix + key,
      this.now(),
    ) as { hits: number; reset_at: number } | undefined;
    return row && { totalHits: row.hits, resetTime: new Date(row.reset_at) };
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.now();
    let counted: { hits: number; reset_at: number } | undefined;
    // One statement, so two processes counting the same key at once never lose a hit.
    writeIfFree(this.db, () => {
      counted = sql(
        this.db,
        `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @now + @windowMs)
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN reset_at <= @now THEN 1 ELSE hits + 1 END,
           reset_at = CASE WHEN reset_at <= @now THEN @now + @windowMs ELSE reset_at END
         RETURNING hits, reset_at`,
      ).get({ key: this.prefix + key, now, windowMs: this.windowMs }) as { hits: number; reset_at: number };
    });
    if (counted) return { totalHits: counted.hits, resetTime: new Date(counted.reset_at) };
    // Another process holds the write lock: not counted, and the request is not held up for it.
    const current = await this.get(key);
    return { totalHits: (current?.totalHits ?? 0) + 1, resetTime: current?.resetTime ?? new Date(now + this.windowMs) };
  }

  async decrement(key: string): Promise<void> {
    writeIfFree(this.db, () =>
      sql(this.db, 'UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0 AND reset_at > ?').run(
        this.prefix + key,
        this.now(),
      ),
    );
  }

  async resetKey(key: string): Promise<void> {
    await write(this.db, () => sql(this.db, 'DELETE FROM rate_limits WHERE key = ?').run(this.prefix + key));
  }

  async resetAll(): Promise<void> {
    await write(this.db, () =>
      sql(this.db, 'DELETE FROM rate_limits WHERE substr(key, 1, length(@prefix)) = @prefix').run({
        prefix: this.prefix,
      }),
    );
  }
}

/** Drops ended windows (upkeep); skipped while another process holds the write lock. */
export function deleteEndedRateLimitWindows(db: Db, now: number): void {
  writeIfFree(db, () => sql(db, 'DELETE FROM rate_limits WHERE reset_at <= ?').run(now));
}
