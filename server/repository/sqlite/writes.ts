import type { Db } from '../../db/connection';
import { WritesUnavailableError } from '../../errors';

/**
 * Writing without freezing the server. better-sqlite3 is synchronous: SQLite's own busy timeout would
 * block the only event loop, and every request with it, while another process holds the write lock.
 * So connections run with busy_timeout = 0 and a write that finds the lock taken waits here, on
 * timers, and gives up after a short wait with WritesUnavailableError (503 with Retry-After).
 */
const waits = new WeakMap<Db, number>();

/** How long a write waits for the lock before 503 (configured per connection by the repository). */
export function setWriteWait(db: Db, milliseconds: number): void {
  waits.set(db, milliseconds);
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED')
  );
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Runs `change` in one IMMEDIATE transaction (the write lock is taken at BEGIN, so a rule's checks
 * and its write see the same state). Waits for a lock held elsewhere, without blocking, up to the
 * connection's write wait. `change` must be synchronous and may throw to roll everything back.
 */
export async function write<T>(db: Db, change: () => T): Promise<T> {
  const deadline = Date.now() + (waits.get(db) ?? 0);
  for (let attempt = 0; ; attempt++) {
    try {
      return db.transaction(change).immediate();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw new WritesUnavailableError();
      await sleep(Math.min(left, 5 * 2 ** Math.min(attempt, 4)));
    }
  }
}

/**
 * A write that is nice to have (a token's last use, "recent"): done if it can be done now, skipped
 * otherwise (lock held elsewhere, or any other failure), so it never delays or fails the read it
 * accompanies. A real problem (a full disk) shows on the next real write, which is not skipped.
 */
export function writeIfFree(db: Db, change: () => void): boolean {
  try {
    db.transaction(change).immediate();
    return true;
  } catch {
    return false;
  }
}

/** Whether a write could start now (for /healthz): takes the write lock and lets it go at once. */
export function writesAvailable(db: Db): boolean {
  try {
    db.transaction(() => undefined).immediate();
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  }
}
