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
