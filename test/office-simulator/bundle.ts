import path from 'node:path';
import { buildSync } from 'esbuild';

let cached: string | undefined;

/** The simulator as one script, to serve in place of https://appsforoffice.microsoft.com/lib/1/hosted/office.js. */
export function simulatorScript(): string {
  cached ??= buildSync({
    entryPoints: [path.join(import.meta.dirname, 'simulator.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    write: false,
  }).outputFiles[0].text;
  return cached;
}

export const OFFICE_JS_URL = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
