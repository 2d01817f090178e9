import type { ClientRateLimitInfo, Options } from 'express-rate-limit';
import type { Postgres } from '../../db/postgres/connection';
import type { ChangeStamp, RateLimitStore, RateLimitStoreOptions } from '../repository';
import { CleanKeys } from '../stamped/clean-keys';
import type { PostgresChangeStamps } from './change-stamp';

interface Counted {
  key: string;
  hits: number;
  reset_at: number;
}

const info = (row: Counted | undefined): ClientRateLimitInfo | undefined =>
  row && { totalHits: row.hits, resetTime: new Date(row.reset_at) };

/**
 * One rate limit's hit counters on PostgreSQL, shared by every instance: each hit is one statement (an upsert), so
 * two instances counting the same key at once never lose a hit. `batched` changes nothing here: the SQLite backend
 * batches to spare its single writer a transaction a hit, and PostgreSQL takes concurrent upserts as they come.
 * Keys read clean are reused while the instance's change stamp holds (PostgresChangeStamps): a hit counted here
 * changes it at once, one counted by another instance shows within its bound. Only a store read at a stamp (the
 * failed sign-ins') changes the stamp with its writes: the change limit's hit on every write request does not.
 */
export class PostgresRateLimitStore implements RateLimitStore {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs: number;
  private readonly now: () => number;
  private readonly clean = new CleanKeys();
  /** Whether getMany was asked at a stamp: then this store's writes must change it. */
  private stamped = false;

  constructor(
    private readonly db: Postgres,
    private readonly stamps: PostgresChangeStamps,
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
    return (await this.getMany([key]))[0];
  }

  async getMany(keys: readonly string[], stamp?: ChangeStamp): Promise<(ClientRateLimitInfo | undefined)[]> {
    const full = keys.map((key) => this.prefix + key);
    const now = this.now();
    if (stamp) this.stamped = true;
    if (stamp && this.clean.all(full, stamp, now)) return full.map(() => undefined);
    // Named (parsed once a connection): failed sign-ins are read before a request is authenticated.
    const { rows } = await this.db.query<Counted>({
      name: 'rate-limits-get',
      text: 'SELECT key, hits, reset_at FROM rate_limits WHERE key = ANY($1::text[]) AND reset_at > $2',
      values: [full, now],
    });
    if (stamp)
      this.clean.add(
        full.filter((key) => !rows.some((row) => row.key === key)),
        stamp,
      );
    return full.map((key) => info(rows.find((row) => row.key === key)));
  }

  /** A write's result; the stamp changed after it if this store's keys are read at one. */
  private written<T>(write: Promise<T>): Promise<T> {
    return this.stamped ? this.stamps.after(write) : write;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.now();
    const { rows } = await this.written(
      this.db.query<Counted>(
        `INSERT INTO rate_limits AS r (key, hits, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.reset_at <= $2 THEN 1 ELSE r.hits + 1 END,
         reset_at = CASE WHEN r.reset_at <= $2 THEN $2::bigint + $3::bigint ELSE r.reset_at END
       RETURNING key, hits, reset_at`,
        [this.prefix + key, now, this.windowMs],
      ),
    );
    return info(rows[0])!;
  }

  async decrement(key: string): Promise<void> {
    await this.written(
      this.db.query('UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0 AND reset_at > $2', [
        this.prefix + key,
        this.now(),
      ]),
    );
  }

  async resetKey(key: string): Promise<void> {
    await this.written(this.db.query('DELETE FROM rate_limits WHERE key = $1', [this.prefix + key]));
  }

  async resetAll(): Promise<void> {
    await this.written(this.db.query('DELETE FROM rate_limits WHERE left(key, length($1)) = $1', [this.prefix]));
  }
}
