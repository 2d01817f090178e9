/**
 * The report worker: a thread with its own read-only connection that runs the report computations (report-jobs.ts)
 * one after the other, so a firm-wide report never holds up the server's event loop. In WAL mode it reads the data
 * committed when each job starts while the main connection goes on writing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { registerFunctions } from '../../db/functions';
import { reportJobs, type ReportJobAnswer, type ReportJobMessage, type ReportWorkerData } from './report-jobs';

const { file, holdMs, exitOnJob } = workerData as ReportWorkerData;
const db = new Database(file, { readonly: true, fileMustExist: true });
// Waiting here blocks only this thread; a checkpoint or recovery holds readers for moments at most.
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -65536');
registerFunctions(db);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

parentPort!.on('message', ({ id, name, args }: ReportJobMessage) => {
  if (exitOnJob) process.exit(1);
  if (holdMs > 0) Atomics.wait(sleeper, 0, 0, holdMs);
  let answer: ReportJobAnswer;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = (reportJobs[name] as (db: Database.Database, ...rest: unknown[]) => unknown)(db, ...args);
    // A funnel's stays are typed arrays: moved to the main thread, not copied.
    if (name === 'funnelSummary')
      for (const { days } of (result as ReturnType<typeof reportJobs.funnelSummary>).stays)
        if (days instanceof Float64Array) transfer.push(days.buffer as ArrayBuffer);
    answer = typeof result === 'string' ? { id, json: result } : { id, result };
  } catch (error) {
    answer = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(answer, transfer);
});
