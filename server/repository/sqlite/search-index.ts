import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connection';
import { sql } from './support';
import { workerBoot } from './worker-boot';

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

/** What the compaction thread is given (search-compaction-worker.ts). */
export interface CompactionWorkerData {
  file: string;
  /** An Int32: set to 1 to stop the thread after the step it is in. */
  stop: SharedArrayBuffer;
  /** How long no other connection may have written before a step (and after a busy lock). */
  quietMs: number;
  /** The run gives up after waiting this long in all for quiet moments (steady writes): the next upkeep goes on. */
  maxWaitMs: number;
}

export interface SearchCompaction {
  /** Steps taken so far. */
  taken(): number;
  /** Steps taken, once the run has ended. */
  done: Promise<number>;
  /** Ends the run after the step it is in, and waits for its thread to exit. */
  stop(): Promise<void>;
}

/** The thread's entry (worker-boot.ts). */
const WORKER_BOOT = workerBoot(new URL('./search-compaction-worker.ts', import.meta.url));

/**
 * Merges each full-text index into one segment, a step at a time, on a thread with its own connection: a step at 1M
 * opportunities takes 10 to 30 ms warm and up to half a second reading cold pages, and on the event loop every request
 * waited behind it. Each step is a short write transaction; the thread steps only while no other connection has
 * written for `quietMs` (SQLite's data_version tells it), and leaves as many milliseconds free between steps as the step
 * took, so writers, who wait for the lock on timers (writes.ts), find it free: under steady writes it waits, and gives
 * up after `maxWaitMs` in all. A database in memory (tests and tools only) has no file another connection could open:
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
      async stop() {
        stopped = true;
        await done.catch(() => undefined);
      },
    };
  }
  const stop = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const workerData: CompactionWorkerData = {
    file: db.name,
    stop,
    quietMs: options.quietMs ?? 500,
    maxWaitMs: options.maxWaitMs ?? 15 * 60_000,
  };
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData });
  // Upkeep never keeps a command-line tool's process alive.
  worker.unref();
  let steps = 0;
  worker.on('message', (taken: number) => (steps = taken));
  const done = new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve(steps));
  });
  return {
    taken: () => steps,
    done,
    async stop() {
      const flag = new Int32Array(stop);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      // A step ends within a second; one that hangs is ended (the file stays consistent either way).
      const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 5000).unref());
      if ((await Promise.race([done.catch(() => undefined), late])) === 'late') await worker.terminate();
      await done.catch(() => undefined);
    },
  };
}
