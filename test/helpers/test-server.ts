import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { createApp } from '../../server/app';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { ManualClock } from '../../server/clock';
import { loadConfig, type Config } from '../../server/config';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { AdvisorRecord, Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { createAppServer } from '../../server/http/app-server';
import type { ReportWorkerOptions } from '../../server/repository/sqlite/report-runner';
import { TestClient } from './api-client';

export interface TestServer {
  url: string;
  dir: string;
  db: Db;
  repo: Repository;
  clock: ManualClock;
  config: Config;
  client: TestClient;
  /** The HTTP server itself (createAppServer's), for a test that watches its requests. */
  http: http.Server;
  /** Creates an advisor with a personal access token; returns a client signed in as them. */
  advisor(
    name: string,
    role?: 'advisor' | 'manager' | 'admin',
  ): Promise<{ record: AdvisorRecord; token: string; api: TestClient }>;
  close(): Promise<void>;
}

/** A wall-clock Wednesday, so "one business day" arithmetic in tests is predictable. */
export const WEDNESDAY = '2026-11-18T10:00:00.000Z';

/** The real app on a real SQLite file in a temp directory, over real HTTP on loopback. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    clock?: ManualClock;
    addinDir?: string;
    /** Wraps the repository the app uses (see Interleaver); `repo` stays the unwrapped one. */
    wrapRepository?: (repo: Repository) => Repository;
    /** The app's logger (silent unless given): a test can read what the service logs. */
    logger?: Logger;
    /** The report worker's test hooks (see ReportWorkerOptions). */
    reportWorker?: ReportWorkerOptions;
    /** The read worker's test hooks (My Work's heavy reads; see ReportWorkerOptions). */
    readWorker?: ReportWorkerOptions;
  } = {},
): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-test-'));
  const config = loadConfig({
    DATABASE_FILE: path.join(dir, 'test.db'),
    LOG_LEVEL: 'silent',
    ADDIN_DIR: options.addinDir ?? path.join(dir, 'no-addin'),
    // The suites' clock stands still, so a window never ends: the authentication suite alone sends
    // hundreds of bad credentials, and a suite's advisor may change more than the default allows.
    // test/server/rate-limits.test.ts sets its own limits.
    RATE_LIMIT_FAILED_AUTH: '100000',
    RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '100000',
    RATE_LIMIT_WRITES: '100000',
    // Every suite sees fresh reports; report-worker.test.ts sets a cache.
    REPORT_CACHE_SECONDS: '0',
    ...env,
  });
  const db = openDatabase(config.databaseFile);
  migrate(db);
  const repo = createSqliteRepository(db, {
    writeWaitMs: config.writeWaitMs,
    checkpointer: { frames: config.walCheckpointPages },
    reportWorker: { cacheMs: config.reportCacheSeconds * 1000, ...options.reportWorker },
    readWorker: options.readWorker,
  });
  const clock = options.clock ?? new ManualClock(new Date(WEDNESDAY));
  const app = createApp({
    config,
    repo: options.wrapRepository ? options.wrapRepository(repo) : repo,
    clock,
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  const server = createAppServer(app, {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new TestClient(url);
  let count = 0;
  return {
    url,
    dir,
    db,
    repo,
    clock,
    config,
    client,
    http: server,
    async advisor(name, role = 'advisor') {
      count += 1;
      const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${count}@firm.example`;
      const record = await repo.advisors.create({ email, displayName: name, role }, null);
      const { token } = await issueAccessToken(repo, record.id, 'test', clock.now());
      return { record, token, api: client.as(token) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await repo.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid create-opportunity body for a new customer. */
/** PATCHes an opportunity with the version it has now (If-Match), as the pane does after reading it. */
export async function patchOpportunity(api: TestClient, id: number, body: Record<string, unknown>) {
  const version = (await api.get(`/api/v1/opportunities/${id}`)).body.opportunity.version as number;
  return api.patch(`/api/v1/opportunities/${id}`, body, { 'If-Match': `"${version}"` });
}

export function referral(topic: string, customerEmail: string, extra: Record<string, unknown> = {}) {
  return { topic, customer: { newContact: { name: customerEmail.split('@')[0], email: customerEmail } }, ...extra };
}

export function emailItem(internetMessageId: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'email',
    internetMessageId,
    subject: 'About the rollover',
    participants: [
      { email: 'client@example.org', name: 'Client', role: 'from' },
      { email: 'advisor@firm.example', role: 'to' },
    ],
    sentAt: '2026-11-18T09:00:00+01:00',
    ...extra,
  };
}
