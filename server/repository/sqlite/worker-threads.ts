import type { Worker } from 'node:worker_threads';

/**
 * The code a worker thread is started with to run one of our TypeScript modules, loaded through tsx's loader as the
 * server is (npm start, serve and mocha run TypeScript through tsx): on Node 20 a worker given a .ts file and the
 * parent's execArgv (--import tsx) fails with "Unknown file extension .ts", so it registers the loader itself, then
 * imports the module. For `new Worker(workerBoot(url), { eval: true, … })`.
 */
export function workerBoot(module: URL): string {
  return `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
}

/**
 * Tells a thread that sleeps on `flags[stop]` to stop and waits for it to exit (`exited`): it finishes the step it is
 * in (the file stays consistent either way); one that hangs for five seconds is ended. The thread is held referenced
 * meanwhile, so a process shutting down waits for its connection to close.
 */
export async function stopWorker(worker: Worker, flags: Int32Array, stop: number, exited: Promise<unknown>) {
  Atomics.store(flags, stop, 1);
  Atomics.notify(flags, stop);
  worker.ref();
  const late = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 5000).unref());
  if ((await Promise.race([exited.catch(() => undefined), late])) === 'late') await worker.terminate();
  await exited.catch(() => undefined);
}
