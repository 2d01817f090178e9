/**
 * The search indexes' compaction thread (search-index.ts): its own connection merges each full-text index a step at a
 * time, only while no other connection writes, and posts the number of steps taken after each.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { MAX_STEPS, mergeStep, SEARCH_INDEXES, type CompactionWorkerData } from './search-index';
import { isBusy } from './writes';

const { file, stop, quietMs, maxWaitMs } = workerData as CompactionWorkerData;
const stopFlag = new Int32Array(stop);
const db = new Database(file, { fileMustExist: true });
// A step waits briefly for a lock another connection holds; this thread has no requests to keep answering.
db.pragma('busy_timeout = 100');
db.pragma('synchronous = FULL');
const dataVersion = db.prepare('PRAGMA data_version').pluck();

const stopped = () => Atomics.load(stopFlag, 0) !== 0;
/** Sleeps, waking at once when told to stop. */
const sleep = (ms: number) => Atomics.wait(stopFlag, 0, 0, Math.max(1, Math.round(ms)));

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
  // Null: the first step waits for a quiet moment too.
  let version: unknown = null;
  for (const table of SEARCH_INDEXES) {
    while (steps < MAX_STEPS && !stopped()) {
      // Someone wrote since the last step: wait until writes pause.
      if (dataVersion.get() !== version && !quiet()) break;
      const began = performance.now();
      let merged: boolean;
      try {
        merged = mergeStep(db, table);
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (!quiet()) break;
        continue;
      }
      if (!merged) break;
      steps += 1;
      parentPort?.postMessage(steps);
      version = dataVersion.get();
      // As much time free as the step took, so a writer waiting on its timer finds the lock free.
      sleep(Math.max(5, performance.now() - began));
    }
    if (stopped() || waited > maxWaitMs || steps >= MAX_STEPS) break;
  }
} finally {
  db.close();
}
