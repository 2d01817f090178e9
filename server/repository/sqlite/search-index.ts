import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connection';
import { FLAG_COUNT, registerUpkeep, STOP, unregisterUpkeep, type CompactionWorkerData } from './search-upkeep-flags';
import { sql } from './support';
import { stopWorker, workerBoot } from './worker-threads';

/**
 * The full-text indexes type-ahead reads: opportunities, Recent's (migration 26), Closed's (migration 31), contacts
 * (New Opportunity's customer search) and organizations. Contacts and organizations are written one at a time too, so
 * theirs fragment the same way: on the 100k firm 17 and 21 segments, where a contact search's full-text part took 150
 * to 180 µs against 4 to 20 µs from one segment. Closed's, as migration 31 builds it at 1M, has 13 segments: a small
 * book's page took 56–540 µs of CPU in the full-text part, 17–80 µs from one segment.
 */
export const SEARCH_INDEXES = [
  'opportunity_search',
  'recent_search',
  'closed_search',
  'contact_search',
  'organization_search',
] as const;

/** Pages merged per step: a step then takes about 10 ms on 100k opportunities and 10 to 30 ms at 1M (warm). */
const PAGES_PER_STEP = 64;
/** A run stops after this many steps: the next upkeep (hourly) goes on. */
export const MAX_STEPS = 10_000;

/**
 * One step of merging `table`'s segments (a write), or false when it has one segment left. Type-ahead reads every
 * segment; each write transaction adds one and FTS5 only merges them in fours, so an index grows to about ten.
 * Measured on 100k opportunities: 9 segments → 1 took the full-text part of a type-ahead page from 32 µs to 18 µs.
 */
export function mergeStep(db: Db, table: (typeof SEARCH_INDEXES)[number]): boolean {
  if ((sql(db, `SELECT count(DISTINCT segid) FROM ${table}_idx`).pluck().get() as number) <= 1) return false;
  // A negative page count lets FTS5 merge segments of different levels, as 'optimize' does, but in steps.
  sql(db, `INSERT INTO ${table} (${table}, rank) VALUES ('merge', ?)`).run(-PAGES_PER_STEP);
  return true;
}

export interface SearchCompaction {
  /** Steps taken so far. */
  taken(): number;
  /** The thread has opened its connection and is about to look for a quiet moment (at once in memory). */
  ready: Promise<void>;
  /** Steps taken, once the run has ended. */
  done: Promise<number>;
  /** Ends the run after the step it is in, and waits for its thread to exit. */
  stop(): Promise<void>;
}

/** The thread's entry (worker-threads.ts). */
const WORKER_BOOT = workerBoot(new URL('./search-compaction-worker.ts', import.meta.url));

/**
 * Merges each full-text index into one segment, a step at a time, on a thread with its own connection: a step at 1M
 * opportunities takes 10 to 30 ms warm and up to half a second reading cold pages, and on the event loop every request
 * waited behind it. Each step is a short write transaction. The thread takes its first step, and any step after
 * another connection wrote (SQLite's data_version tells it) or after a write here found the lock taken, only once no
 * connection has written for `quietMs`; it leaves as many milliseconds free between steps as the step took, so writers,
 * who wait for the lock on timers (writes.ts), find it free. Under steady writes it waits, and gives up after
 * `maxWaitMs` in all. A write that arrives during a step waits for it (at 1M tens of ms, at most about a second). A database in memory (tests and tools only) has no file another connection could open:
 * there it runs in steps on the event loop.
 */
export function compactSearchIndexes(db: Db, options: { quietMs?: number; maxWaitMs?: number } = {}): SearchCompaction {
  if (db.memory) {
    let stopped = false;
    let steps = 0;
    const done = (async () => {
      for (const table of SEARCH_INDEXES)
        while (!stopped && db.open && steps < MAX_STEPS && mergeStep(db, table)) {
          steps += 1;
          await new Promise((resolve) => setImmediate(resolve));
        }
      return steps;
    })();
    return {
      taken: () => steps,
      done,
      ready: Promise.resolve(),
      async stop() {
        stopped = true;
        await done.catch(() => undefined);
      },
    };
  }
  const shared = new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const workerData: CompactionWorkerData = {
    file: db.name,
    flags: shared,
    quietMs: options.quietMs ?? 500,
    maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
  };
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData });
  // Upkeep never keeps a process alive on its own (stop() holds it while the thread closes its connection).
  worker.unref();
  registerUpkeep(db, flags);
  let steps = 0;
  let isReady: () => void;
  const ready = new Promise<void>((resolve) => (isReady = resolve));
  worker.on('message', (message: { ready: true } | { steps: number }) => {
    if ('ready' in message) isReady();
    else steps = message.steps;
  });
  const done = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve(steps));
  }).finally(() => {
    unregisterUpkeep(db, flags);
    isReady();
  });
  return {
    taken: () => steps,
    ready,
    done,
    stop: () => stopWorker(worker, flags, STOP, done),
  };
}
