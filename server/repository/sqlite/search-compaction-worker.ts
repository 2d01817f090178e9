/**
 * The search indexes' compaction thread (search-index.ts): its own connection merges each full-text index a step at a
 * time, only while no other connection writes, and posts the number of steps taken after each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/connection';
import { MAX_STEPS, mergeStep, SEARCH_INDEXES } from './search-index';
import { STEPPING, STOP, WRITER_WAITED, type CompactionWorkerData } from './search-upkeep-flags';
import { isBusy } from './writes';

const { file, flags: shared, quietMs, maxWaitMs } = workerData as CompactionWorkerData;
const flags = new Int32Array(shared);
const db = openDatabase(file);
// A step waits briefly for a lock another connection holds; this thread has no requests to keep answering.
db.pragma('busy_timeout = 100');
// The checkpointer's thread copies the WAL into the file (checkpointer.ts), not this connection's commits.
db.pragma('wal_autocheckpoint = 0');
const dataVersion = db.prepare('PRAGMA data_version').pluck();

const stopped = () => Atomics.load(flags, STOP) !== 0;
/** Sleeps, waking at once when told to stop. */
const sleep = (ms: number) => Atomics.wait(flags, STOP, 0, Math.max(1, Math.round(ms)));

let steps = 0;
let waited = 0;
/** Waits until no other connection has written for quietMs; false when told to stop or out of patience. */
function quiet(): boolean {
  for (;;) {
    if (stopped() || waited > maxWaitMs) return false;
    const seen = dataVersion.get();
    sleep(quietMs);
    waited += quietMs;
    if (!stopped() && dataVersion.get() === seen) return true;
  }
}

try {
  parentPort?.postMessage({ ready: true });
  // Null: the first step waits for a quiet moment too.
  let version: unknown = null;
  for (const table of SEARCH_INDEXES) {
    while (steps < MAX_STEPS && !stopped()) {
      // Someone wrote since the last step, or a write here waited for this thread's lock: wait until writes pause.
      const writerWaited = Atomics.exchange(flags, WRITER_WAITED, 0) === 1;
      if ((writerWaited || dataVersion.get() !== version) && !quiet()) break;
      const began = performance.now();
      let merged: boolean;
      Atomics.store(flags, STEPPING, 1);
      try {
        merged = mergeStep(db, table);
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (!quiet()) break;
        continue;
      } finally {
        Atomics.store(flags, STEPPING, 0);
      }
      if (!merged) break;
      steps += 1;
      parentPort?.postMessage({ steps });
      version = dataVersion.get();
      // As much time free as the step took, so a writer waiting on its timer finds the lock free.
      sleep(Math.max(5, performance.now() - began));
    }
    if (stopped() || waited > maxWaitMs || steps >= MAX_STEPS) break;
  }
} finally {
  db.close();
}
