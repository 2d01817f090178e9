/**
 * A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary folder, a free port on
 * loopback, trust authentication for the `postgres` role, no fsync (nothing in it outlives the run).
 *
 *   npx tsx scripts/test-postgres.ts start   prints `export REGARDING_TEST_POSTGRES_URL=…` and `…_DIR=…`
 *                                            (`start --durable`: fsync on, for a benchmark)
 *   npx tsx scripts/test-postgres.ts stop    stops the cluster REGARDING_TEST_POSTGRES_DIR names and removes it
 *
 * `.ci/run` starts one before `npm test`; the tests start their own when none is named and the binaries are here.
 * initdb and pg_ctl refuse to run as root: as root they run as the `postgres` system user (Debian's package makes it).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface TestCluster {
  /** The `postgres` database, as the superuser: where the tests create and drop their own databases. */
  url: string;
  dir: string;
}

/**
 * The newest installed server's binaries, or null when no PostgreSQL server is installed. Debian installs them under
 * /usr/lib/postgresql/<major>/bin; REGARDING_POSTGRES_ROOT names another such folder (a test names none that exists).
 */
export function postgresBinaries(): string | null {
  const root = process.env.REGARDING_POSTGRES_ROOT ?? '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((version) => fs.existsSync(path.join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a server binary, as the `postgres` user when this process is root. */
function run(bin: string, command: string, args: string[]): void {
  const program = path.join(bin, command);
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : program, asRoot ? ['-u', 'postgres', '--', program, ...args] : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface TestClusterOptions {
  /**
   * Commits reach the disk (fsync, synchronous_commit and full_page_writes on, PostgreSQL's defaults): for a
   * benchmark set against SQLite's synchronous=FULL. The tests' cluster (the default) writes nothing durably.
   */
  durable?: boolean;
  /** More server settings (`name=value`, passed as `-c name=value`), e.g. shared_buffers for a benchmark. */
  settings?: string[];
}

export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql (Debian package: postgresql).');
  // As root the cluster runs as `postgres`, who must reach its folder: /tmp, not a TMPDIR only root may enter.
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(asRoot ? '/tmp' : os.tmpdir(), 'regarding-postgres-'));
  if (asRoot) execFileSync('chown', ['postgres:', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  try {
    run(bin, 'initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    const durability = options.durable ? 'on' : 'off';
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      `-c fsync=${durability}`,
      `-c synchronous_commit=${durability}`,
      `-c full_page_writes=${durability}`,
      '-c max_connections=200',
      ...(options.settings ?? []).map((setting) => `-c ${setting}`),
    ].join(' ');
    run(bin, 'pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', settings, '-w', 'start']);
  } catch (error) {
    const log = path.join(dir, 'server.log');
    const detail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`Could not start a PostgreSQL cluster: ${(error as Error).message}\n${stderr}${detail}`, {
      cause: error,
    });
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dir };
}

export function stopTestCluster(dir: string): void {
  const bin = postgresBinaries();
  const data = path.join(dir, 'data');
  if (bin && fs.existsSync(data)) {
    try {
      run(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped: there is only the folder to remove.
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const command = process.argv[2];
  if (command === 'start') {
    // `start --durable`: fsync on (for a benchmark); without it, the tests' cluster.
    const cluster = await startTestCluster({ durable: process.argv.includes('--durable') });
    console.log(`export REGARDING_TEST_POSTGRES_URL=${cluster.url}`);
    console.log(`export REGARDING_TEST_POSTGRES_DIR=${cluster.dir}`);
  } else if (command === 'stop' && process.env.REGARDING_TEST_POSTGRES_DIR) {
    stopTestCluster(process.env.REGARDING_TEST_POSTGRES_DIR);
  } else {
    console.error('Usage: tsx scripts/test-postgres.ts start | stop (with REGARDING_TEST_POSTGRES_DIR set)');
    process.exitCode = 2;
  }
}
