import type { ChangeStamp } from '../repository';

/**
 * Repository.changeStamp on PostgreSQL. Another instance's commit has no cheap sign here (SQLite's file has PRAGMA
 * data_version), so a stamp holds while this instance wrote nothing a stamped read depends on, and at most
 * `maxAgeMs`: it names the period of a monotonic clock it was read in (a wall clock set back would bring an old period
 * round again). The stores of advisors, teams and tokens, and the rate limits read at a stamp, call `after` on each of
 * their writes. So a token revoked, an advisor deactivated or a failed sign-in counted through this instance applies
 * to its next request; through another instance, within `maxAgeMs`. An exact stamp, and every stamp when `maxAgeMs`
 * is 0, is new: nothing is reused on its strength.
 */
export class PostgresChangeStamps {
  private writes = 0;
  private fresh = 0;

  constructor(
    private readonly maxAgeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  stamp({ exact = false }: { exact?: boolean } = {}): ChangeStamp {
    if (exact || this.maxAgeMs <= 0) return `pg:fresh:${++this.fresh}` as ChangeStamp;
    return `pg:${this.writes}:${Math.floor(this.now() / this.maxAgeMs)}` as ChangeStamp;
  }

  /**
   * `write`'s result, the stamp changed once it has ended, committed or not (a needless read again, never a missed
   * change). Requests that run while its commit is on its way may still read at the old stamp: they overlap a write
   * not yet acknowledged, so either answer is theirs to get.
   */
  async after<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.writes++;
    }
  }
}
