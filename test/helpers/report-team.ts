import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReportJobName } from '../../server/repository/sqlite/report-jobs';
import { referral, startTestServer, type TestServer } from './test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A team for the report-reuse tests: Max the manager, Olive and Pete in team North, one referral of Olive's and one of
 * Pete's; every computation sent to the report worker is pushed onto `computed`.
 */
export async function startReportTeam(cacheSeconds: string, computed: ReportJobName[]) {
  const server = await startTestServer(
    { REPORT_CACHE_SECONDS: cacheSeconds },
    { reportWorker: { onCompute: (name) => computed.push(name) } },
  );
  const manager = await server.advisor('Max Manager', 'manager');
  const olive = await server.advisor('Olive');
  const pete = await server.advisor('Pete');
  await server.repo.teams.create('North', [olive.record.id, pete.record.id, manager.record.id], null);
  for (const [who, n] of [
    [olive, 1],
    [pete, 2],
  ] as const)
    assert.equal(
      (await who.api.post('/api/v1/opportunities', referral(`Referral ${n}`, `c${n}@client.example`))).status,
      201,
    );
  return { server, manager, olive, pete };
}

export type ReportTeam = Awaited<ReturnType<typeof startReportTeam>>;
export type { Client as ReportTeamClient };

/** Runs one SQL statement on the server's database file from another process (an admin tool, a second server). */
export function changeFromAnotherProcess(server: TestServer, statement: string, ...params: (number | string)[]) {
  execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { openDatabase } from './server/db/connection.ts';
       const db = openDatabase(${JSON.stringify(server.config.databaseFile)});
       db.prepare(${JSON.stringify(statement)}).run(...${JSON.stringify(params)});
       db.close();`,
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
}
