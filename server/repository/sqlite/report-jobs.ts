import type { Db } from '../../db/connection';
import { funnelSummary } from './funnel';
import { stageReport } from './stage-report';
import { attentionPage } from './attention-page';
import { newForMePage } from './new-for-me';

/**
 * The report computations the report worker runs (report-worker.ts), by name: each reads through its own
 * connection and answers with plain data (structured-cloneable), so the same SQL runs in the worker or in-process.
 */
export const reportJobs = {
  stageReport,
  funnelSummary,
  attentionPage,
  newForMePage,
} satisfies Record<string, (db: Db, ...args: never[]) => object | JsonText<unknown>>;

/**
 * JSON text of a T: what a job answers when it answers a string (no job answers any other string), parsed where the
 * answer is used. My Work's pages are many small strings, which SQLite writes into one text (json_array) faster than
 * the driver makes a JavaScript value of each, and which the event loop rebuilds from JSON in about a third of the
 * time a structured clone takes to deserialize (measured at 1M: new for me 259 → 91 µs, a team's needs-attention page
 * 127 → 37 µs). Their answers hold only strings, numbers, booleans, nulls, arrays and plain objects, which JSON gives
 * back as they were.
 */
export type JsonText<T> = string & { readonly json: T };

export type ReportJobs = typeof reportJobs;
export type ReportJobName = keyof ReportJobs;
type Rest<F> = F extends (db: Db, ...args: infer A) => unknown ? A : never;
export type ReportJobArgs<N extends ReportJobName> = Rest<ReportJobs[N]>;
/** What a job answers, parsed if it answers JSON text. */
export type ReportJobResult<N extends ReportJobName> =
  ReturnType<ReportJobs[N]> extends JsonText<infer T> ? T : ReturnType<ReportJobs[N]>;

/** A request to the worker, and its answer. */
export interface ReportJobMessage {
  id: number;
  name: ReportJobName;
  args: unknown[];
}
export type ReportJobAnswer =
  { id: number; result: unknown } | { id: number; json: string } | { id: number; error: string };

/** What the worker is started with. `holdMs` and `exitOnJob` are test hooks: a slow job, a worker that dies. */
export interface ReportWorkerData {
  file: string;
  holdMs: number;
  exitOnJob: boolean;
}
