import type { Db } from '../../db/connection';
import { WritesUnavailableError } from '../../errors';
import { upkeepHoldsLock, writerWaited } from './search-upkeep-flags';

/**
 * Writing without freezing the server. better-sqlite3 is synchronous: SQLite's own busy timeout would
 * block the only event loop, and every request with it, while another process holds the write lock.
 * So connections run with busy_timeout = 0 and a write that finds the lock taken waits here, on
 * timers, and gives up after a short wait with WritesUnavailableError (503 with Retry-After).
 *
 * Group commit: with synchronous = FULL every COMMIT waits for the disk, and one commit per request on
 * the one event loop queued concurrent writers behind each other's sync. Writes that arrive in the same
 * turn of the event loop now share one transaction and one sync (see flush below).
 */
const waits = new WeakMap<Db, number>();

/** The most changes one transaction carries: a bigger batch would hold the event loop longer. */
export const MAX_BATCH = 64;

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

interface Pending {
  change: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** When this write stops waiting for a lock held elsewhere. */
  deadline: number;
}

/**
 * A change no request waits for, that rides the next transaction (writeAlong): `run` inside it, in its own
 * savepoint; `committed` once that transaction is on disk. If it fails or the transaction does not commit, it
 * stays queued for the next one.
 */
export interface RidingChange {
  run(): void;
  committed(): void;
}

interface Queue {
  pending: Pending[];
  /** Changes riding the next transaction, whoever else it carries. */
  riding: Set<RidingChange>;
  /** A flush is due on the next turn of the event loop. */
  scheduled: boolean;
  /** Waiting for a lock another process holds: the retry timer, and how many tries failed so far. */
  retry: NodeJS.Timeout | null;
  attempt: number;
  /** Transactions committed and changes they carried, for tests and the benchmark. */
  stats: WriteStats;
}

export interface WriteStats {
  commits: number;
  changes: number;
  largestBatch: number;
  /** Transactions of their own (writeIfFree), committed. */
  ownCommits: number;
  /** Of `commits`, those that carried only riding counts (committed without waiting for the disk). */
  countsOnlyCommits: number;
  /** Batches run again with a savepoint per change, after one of their changes wrote, then threw (attempts). */
  rerunBatches: number;
}

const queues = new WeakMap<Db, Queue>();

function queueOf(db: Db): Queue {
  let queue = queues.get(db);
  if (!queue) {
    queue = {
      pending: [],
      riding: new Set(),
      scheduled: false,
      retry: null,
      attempt: 0,
      stats: { commits: 0, changes: 0, largestBatch: 0, ownCommits: 0, countsOnlyCommits: 0, rerunBatches: 0 },
    };
    queues.set(db, queue);
  }
  return queue;
}

/** Commits and the changes they carried on this connection so far (a copy). */
export function writeStats(db: Db): WriteStats {
  return { ...queueOf(db).stats };
}

/**
 * Runs `change` in an IMMEDIATE transaction (the write lock is taken at BEGIN, so a rule's checks and
 * its write see the same state), possibly shared with other writes that arrived in the same turn of
 * the event loop: each change runs after the ones queued before it (so it sees their writes, the same
 * serial order as one transaction each), and a change that throws is rolled back alone and rejects
 * alone. The promise settles only after the COMMIT returned, i.e. after the disk sync. Waits for a lock
 * held elsewhere, without blocking, up to the connection's write wait.
 * `change` must be synchronous and may throw to roll back everything it did. It may run more than once
 * (see commit below): it changes the database and returns a value, and does nothing else.
 */
export function write<T>(db: Db, change: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const queue = queueOf(db);
    queue.pending.push({
      change,
      resolve: resolve as (value: unknown) => void,
      reject,
      deadline: Date.now() + (waits.get(db) ?? 0),
    });
    schedule(db, queue);
  });
}

/**
 * Queues `change` to ride the next group commit (once, however often it is queued before then), and makes sure
 * there is one. Nothing waits for it: for counts a request must not wait a disk sync for (a rate-limit hit), which
 * then cost one statement per transaction instead of a transaction each.
 */
export function writeAlong(db: Db, change: RidingChange): void {
  const queue = queueOf(db);
  queue.riding.add(change);
  schedule(db, queue);
}

function schedule(db: Db, queue: Queue): void {
  if (queue.scheduled || queue.retry) return;
  queue.scheduled = true;
  setImmediate(() => {
    queue.scheduled = false;
    flush(db, queue);
  });
}

const statements = new WeakMap<
  Db,
  Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'rollback' | 'commit', { run(): unknown }> & {
    changes: { get(): unknown };
  }
>();

function statementsOf(db: Db) {
  let prepared = statements.get(db);
  if (!prepared) {
    prepared = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      savepoint: db.prepare('SAVEPOINT regarding_change'),
      release: db.prepare('RELEASE regarding_change'),
      rollbackTo: db.prepare('ROLLBACK TO regarding_change'),
      rollback: db.prepare('ROLLBACK'),
      // Rows this connection inserted, updated or deleted so far, triggers' included (rolled back ones too).
      changes: db.prepare('SELECT total_changes()').pluck(),
      commit: db.prepare('COMMIT'),
    };
    statements.set(db, prepared);
  }
  return prepared;
}

/**
 * One transaction for up to MAX_BATCH queued changes: BEGIN IMMEDIATE, the changes (see commit),
 * COMMIT (one sync for all), then every promise settles. Runs without yielding, so nothing else touches
 * the connection in between. The rest of the queue goes into the next turn's transaction, after the
 * answers of this one went out.
 */
function flush(db: Db, queue: Queue): void {
  queue.retry = null;
  const batch = queue.pending.splice(0, MAX_BATCH);
  if (!batch.length && !queue.riding.size) return;
  if (batch.length || db.inTransaction) {
    commit(db, queue, batch, false);
    return;
  }
  // Only riding counts (refused requests have no write to ride with): nice to have, like writeIfFree's, so they
  // commit without waiting for the disk; every acknowledged change still commits with synchronous = FULL.
  db.pragma('synchronous = NORMAL');
  try {
    if (commit(db, queue, batch, false)) queue.stats.countsOnlyCommits += 1;
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/**
 * The transaction of one flush; true when it committed. The batch's changes run first without a savepoint each
 * (a savepoint copies every page its change touches: measured a fifth of a set regarding's transaction at 1M).
 * Should one throw, the whole transaction is rolled back and the batch runs again at once with a savepoint per
 * change (`savepoints`), so the failing change is undone alone and the others commit, as if it had always been so.
 */
function commit(db: Db, queue: Queue, batch: Pending[], savepoints: boolean): boolean {
  let sql: ReturnType<typeof statementsOf>;
  try {
    if (db.inTransaction) throw new Error('write() was called inside a transaction; call the change directly');
    sql = statementsOf(db);
    sql.begin.run();
  } catch (error) {
    if (isBusy(error)) {
      waitForLock(db, queue, batch);
      return false;
    }
    for (const item of batch) item.reject(error);
    next(db, queue);
    return false;
  }
  queue.attempt = 0;

  // Before the batch's changes: they may be refused, the riding ones are counts that stand either way.
  const riding = [...queue.riding];
  queue.riding.clear();
  const rode: RidingChange[] = [];
  for (const change of riding) {
    sql.savepoint.run();
    try {
      change.run();
      sql.release.run();
      rode.push(change);
    } catch {
      if (!db.inTransaction) {
        // SQLite rolled everything back (see below): the batch and the other counts go into the next transaction.
        // Not this count: were it the cause (a full disk), retrying it first would stop every write behind it, on
        // every turn, never answered; it stays counted in this process.
        for (const stays of riding) if (stays !== change) queue.riding.add(stays);
        queue.pending.unshift(...batch);
        next(db, queue);
        return false;
      }
      sql.rollbackTo.run();
      sql.release.run();
      queue.riding.add(change);
    }
  }

  const done: { item: Pending; value: unknown }[] = [];
  const busy: Pending[] = [];
  for (let index = 0; index < batch.length; index++) {
    const item = batch[index];
    if (savepoints) sql.savepoint.run();
    const changesBefore = savepoints ? 0 : (sql.changes.get() as number);
    try {
      const value = item.change();
      if (value instanceof Promise) throw new TypeError('A write change must be synchronous, not return a promise');
      if (savepoints) sql.release.run();
      done.push({ item, value });
    } catch (error) {
      // A change that threw before writing anything (a rule's check: stale, refused) has nothing to undo: it alone
      // fails. One that wrote first cannot be told apart from the others' writes: undo them all and run again.
      if (!savepoints && db.inTransaction && sql.changes.get() !== changesBefore) {
        sql.rollback.run();
        for (const stays of rode) queue.riding.add(stays);
        queue.stats.rerunBatches += 1;
        return commit(db, queue, batch, true);
      }
      if (!db.inTransaction) {
        // SQLite rolled the whole transaction back itself (a full disk, an I/O error): every change run
        // so far is gone with it. The ones not run yet go into the next transaction.
        for (const settled of [...done.map((d) => d.item), item]) settled.reject(error);
        queue.pending.unshift(...busy, ...batch.slice(index + 1));
        for (const stays of rode) queue.riding.add(stays);
        next(db, queue);
        return false;
      }
      if (savepoints) {
        sql.rollbackTo.run();
        sql.release.run();
      }
      if (isBusy(error)) busy.push(item);
      else item.reject(error);
    }
  }

  try {
    sql.commit.run();
  } catch (error) {
    // Disk full or an I/O error at COMMIT: nothing of this batch was written.
    if (db.inTransaction) db.exec('ROLLBACK');
    for (const { item } of done) item.reject(error);
    queue.pending.unshift(...busy);
    for (const stays of rode) queue.riding.add(stays);
    next(db, queue);
    return false;
  }
  queue.stats.commits += 1;
  queue.stats.changes += done.length;
  queue.stats.largestBatch = Math.max(queue.stats.largestBatch, done.length);
  for (const change of rode) change.committed();
  for (const { item, value } of done) item.resolve(value);
  if (busy.length) {
    queue.pending.unshift(...busy);
    waitForLock(db, queue, []);
    return true;
  }
  next(db, queue);
  return true;
}

function next(db: Db, queue: Queue): void {
  if (queue.pending.length) schedule(db, queue);
}

/**
 * Another process holds the write lock: the batch waits on a timer (backing off from 5 to 80 ms), and
 * each write that has waited its full write wait is answered WritesUnavailableError; writes arriving
 * meanwhile join the queue and try with it.
 */
function waitForLock(db: Db, queue: Queue, batch: Pending[]): void {
  writerWaited(db);
  const now = Date.now();
  const waiting: Pending[] = [];
  for (const item of [...batch, ...queue.pending]) {
    if (item.deadline - now <= 0) item.reject(new WritesUnavailableError());
    else waiting.push(item);
  }
  queue.pending = waiting;
  if (!waiting.length && !queue.riding.size) {
    queue.attempt = 0;
    return;
  }
  // Riding changes alone wait as long as the lock is held: nobody waits for them.
  const left = waiting.length ? Math.min(...waiting.map((item) => item.deadline - now)) : Infinity;
  const backoff = 5 * 2 ** Math.min(queue.attempt, 4);
  queue.attempt += 1;
  queue.retry = setTimeout(() => flush(db, queue), Math.min(left, backoff));
  // Nobody waits for riding changes alone: they do not keep a stopping process alive.
  if (!waiting.length) queue.retry.unref();
}

/**
 * A write that is nice to have (a token's last use, "recent", a rate-limit count): done if it can be done now,
 * skipped otherwise (lock held elsewhere, or any other failure), so it never delays or fails the read it
 * accompanies. A real problem (a full disk) shows on the next real write, which is not skipped.
 * It stays its own transaction: callers read what it wrote at once (the rate-limit counter). It commits without
 * waiting for the disk (synchronous = NORMAL): losing one to a power cut is harmless, WAL mode stays consistent, and
 * the next FULL commit syncs its pages too; so opening an opportunity or counting a change costs no disk sync.
 */
export function writeIfFree(db: Db, change: () => void): boolean {
  db.pragma('synchronous = NORMAL');
  try {
    db.transaction(change).immediate();
    queueOf(db).stats.ownCommits += 1;
    return true;
  } catch {
    return false;
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** Whether a write could start now (for /healthz): takes the write lock and lets it go at once. */
export function writesAvailable(db: Db): boolean {
  for (let attempt = 1; ; attempt++) {
    try {
      db.transaction(() => undefined).immediate();
      return true;
    } catch (error) {
      if (!isBusy(error)) throw error;
      // The search indexes' upkeep thread holds it for a step (tens of ms): writes are not stalled.
      if (upkeepHoldsLock(db)) return true;
      // Or its step ended between the try and the look at its flag (it holds the lock only while the flag is up, and
      // a step takes milliseconds): a second try finds the lock free or the next step flagged. Busy twice with no
      // step under way: another process holds it.
      if (attempt === 2) return false;
    }
  }
}
