import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connection';
import { CHECKPOINTS, FLAG_COUNT, FRAMES_SEEN, HOLD, STOP, type CheckpointWorkerData } from './checkpoint-flags';
import { stopWorker, workerBoot } from './worker-threads';

/**
 * Checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT of whichever write crosses
 * 1,000 WAL pages: on the one event loop, it copies those pages into the database file at scattered offsets and syncs
 * that file, and every request queued behind it waits. Here a thread with its own connection (checkpoint-worker.ts)
 * does it instead, and the request connection's own automatic checkpoint moves up to `limitFrames`: it runs only if
 * the thread falls that far behind (held, dead, or slower than the writes), so the WAL stays bounded either way.
 * Readers that hold an old snapshot keep any checkpoint, wherever it runs, from finishing: that bound is theirs, as
 * before.
 */
export interface CheckpointerOptions {
  /** The thread checkpoints once the WAL holds this many pages (SQLite's own default). */
  frames?: number;
  /** The request connection checkpoints itself past this many pages (by default ten times `frames`: about 40 MB of WAL
   * with 4 KB pages). */
  limitFrames?: number;
  /** How often the thread looks at the WAL's size. */
  intervalMs?: number;
}

export const DEFAULT_CHECKPOINT_FRAMES = 1000;
/** The request connection's own checkpoint, as a multiple of the thread's. */
export const WAL_LIMIT_FACTOR = 10;

export interface Checkpointer {
  /** Checkpoints the thread has run. */
  checkpoints(): number;
  /** Pages in the WAL not yet copied into the file, at the thread's last look. */
  framesSeen(): number;
  /** Whether the thread is alive. */
  running(): boolean;
  /** Test hook: the thread stops checkpointing (as if stuck) until released. */
  hold(held: boolean): void;
  /** Stops the thread and waits until it has closed its connection and exited. */
  stop(): Promise<void>;
}

/** The thread's entry (worker-threads.ts). */
const WORKER_BOOT = workerBoot(new URL('./checkpoint-worker.ts', import.meta.url));

const checkpointers = new WeakMap<Db, Checkpointer>();

/** The checkpointer started for this connection, if any (tests, the benchmark). */
export function checkpointerOf(db: Db): Checkpointer | undefined {
  return checkpointers.get(db);
}

export function startCheckpointer(db: Db, options: CheckpointerOptions = {}): Checkpointer {
  const frames = options.frames ?? DEFAULT_CHECKPOINT_FRAMES;
  const limitFrames = Math.max(options.limitFrames ?? frames * WAL_LIMIT_FACTOR, frames);
  db.pragma(`wal_autocheckpoint = ${limitFrames}`);
  const shared = new SharedArrayBuffer(FLAG_COUNT * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const workerData: CheckpointWorkerData = {
    file: db.name,
    frames,
    intervalMs: options.intervalMs ?? 20,
    flags: shared,
  };
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData });
  // A command-line tool that never closes its repository still exits; the request connection's checkpoint remains.
  worker.unref();
  let alive = true;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      alive = false;
      // A thread that died on its own leaves the checkpoints to the request connection at SQLite's usual size, so the
      // WAL is not left to grow ten times larger before each of them.
      if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${frames}`);
      resolve();
    });
  });
  // A thread that failed (its file gone, say) leaves the checkpoints to the request connection, at limitFrames.
  worker.on('error', () => undefined);
  const checkpointer: Checkpointer = {
    checkpoints: () => Atomics.load(flags, CHECKPOINTS),
    framesSeen: () => Atomics.load(flags, FRAMES_SEEN),
    running: () => alive,
    hold(held) {
      Atomics.store(flags, HOLD, held ? 1 : 0);
    },
    async stop() {
      stopping = true;
      await stopWorker(worker, flags, STOP, exited);
    },
  };
  checkpointers.set(db, checkpointer);
  return checkpointer;
}
