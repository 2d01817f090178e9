import type { ChangeStamp } from '../repository';

/**
 * Repository.changeStamp on PostgreSQL. Another instance's commit has no cheap sign here (SQLite's file has PRAGMA
 * data_version), so a stamp holds while this instance wrote nothing a stamped read depends on, and at most
 * `maxAgeMs`: it names the period of the clock it was read in. The stores of advisors, teams, tokens and rate limits
 * call `after` on each of their writes. So a token revoked, an advisor deactivated or a failed sign-in counted
 * through this instance applies to its next request; through another instance, within `maxAgeMs`. With `maxAgeMs`
 * 0 every stamp is new and nothing is reused.
 */
export class PostgresChangeStamps {
  private writes = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  stamp(): ChangeStamp {
    if (this.maxAgeMs <= 0) return `pg:${++this.writes}` as ChangeStamp;
    return `pg:${this.writes}:${Math.floor(this.now() / this.maxAgeMs)}` as ChangeStamp;
  }

  /**
   * `write`'s result, the stamp changed once it has ended, committed or not (a needless read again, never a missed
   * change). Between its commit and the change no other request's I/O runs: the rest is one chain of promises.
   */
  async after<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.writes++;
    }
  }
}
