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
import { createPostgresRepository } from '../../server/repository/postgres';
import { openPostgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { freshPostgresDatabase } from './postgres';
import { createAppServer } from '../../server/http/app-server';
import type { ReportWorkerOptions } from '../../server/repository/sqlite/report-runner';
import { TestClient } from './api-client';

/**
 * The storage the test servers run on: SQLite, or PostgreSQL in the PostgreSQL pass of the HTTP tests
 * (REGARDING_TEST_BACKEND=postgres, set by test/helpers/on-postgres.ts; see .mocharc.postgres.cjs).
 */
export const testBackend: 'sqlite' | 'postgres' =
  process.env.REGARDING_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export interface TestServer {
  url: string;
  dir: string;
  /** The SQLite file's connection: a test that reads it runs on SQLite only (the PostgreSQL pass leaves it out). */
  db: Db;
  backend: 'sqlite' | 'postgres';
  /** The environment that points a child process (the server, the admin command line) at this storage. */
  storageEnv: Record<string, string>;
  /**
   * A statement on the database, on either backend: `?` placeholders, SQL both dialects read. The rows (none for a
   * statement that returns none), or with `value` the first column of the first row (undefined when none).
   */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  value<T = unknown>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /**
   * Another repository on the same storage, as a second server process has (a connection of its own to the SQLite
   * file, or a pool of its own on the PostgreSQL database); closed with the server.
   */
  anotherInstance(options?: { writeWaitMs?: number }): Repository;
  /**
   * A connection of its own to the same storage, as another process's (the admin command line's, another server's):
   * statements as `rows` and `value` read them, for a test of what this server sees of another process's writes. Closed
   * with the server.
   */
  anotherConnection(): Pick<TestServer, 'rows' | 'value'>;
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

/**
 * `it` for a test of SQLite itself (its write lock, its query plans, its file, its older schema versions): registered
 * in the SQLite run; the PostgreSQL pass of the HTTP tests, where it has nothing to test, leaves it out.
 */
export function itOnSqlite(title: string, test: Mocha.Func | Mocha.AsyncFunc): void {
  if (testBackend === 'sqlite') it(title, test as Mocha.AsyncFunc);
}

/** `it` for a test of PostgreSQL's own behaviour (its change stamp): registered in the PostgreSQL pass only. */
export function itOnPostgres(title: string, test: Mocha.Func | Mocha.AsyncFunc): void {
  if (testBackend === 'postgres') it(title, test as Mocha.AsyncFunc);
}

/** `describe` for SQLite's own suites, as itOnSqlite. */
export function describeOnSqlite(title: string, suite: (this: Mocha.Suite) => void): void {
  if (testBackend === 'sqlite') describe(title, suite);
}

/** A wall-clock Wednesday, so "one business day" arithmetic in tests is predictable. */
export const WEDNESDAY = '2026-11-18T10:00:00.000Z';

/** The real app on a real SQLite file in a temp directory, over real HTTP on loopback. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: {
    /** The storage (default: the run's, testBackend): a PostgreSQL-only test in the SQLite run names it. */
    backend?: 'sqlite' | 'postgres';
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
  let db: Db | null = null;
  let repo: Repository;
  let dropDatabase = async () => {};
  const storageEnv: Record<string, string> = { DATABASE_FILE: config.databaseFile };
  let query: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
  let openInstance: (options: { writeWaitMs?: number }) => Repository;
  let openConnection: () => { query: typeof query; close(): Promise<void> };
  const instances: { close(): Promise<void> }[] = [];
  const backend = options.backend ?? testBackend;
  if (backend === 'postgres') {
    const database = await freshPostgresDatabase();
    openInstance = () => createPostgresRepository(openPostgres(database.url));
    storageEnv.DATABASE_URL = database.url;
    const pool = openPostgres(database.url, {
      max: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    });
    const queryOn =
      (on: typeof pool): typeof query =>
      async (sql, params) => {
        let n = 0;
        return (
          await on.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows as Record<string, unknown>[];
      };
    query = queryOn(pool);
    openConnection = () => {
      const own = openPostgres(database.url, { max: 1 });
      return { query: queryOn(own), close: () => own.end() };
    };
    await migratePostgres(pool);
    repo = createPostgresRepository(pool, {
      reportCacheMs: config.reportCacheSeconds * 1000,
      stampMaxAgeMs: config.signInReuseMs,
    });
    dropDatabase = () => database.drop();
  } else {
    const sqlite = openDatabase(config.databaseFile);
    db = sqlite;
    migrate(db);
    const queryOn =
      (on: Db): typeof query =>
      (sql, params) => {
        const statement = on.prepare(sql);
        if (statement.reader) return Promise.resolve(statement.all(...params) as Record<string, unknown>[]);
        statement.run(...params);
        return Promise.resolve([]);
      };
    query = queryOn(sqlite);
    openConnection = () => {
      const own = openDatabase(config.databaseFile);
      return {
        query: queryOn(own),
        close: () => {
          own.close();
          return Promise.resolve();
        },
      };
    };
    openInstance = (instanceOptions) => createSqliteRepository(openDatabase(config.databaseFile), instanceOptions);
    repo = createSqliteRepository(db, {
      writeWaitMs: config.writeWaitMs,
      checkpointer: { frames: config.walCheckpointPages },
      reportWorker: { cacheMs: config.reportCacheSeconds * 1000, ...options.reportWorker },
      readWorker: options.readWorker,
    });
  }
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
    get db(): Db {
      if (!db) throw new Error('This test reads the SQLite file directly: it runs on SQLite only.');
      return db;
    },
    backend,
    storageEnv,
    rows: (sql, ...params) => query(sql, params) as never,
    anotherInstance(instanceOptions = {}) {
      const instance = openInstance(instanceOptions);
      instances.push(instance);
      return instance;
    },
    async value(sql, ...params) {
      const [row] = await query(sql, params);
      return (row ? Object.values(row)[0] : undefined) as never;
    },
    anotherConnection() {
      const connection = openConnection();
      instances.push(connection);
      return {
        rows: (sql, ...params) => connection.query(sql, params) as never,
        async value(sql, ...params) {
          const [row] = await connection.query(sql, params);
          return (row ? Object.values(row)[0] : undefined) as never;
        },
      };
    },
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
      await Promise.all(instances.map((instance) => instance.close()));
      await repo.close();
      await dropDatabase();
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
