import fs from 'node:fs';
import os from 'node:os';

/** What the checkpointer and its thread share: one Int32 each, in a SharedArrayBuffer. */
export const STOP = 0;
/** Test hook: while set, the thread looks but does not checkpoint (as if it were stuck). */
export const HOLD = 1;
/** Checkpoints the thread ran. */
export const CHECKPOINTS = 2;
/** Pages in the WAL not yet copied into the file, at the thread's last look. */
export const FRAMES_SEEN = 3;
export const FLAG_COUNT = 4;

export interface CheckpointWorkerData {
  file: string;
  frames: number;
  intervalMs: number;
  flags: SharedArrayBuffer;
}

const header = Buffer.alloc(100);
const littleEndian = os.endianness() === 'LE';

/**
 * Pages in the WAL not yet copied into the database file: mxFrame of the WAL index header
 * (https://www.sqlite.org/walformat.html: a u32 at byte 16 of the -shm file, in the machine's byte order) less
 * nBackfill (a u32 at byte 96, the checkpoint information after the header's two copies), read from an open
 * descriptor of the -shm file. mxFrame alone stays up after a checkpoint until the next write starts the WAL over. A
 * read that races a commit may be one commit behind: it only decides when to checkpoint.
 */
export function walFrames(shm: number): number {
  if (fs.readSync(shm, header, 0, 100, 0) < 100) return 0;
  const u32 = (at: number) => (littleEndian ? header.readUInt32LE(at) : header.readUInt32BE(at));
  return Math.max(0, u32(16) - u32(96));
}

/**
 * The WAL index of a database file, by name (tests): pages in the WAL, and how many of them a checkpoint has copied
 * into the database file (nBackfill, a u32 at byte 96: the checkpoint information after the header's two copies).
 * Both 0 without a WAL index.
 */
export function walIndexOf(file: string): { frames: number; backfilled: number } {
  let shm: number;
  try {
    shm = fs.openSync(`${file}-shm`, 'r');
  } catch {
    return { frames: 0, backfilled: 0 };
  }
  try {
    const start = Buffer.alloc(100);
    if (fs.readSync(shm, start, 0, 100, 0) < 100) return { frames: 0, backfilled: 0 };
    const u32 = (at: number) => (littleEndian ? start.readUInt32LE(at) : start.readUInt32BE(at));
    return { frames: u32(16), backfilled: u32(96) };
  } finally {
    fs.closeSync(shm);
  }
}
