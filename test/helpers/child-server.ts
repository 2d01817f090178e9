import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ChildServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
}

/** Runs `server/main.ts` as its own process (as `npm start` does), and waits until it listens. */
export async function startChildServer(env: Record<string, string>, startTimeoutMs = 30_000): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      ADDIN_DIR: path.join(ROOT, 'dist/addin'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), startTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match =
        /Regarding is running at (https?):\/\/localhost:(\d+)/.exec(output) ??
        // With PUBLIC_ORIGIN set the banner names it, then the port this process listens on.
        /Regarding is running at https?:\/\/\S+\n(?:.*\n)*?\s+Listening on (https?):\/\/\S+:(\d+)\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}://127.0.0.1:${match[2]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  return { url, child, output: () => output, exited };
}

/** Waits until the server has printed something matching `pattern` (a log line is written after its answer). */
export async function waitForOutput(server: ChildServer, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`the server never printed ${pattern}:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a script of the repository (`server/cli/migrate.ts`, …) to its end in a process of its own; rejects on exit code ≠ 0. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}
