/**
 * The checkpointer's thread (checkpointer.ts): its own connection copies the WAL's committed pages into the database
 * file (PRAGMA wal_checkpoint(PASSIVE)) whenever the WAL holds `frames` pages or more, so no request's COMMIT does it
 * on the event loop. It looks every `intervalMs`, sleeping on the shared flags, and stops when told to.
 */
import fs from 'node:fs';
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CHECKPOINTS, FRAMES_SEEN, HOLD, STOP, walFrames, type CheckpointWorkerData } from './checkpoint-flags';

const { file, frames, intervalMs, flags: shared } = workerData as CheckpointWorkerData;
const flags = new Int32Array(shared);
const db = new Database(file, { fileMustExist: true });
// Only this thread waits on a lock here; a PASSIVE checkpoint never takes the write lock, so writers never wait on it.
db.pragma('busy_timeout = 1000');
// The checkpoint syncs the WAL before it copies and the database file after, as the request connection would.
db.pragma('synchronous = FULL');
// Joins the WAL (and its shared-memory index) before looking at it.
db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get();
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let index: number | null = null;
try {
  index = fs.openSync(`${file}-shm`, 'r');
} catch {
  // No index to read: checkpoint on every look instead (a PASSIVE checkpoint of nothing new writes nothing).
}

while (Atomics.load(flags, STOP) === 0) {
  Atomics.wait(flags, STOP, 0, intervalMs);
  if (Atomics.load(flags, STOP) !== 0) break;
  if (Atomics.load(flags, HOLD) !== 0) continue;
  const inWal = index === null ? frames : walFrames(index);
  Atomics.store(flags, FRAMES_SEEN, inWal);
  if (inWal < frames) continue;
  try {
    checkpoint.run();
    Atomics.add(flags, CHECKPOINTS, 1);
  } catch {
    // Busy or an I/O error: the next look tries again, and the request connection's own checkpoint bounds the WAL.
  }
}
if (index !== null) fs.closeSync(index);
db.close();
