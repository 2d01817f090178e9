import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config';
import { splitPassword, withoutPassword } from '../../server/db/postgres/url';
import pg from 'pg';
import { pino } from 'pino';
import { runScript, startChildServer } from '../helpers/child-server';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';
import { referral, startTestServer } from '../helpers/test-server';

const tsx = runScript;

/** The URL with a password (the test server trusts every local connection, so any password is let in). */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

describe('DATABASE_URL (issue 16)', () => {
  it('accepts only a PostgreSQL URL, naming the setting without echoing it', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://kim:s3cret@db.example/regarding' }),
      (error: Error) => /DATABASE_URL: only a PostgreSQL URL/.test(error.message) && !/s3cret/.test(error.message),
    );
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgresql://db.example/regarding' }).databaseUrl,
      'postgresql://db.example/regarding',
    );
    assert.equal(loadConfig({}).databaseUrl, undefined, 'the SQLite file stays the default');
  });

  it('is shown and handed to pg_dump without its password, in every form libpq takes', () => {
    // [URL, as shown, to pg_dump (null: refused), the password apart]
    const forms: [string, string, string | null, string | undefined][] = [
      [
        'postgres://kim:s3cret@db.example:5432/regarding',
        'postgres://kim:***@db.example:5432/regarding',
        'postgres://kim@db.example:5432/regarding',
        's3cret',
      ],
      [
        'postgresql://kim:s%40cret@/regarding?host=/var/run/postgresql',
        'postgresql://kim:***@/regarding?host=/var/run/postgresql',
        'postgresql://kim@/regarding?host=/var/run/postgresql',
        's@cret',
      ],
      [
        'postgres://kim@db.example/regarding?password=s3cret&connect_timeout=5',
        'postgres://kim@db.example/regarding?password=***&connect_timeout=5',
        'postgres://kim@db.example/regarding?connect_timeout=5',
        's3cret',
      ],
      [
        'postgres://kim@db.example/regarding?connect_timeout=5&password=s3cret',
        'postgres://kim@db.example/regarding?connect_timeout=5&password=***',
        'postgres://kim@db.example/regarding?connect_timeout=5',
        's3cret',
      ],
      [
        'postgres://kim@db.example/regarding?password=s3cret&password=s3cret',
        'postgres://kim@db.example/regarding?password=***&password=***',
        'postgres://kim@db.example/regarding',
        's3cret',
      ],
      [
        'postgres:///regarding?host=/var/run/postgresql',
        'postgres:///regarding?host=/var/run/postgresql',
        'postgres:///regarding?host=/var/run/postgresql',
        undefined,
      ],
      // An @ left unencoded in the password: the driver reads the user's part up to the last @.
      [
        'postgres://kim:s3c@ret@db.example/regarding',
        'postgres://kim:***@db.example/regarding',
        'postgres://kim@db.example/regarding',
        's3c@ret',
      ],
      // An @ in a parameter: the authority ends at the first @.
      [
        'postgres://kim:s3cret@db.example/regarding?application_name=kim@desk',
        'postgres://kim:***@db.example/regarding?application_name=kim@desk',
        'postgres://kim@db.example/regarding?application_name=kim@desk',
        's3cret',
      ],
      // A private key's passphrase: hidden, and pg_dump is not run with it (it takes it nowhere but the URL).
      [
        'postgres://kim@db.example/regarding?sslpassword=s3cret',
        'postgres://kim@db.example/regarding?sslpassword=***',
        null,
        undefined,
      ],
    ];
    for (const [url, shown, bare, password] of forms) {
      assert.equal(withoutPassword(url), shown, url);
      assert.deepEqual(splitPassword(url), bare === null ? null : { url: bare, password }, url);
    }
    // A / ? or # left unencoded in the password: nothing of the URL is shown, nor handed to pg_dump.
    for (const url of ['postgres://kim:s3/cret@db.example/regarding', 'postgres://kim:s3#cret@db.example/regarding']) {
      assert.doesNotMatch(withoutPassword(url), /s3|cret|db\.example/, url);
      assert.equal(splitPassword(url), null, url);
    }
  });
});

describeOnPostgres('the service and its command line on PostgreSQL (issue 16)', function () {
  this.timeout(120_000);
  let dir: string;
  let database: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let env: Record<string, string>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-pg-ops-'));
    database = await freshPostgresDatabase();
    env = {
      DATABASE_URL: withPassword(database.url, 'pg-s3cret'),
      DATABASE_FILE: path.join(dir, 'data', 'regarding.db'),
      LOG_LEVEL: 'silent',
    };
  });
  afterEach(async () => {
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('migrates with npm run migrate, never printing the password, and a second run applies nothing', async () => {
    const first = await tsx('server/cli/migrate.ts', [], env);
    assert.match(
      first.stdout,
      /Applied 31 \(initial PostgreSQL schema\), 32 \(type-ahead walks the owners rows\), 33 \(needs-attention facts kept with each open opportunity\) to postgres:\/\/[^ ]*:\*\*\*@/,
    );
    assert.match(first.stdout, /Schema version: 33/);
    const second = await tsx('server/cli/migrate.ts', [], env);
    assert.match(second.stdout, /is up to date/);
    assert.doesNotMatch(first.stdout + first.stderr + second.stdout + second.stderr, /pg-s3cret/);
    assert.equal(fs.existsSync(env.DATABASE_FILE), false, 'no SQLite file is made');
  });

  it('serves demo data, answers /healthz, and takes tokens the admin command line makes and revokes', async () => {
    const server = await startChildServer({ ...env, TLS: 'off', DEMO_DATA: 'on', LOG_LEVEL: 'warn' });
    try {
      assert.match(server.output(), /Database: postgres:\/\/[^ ]*:\*\*\*@/);
      assert.doesNotMatch(server.output(), /pg-s3cret/);
      const demoToken = /rgd_\S+/.exec(server.output())?.[0];
      assert.ok(demoToken, 'demo sign-ins printed once, when made');
      const demoMe = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${demoToken}` } });
      assert.equal(demoMe.status, 200);
      const listed = await fetch(`${server.url}/api/v1/opportunities?view=all-open`, {
        headers: { Authorization: `Bearer ${demoToken}` },
      });
      assert.equal(listed.status, 200);
      const health = await fetch(`${server.url}/healthz`);
      assert.deepEqual(await health.json(), { status: 'ok', writes: 'ok' });

      await tsx('server/cli/admin.ts', ['advisor', 'add', '--email', 'Kim@Firm.example', '--name', 'Kim Lee'], env);
      const created = await tsx('server/cli/admin.ts', ['token', 'create', '--email', 'kim@firm.example'], env);
      const token = /rgd_\S+/.exec(created.stdout)?.[0];
      assert.ok(token);
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await me.json()).displayName, 'Kim Lee');
      const tokens = await tsx('server/cli/admin.ts', ['token', 'list', '--email', 'kim@firm.example'], env);
      const id = /^\s*(\d+)/m.exec(tokens.stdout)?.[1];
      assert.ok(id, tokens.stdout);
      assert.match((await tsx('server/cli/admin.ts', ['token', 'revoke', id], env)).stdout, /Revoked/);
      const revoked = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(revoked.status, 401, 'another process revoked it: this one reads that at once');
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
  });

  it('backs up with pg_dump (custom format) when it is installed, and says how when it is not', async () => {
    await tsx('server/cli/migrate.ts', [], env);
    await tsx('server/cli/admin.ts', ['advisor', 'add', '--email', 'kim@firm.example', '--name', 'Kim Lee'], env);
    const backupFile = path.join(dir, 'backups', 'regarding.dump');
    const done = await tsx('server/cli/backup.ts', [backupFile], env);
    assert.match(done.stdout, /Backed up postgres:\/\/[^ ]*:\*\*\*@.* to .*regarding\.dump \(pg_dump custom format/);
    assert.doesNotMatch(done.stdout + done.stderr, /pg-s3cret/);
    assert.equal(fs.statSync(backupFile).mode & 0o777, 0o600, 'only its owner may read it');
    const contents = execFileSync('pg_restore', ['--list', backupFile], { encoding: 'utf8' });
    assert.match(contents, /TABLE DATA public advisors/);

    const withoutPgDump = path.join(dir, 'backups', 'second.dump');
    // A PATH with node alone (here node sits in /usr/bin beside pg_dump).
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const refused = await tsx('server/cli/backup.ts', [withoutPgDump], { ...env, PATH: bin }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal((refused as { code: number }).code, 1);
    assert.match((refused as { stderr: string }).stderr, /pg_dump is not installed.*\n.*pg_dump --format=custom/);
    assert.equal(fs.existsSync(withoutPgDump), false, 'no empty file is left behind');
  });

  it("runs, migrates and backs up through PostgreSQL's Unix socket (libpq's URL with a user and no host, the password a parameter)", async () => {
    assert.ok(database.socketUrl, 'the test server runs here, with its socket in a known folder');
    const socketEnv = { ...env, DATABASE_URL: `${database.socketUrl}&password=pg-s3cret` };
    const migrated = await tsx('server/cli/migrate.ts', [], socketEnv);
    assert.match(migrated.stdout, /to postgres:\/\/\w+@\/regarding_test_\w+\?host=.*&password=\*\*\*/);
    const server = await startChildServer({ ...socketEnv, TLS: 'off', DEMO_DATA: 'on', LOG_LEVEL: 'warn' });
    try {
      assert.match(server.output(), /Database: postgres:\/\/\w+@\/regarding_test_\w+\?host=\S+&password=\*\*\*/);
      const demoToken = /rgd_\S+/.exec(server.output())?.[0];
      const me = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${demoToken}` } });
      assert.equal(me.status, 200);
      // A typed lookup runs on the lookup pool, which opens its own connections from the same URL.
      const typed = await fetch(`${server.url}/api/v1/opportunities/lookup?view=all-open&q=rollover`, {
        headers: { Authorization: `Bearer ${demoToken}` },
      });
      assert.equal(typed.status, 200);
      assert.ok(
        ((await typed.json()) as { items: { topic: string }[] }).items.some(
          (o) => o.topic === 'Retirement rollover for Jordan Lee',
        ),
      );
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok', writes: 'ok' });
    } finally {
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
    const backupFile = path.join(dir, 'socket.dump');
    const done = await tsx('server/cli/backup.ts', [backupFile], socketEnv);
    assert.match(done.stdout, /Backed up postgres:\/\/\w+@\/regarding_test_\w+\?host=\S+&password=\*\*\* to /);
    assert.match(
      execFileSync('pg_restore', ['--list', backupFile], { encoding: 'utf8' }),
      /TABLE DATA public advisors/,
    );
    assert.doesNotMatch(migrated.stdout + server.output() + done.stdout + done.stderr, /pg-s3cret/);
  });

  it('cancels a statement held past DATABASE_STATEMENT_TIMEOUT_MS (503, Retry-After, nothing saved); migrations wait without one', async () => {
    const server = await startChildServer({
      ...env,
      TLS: 'off',
      DEMO_DATA: 'on',
      LOG_LEVEL: 'warn',
      DATABASE_STATEMENT_TIMEOUT_MS: '2000',
    });
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      const headers = {
        Authorization: `Bearer ${/rgd_\S+/.exec(server.output())?.[0]}`,
        'Content-Type': 'application/json',
      };
      const listed = (await (await fetch(`${server.url}/api/v1/opportunities?view=all-open`, { headers })).json()) as {
        items: { id: number; topic: string; version: number }[];
      };
      const { id, topic, version } = listed.items[0];
      const edit = () =>
        fetch(`${server.url}/api/v1/opportunities/${id}`, {
          method: 'PATCH',
          headers: { ...headers, 'If-Match': `"${version}"` },
          body: JSON.stringify({ topic: 'Edited while another session held the row' }),
        });
      // Another session holds the opportunity's row: the edit's UPDATE waits for it until the timeout.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM opportunities WHERE id = $1 FOR UPDATE', [id]);
      const began = Date.now();
      const held = await edit();
      assert.equal(held.status, 503);
      assert.ok(Number(held.headers.get('retry-after')) > 0);
      assert.match(held.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.match(
        ((await held.json()) as { detail: string }).detail,
        /did not answer in time\. Check whether your change was saved/,
      );
      assert.ok(Date.now() - began >= 1900 && Date.now() - began < 15_000, `answered after ${Date.now() - began} ms`);
      await locker.query('ROLLBACK');
      const { opportunity: after } = (await (
        await fetch(`${server.url}/api/v1/opportunities/${id}`, { headers })
      ).json()) as { opportunity: { topic: string; version: number } };
      assert.deepEqual({ topic: after.topic, version: after.version }, { topic, version }, 'nothing was saved');
      assert.equal((await edit()).status, 200, 'the same edit once the row is free');

      // An instance starting while another migrates waits for it however long it takes: here the migrations' lock,
      // held until the starting instance has waited for it several times its statement timeout.
      await locker.query('SELECT pg_advisory_lock($1)', [0x5245_4744]);
      const starting = startChildServer({
        ...env,
        TLS: 'off',
        LOG_LEVEL: 'warn',
        DATABASE_STATEMENT_TIMEOUT_MS: '300',
      });
      const waiting = async () =>
        Number(
          (
            await locker.query(
              "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1",
              [0x5245_4744],
            )
          ).rows[0].n,
        );
      while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal(await waiting(), 1, 'still waiting, past its statement timeout');
      await locker.query('SELECT pg_advisory_unlock($1)', [0x5245_4744]);
      const second = await starting;
      assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    } finally {
      await locker.end();
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    }
  });

  it('refuses to start when the PostgreSQL server cannot be reached, naming it without its password', async () => {
    const unreachable = new URL(env.DATABASE_URL);
    unreachable.port = '1';
    const server = startChildServer({ ...env, DATABASE_URL: unreachable.toString(), TLS: 'off' }, 20_000);
    const error = (await server.catch((e: Error) => e)) as Error;
    assert.match(error.message, /Regarding could not start: PostgreSQL at postgres:\/\/[^ ]*:\*\*\*@[^ ]*:1\/\S+: /);
    assert.doesNotMatch(error.message, /pg-s3cret/);
  });

  it('answers 503 with Retry-After while PostgreSQL refuses connections, /healthz says so, and recovers after', async () => {
    const logged: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
    const server = await startTestServer({}, { backend: 'postgres', logger });
    const name = new URL(server.storageEnv.DATABASE_URL).pathname.slice(1);
    const adminUrl = new URL(server.storageEnv.DATABASE_URL);
    adminUrl.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: adminUrl.toString() });
    await admin.connect();
    try {
      const kim = await server.advisor('Kim Lee');
      assert.equal(
        (await kim.api.post('/api/v1/opportunities', referral('Before', 'before@client.example'))).status,
        201,
      );
      // As a server restarting or failing over: no new connection (not even a superuser), the open ones ended.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      const refused = await kim.api.post('/api/v1/opportunities', referral('During', 'during@client.example'));
      assert.equal(refused.status, 503, JSON.stringify(refused.body));
      assert.equal(refused.headers.get('retry-after'), '2');
      assert.match(refused.body.detail, /database could not be reached/);
      const causes = logged.map((line) => JSON.parse(line) as { msg: string; cause?: { code?: string } });
      assert.ok(
        causes.some((entry) => entry.msg === 'database unavailable' && entry.cause?.code !== undefined),
        `the cause is logged for IT: ${logged.join('')}`,
      );
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), { status: 'unavailable', writes: 'unavailable' });
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      assert.equal(
        (await kim.api.post('/api/v1/opportunities', referral('After', 'after@client.example'))).status,
        201,
      );
      assert.equal(await server.value("SELECT count(*) FROM opportunities WHERE topic = 'During'"), 0);

      // As a primary turned standby by a failover (or set read-only): reads go on, a change is refused as such.
      await admin.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      const readOnly = await kim.api.post('/api/v1/opportunities', referral('Read-only', 'ro@client.example'));
      if (readOnly.status === 503 && /could not be reached/.test(readOnly.body.detail))
        // The first request may meet a connection the termination ended; the next one opens a new, read-only one.
        Object.assign(
          readOnly,
          await kim.api.post('/api/v1/opportunities', referral('Read-only', 'ro@client.example')),
        );
      assert.equal(readOnly.status, 503, JSON.stringify(readOnly.body));
      assert.match(readOnly.body.detail, /takes no changes just now; nothing was changed/);
      assert.equal((await kim.api.get('/api/v1/opportunities?view=my-open')).status, 200, 'reads go on');
      assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok', writes: 'unavailable' });
      await admin.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    } finally {
      await admin.end();
      await server.close();
    }
  });
});
