import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/connection';
import { ReportsUnavailableError } from '../../errors';
import {
  reportJobs,
  type ReportJobAnswer,
  type ReportJobArgs,
  type ReportJobName,
  type ReportJobResult,
  type ReportWorkerData,
} from './report-jobs';
import { workerBoot } from './worker-threads';

/** The worker's entry (worker-threads.ts explains why it is code, not a file). */
const WORKER_BOOT = workerBoot(new URL('./report-worker.ts', import.meta.url));

/** Runs the report computations (report-jobs.ts). */
export interface ReportRunner {
  run<N extends ReportJobName>(name: N, args: ReportJobArgs<N>, share?: ShareOptions): Promise<ReportJobResult<N>>;
  close(): Promise<void>;
}

export interface ShareOptions {
  /** Which calls are the same computation (by default the arguments). */
  key?: unknown;
  /**
   * The caller's now (ISO) when the answer may be one read a little earlier: from the cache (read less than cacheMs
   * before) or from an identical call in flight. null: computed for this call.
   */
  cache?: string | null;
  /** Kept apart from the firm's answers (an advisor's or a team's): many of them never push the firm's out. */
  owners?: boolean;
}

export interface ReportWorkerOptions {
  /** Test hooks: every job waits this long in the worker; the first worker started dies on its first job. */
  holdMs?: number;
  firstWorkerDies?: boolean;
  /** Called on the main thread each time a computation is sent to the worker (a test counts them). */
  onCompute?: (name: ReportJobName) => void;
  /** How long an answer that may be cached is reused (REPORT_CACHE_SECONDS); 0: never. */
  cacheMs?: number;
  /** What a job held by a worker that died is answered (by default: the report could not be computed). */
  unavailable?: () => Error;
}

/** At most this many cached answers are kept: the firm's (by filter), and apart from them owners' (by owners, filter). */
const CACHED_ANSWERS = { firm: 50, owners: 200 };

/** For a database only this connection can read (in memory): the computations run here, on the event loop. */
export function inProcessReports(db: Db): ReportRunner {
  return {
    async run(name, args) {
      const result = (reportJobs[name] as (db: Db, ...rest: unknown[]) => unknown)(db, ...args);
      return (typeof result === 'string' ? JSON.parse(result) : result) as ReportJobResult<typeof name>;
    },
    async close() {},
  };
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One worker thread (report-worker.ts) for the database file: jobs queue in its message port and run one after the
 * other. If it dies, the jobs it held are answered 503 (ReportsUnavailableError) and the next job starts a new one.
 */
export function workerReports(file: string, options: ReportWorkerOptions = {}): ReportRunner {
  let worker: Worker | null = null;
  let started = 0;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();
  const inFlight = new Map<string, Promise<unknown>>();
  const shelves = {
    firm: new Map<string, { asOf: number; result: unknown }>(),
    owners: new Map<string, { asOf: number; result: unknown }>(),
  };
  const cacheMs = options.cacheMs ?? 0;
  const unavailable = options.unavailable ?? (() => new ReportsUnavailableError());

  const fail = (from: Worker) => {
    if (worker !== from) return;
    worker = null;
    for (const job of pending.values()) job.reject(unavailable());
    pending.clear();
  };

  const start = () => {
    const workerData: ReportWorkerData = {
      file,
      holdMs: options.holdMs ?? 0,
      exitOnJob: Boolean(options.firstWorkerDies) && started === 0,
    };
    started += 1;
    const created = new Worker(WORKER_BOOT, { eval: true, workerData });
    // An idle worker keeps no process alive; a request waiting for it does.
    created.unref();
    created.on('message', (answer: ReportJobAnswer) => {
      const job = pending.get(answer.id);
      if (!job) return;
      pending.delete(answer.id);
      if ('error' in answer) job.reject(new Error(`report job failed: ${answer.error}`));
      else if (!('json' in answer)) job.resolve(answer.result);
      else {
        // Thrown here, a text that is not JSON would end the process from an event listener: it fails its job.
        try {
          job.resolve(JSON.parse(answer.json));
        } catch (error) {
          job.reject(error);
        }
      }
    });
    created.on('error', () => fail(created));
    created.on('exit', () => fail(created));
    return created;
  };

  return {
    run(name, args, { key = args, cache = null, owners = false } = {}) {
      const shelf = owners ? 'owners' : 'firm';
      const cached = shelves[shelf];
      if (closed) return Promise.reject(unavailable());
      const shared = JSON.stringify([name, key]);
      const now = cache === null ? NaN : Date.parse(cache);
      const hit = cached.get(shared);
      // Answers carry the moment they were read (asOf): the caller says how old it is.
      if (hit && now - hit.asOf >= 0 && now - hit.asOf < cacheMs)
        return Promise.resolve(hit.result as ReportJobResult<typeof name>);
      // Only answers that may be cached are shared: one for the caller's own rows is read after the request came, so
      // it shows every change the caller was told was saved (a computation already running may have read before it).
      const running = cache === null ? undefined : inFlight.get(shared);
      if (running) return running as Promise<ReportJobResult<typeof name>>;
      worker ??= start();
      const id = nextId++;
      const promise = new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
      }).finally(() => inFlight.delete(shared));
      if (cacheMs > 0 && cache !== null)
        void promise.then(
          (result) => {
            cached.delete(shared);
            cached.set(shared, { asOf: Date.parse((result as { asOf: string }).asOf), result });
            if (cached.size > CACHED_ANSWERS[shelf]) cached.delete(cached.keys().next().value!);
          },
          () => undefined,
        );
      inFlight.set(shared, promise);
      options.onCompute?.(name);
      worker.postMessage({ id, name, args });
      return promise as Promise<ReportJobResult<typeof name>>;
    },
    async close() {
      closed = true;
      const stopping = worker;
      worker = null;
      for (const job of pending.values()) job.reject(unavailable());
      pending.clear();
      if (stopping) await stopping.terminate();
    },
  };
}
