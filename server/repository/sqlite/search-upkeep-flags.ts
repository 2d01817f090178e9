/**
 * What the search indexes' upkeep (search-index.ts), its thread (search-compaction-worker.ts) and the write path
 * (writes.ts) share: one Int32 each in a SharedArrayBuffer, and which connection's thread is running. The write path
 * depends on this module only, not on the upkeep.
 */
import type { Db } from '../../db/connection';

/** What the compaction thread is given (search-compaction-worker.ts). */
export interface CompactionWorkerData {
  file: string;
  /** Int32s shared with the thread: STOP, STEPPING and WRITER_WAITED below. */
  flags: SharedArrayBuffer;
  /** How long no other connection may have written before a step that follows a write (or a writer that waited). */
  quietMs: number;
  /** The run gives up after waiting this long in all for quiet moments (steady writes): the next upkeep goes on. */
  maxWaitMs: number;
}

/** Set to stop the thread after the step it is in. */
export const STOP = 0;
/** Set while the thread holds (or is taking) the write lock for a step. */
export const STEPPING = 1;
/** Set by the request connection when a write found the lock taken: the thread waits for quiet before its next step. */
export const WRITER_WAITED = 2;
export const FLAG_COUNT = 3;

const running = new WeakMap<Db, Int32Array>();

/** The flags of the upkeep thread now running for this connection (search-index.ts). */
export function registerUpkeep(db: Db, flags: Int32Array): void {
  running.set(db, flags);
}

/** Its thread has exited: unless a newer run took its place. */
export function unregisterUpkeep(db: Db, flags: Int32Array): void {
  if (running.get(db) === flags) running.delete(db);
}

/**
 * Whether this connection's upkeep thread is in a step, so a lock found taken is ours for a moment and not another
 * process's: /healthz then does not report writes as stalled.
 */
export function upkeepHoldsLock(db: Db): boolean {
  const flags = running.get(db);
  return flags !== undefined && Atomics.load(flags, STEPPING) === 1;
}

/** A write on this connection found the lock taken: the upkeep thread, if running, lets writes go first. */
export function writerWaited(db: Db): void {
  const flags = running.get(db);
  if (flags) Atomics.store(flags, WRITER_WAITED, 1);
}
