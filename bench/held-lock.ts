/**
 * What a held write lock costs (issue 11, finding 5): another process holds the database's write lock
 * while the server answers /healthz and a signed-in read. Rounds alternate lock free and lock held; each
 * round times 50 sequential requests of each kind and the table gives the median latencies and the
 * median of the rounds' held/free ratios. Also how long a write takes to be refused (503) while held.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { issueAccessToken } from '../server/auth/access-tokens';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { createSqliteRepository, DEFAULT_WRITE_WAIT_MS } from '../server/repository/sqlite';
import { startChildServer } from '../test/helpers/child-server';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const REQUESTS = 50;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function latencies(url: string, headers: Record<string, string> = {}): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const start = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function runHeldLockBenchmark(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-bench-lock-'));
  const file = path.join(dir, 'regarding.db');
  const setup = openDatabase(file);
  migrate(setup);
  const repo = createSqliteRepository(setup);
  const advisor = await repo.advisors.create(
    { email: 'bench@firm.example', displayName: 'Bench', role: 'advisor' },
    null,
  );
  const { token } = await issueAccessToken(repo, advisor.id, 'bench', new Date());
  await repo.close();
  const server = await startChildServer({ DATABASE_FILE: file, TLS: 'off', LOG_LEVEL: 'silent' });
  const holder = new Database(file);
  const auth = { Authorization: `Bearer ${token}` };
  const rows = {
    health: { free: [] as number[], held: [] as number[] },
    me: { free: [] as number[], held: [] as number[] },
  };
  try {
    await latencies(`${server.url}/healthz`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const state of ['free', 'held'] as const) {
        if (state === 'held') holder.exec('BEGIN IMMEDIATE');
        rows.health[state].push(await latencies(`${server.url}/healthz`));
        rows.me[state].push(await latencies(`${server.url}/api/v1/me`, auth));
        if (state === 'held') holder.exec('ROLLBACK');
      }
    }
    holder.exec('BEGIN IMMEDIATE');
    const start = performance.now();
    const refused = await fetch(`${server.url}/api/v1/me/work-seen`, { method: 'POST', headers: auth });
    const refusedMs = performance.now() - start;
    holder.exec('ROLLBACK');
    const line = (name: string, free: number[], held: number[]) => {
      const ratios = free.map((value, i) => held[i] / value);
      return `| ${name} | ${median(free).toFixed(2)} | ${median(held).toFixed(2)} | ${median(ratios).toFixed(2)}× | ${ratios.map((r) => r.toFixed(2)).join(' ')} |`;
    };
    return [
      `Median latency in ms of ${REQUESTS} sequential requests per round, ${ROUNDS} alternating rounds,`,
      ` write wait ${DEFAULT_WRITE_WAIT_MS} ms (the default):`,
      '',
      '| request | lock free | lock held | held / free | per round |',
      '| --- | ---: | ---: | ---: | --- |',
      line('`GET /healthz`', rows.health.free, rows.health.held),
      line('`GET /api/v1/me` (signed in)', rows.me.free, rows.me.held),
      '',
      `A write while the lock is held: \`${refused.status}\` with \`Retry-After: ${refused.headers.get('retry-after')}\` after ${refusedMs.toFixed(0)} ms.`,
    ].join('\n');
  } finally {
    if (holder.inTransaction) holder.exec('ROLLBACK');
    holder.close();
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
