import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runScript, startChildServer, waitForOutput } from '../helpers/child-server';
import { startTestServer, type TestServer } from '../helpers/test-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const tsx = runScript;

function httpsGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });
}

describe('operations', function () {
  this.timeout(60_000);

  describe('HTTP basics', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it('answers /healthz, request ids, problem+json for unknown routes and broken JSON, and never lets API answers be cached', async () => {
      const health = await server.client.get('/healthz');
      assert.deepEqual(health.body, { status: 'ok', writes: 'ok' });
      const advisor = await server.advisor('Ops');
      const missing = await advisor.api.get('/api/v1/nothing-here');
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type')!, /problem\+json/);
      const broken = await advisor.api.request('POST', '/api/v1/opportunities', { rawBody: '{"topic": ' });
      assert.equal(broken.status, 400);
      assert.equal(broken.body.detail, 'The request body is not valid JSON.');
      assert.ok(broken.body.requestId);
      assert.equal(broken.headers.get('x-request-id'), broken.body.requestId);
      assert.ok(!JSON.stringify(broken.body).includes(' at '), 'no stack trace');
      const traced = await advisor.api.get('/api/v1/me', { 'X-Request-Id': 'trace-me-1' });
      assert.equal(traced.headers.get('x-request-id'), 'trace-me-1');
      for (const answer of [traced, missing, broken])
        assert.equal(answer.headers.get('cache-control'), 'no-store', 'API answers are never cached');
    });
  });

  describe('start-up, CLI and backup', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-ops-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('finding 11: serves HTTPS with a generated localhost certificate, seeds demo data with expiring tokens and prints them only when created', async () => {
      const databaseFile = path.join(dir, 'demo', 'regarding.db');
      const server = await startChildServer({ DATABASE_FILE: databaseFile, DEMO_DATA: 'on' });
      try {
        assert.match(server.url, /^https:/);
        const out = server.output();
        assert.match(out, /Generated a self-signed certificate for localhost/);
        assert.match(out, /manifest\.xml/);
        const token = /alex\.morgan@regarding\.example\s+(rgd_\S+)/.exec(out)?.[1];
        assert.ok(token, `a demo token is printed:\n${out}`);
        const ca = fs.readFileSync(path.join(dir, 'demo', 'tls', 'localhost-cert.pem'), 'utf8');
        const health = await httpsGet(`${server.url.replace('127.0.0.1', 'localhost')}/healthz`, ca);
        assert.equal(health.status, 200, 'the certificate is valid for localhost');
      } finally {
        server.child.kill('SIGTERM');
        assert.equal(await server.exited, 0);
      }
      const firstToken = /alex\.morgan@regarding\.example\s+(rgd_\S+)/.exec(server.output())?.[1];
      const restarted = await startChildServer({ DATABASE_FILE: databaseFile, DEMO_DATA: 'on', LOG_LEVEL: 'info' });
      const ca = fs.readFileSync(path.join(dir, 'demo', 'tls', 'localhost-cert.pem'), 'utf8');
      const token = firstToken;
      const origin = restarted.url.replace('127.0.0.1', 'localhost');
      const me = await httpsGet(`${origin}/api/v1/me`, ca, {
        authorization: `Bearer ${token}`,
        'x-request-id': 'ops-me-1',
      });
      assert.equal(me.status, 200);
      const missing = await httpsGet(`${origin}/api/v1/opportunities/999999`, ca, {
        authorization: `Bearer ${token}`,
        'x-request-id': 'ops-missing-1',
      });
      assert.equal(missing.status, 404);
      await waitForOutput(restarted, /"id":"ops-missing-1"/);
      restarted.child.kill('SIGTERM');
      await restarted.exited;
      assert.doesNotMatch(restarted.output(), /Generated a self-signed/, 'the certificate is reused');
      assert.doesNotMatch(restarted.output(), /rgd_/, 'tokens are printed only when they are created');
      assert.match(restarted.output(), /Demo sign-ins: the demo page's buttons, or the tokens in .*demo-sign-in\.txt/);
      // One structured line per request: its id, method, path without the query, status, and who asked.
      const lines = restarted
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      const lineOf = (id: string) => lines.find((line) => line.req?.id === id);
      const alexId = JSON.parse(me.body).id;
      assert.deepEqual(
        [lineOf('ops-me-1'), lineOf('ops-missing-1')].map((line) => [
          line?.req.method,
          line?.req.url,
          line?.res.statusCode,
          line?.advisorId,
        ]),
        [
          ['GET', '/api/v1/me', 200, alexId],
          ['GET', '/api/v1/opportunities/999999', 404, alexId],
        ],
        `log lines:\n${restarted.output()}`,
      );
      const db = new Database(databaseFile, { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM advisors').pluck().get(), 4, 'demo data is seeded once');
      const lifetimes = db
        .prepare("SELECT (julianday(expires_at) - julianday(created_at)) FROM access_tokens WHERE name = 'demo'")
        .pluck()
        .all() as number[];
      assert.deepEqual(
        lifetimes.map((days) => Math.round(days)),
        [30, 30, 30, 30],
        'demo tokens expire after 30 days',
      );
      db.close();
    });

    it('finding 11: creates no demo data unless asked: npm run serve and the configuration default are off, npm start is on', async () => {
      const plain = path.join(dir, 'plain', 'regarding.db');
      const server = await startChildServer({ DATABASE_FILE: plain, TLS: 'off' });
      server.child.kill('SIGTERM');
      await server.exited;
      assert.doesNotMatch(server.output(), /rgd_|Demo sign-ins/);
      const db = new Database(plain, { readonly: true });
      assert.equal(db.prepare('SELECT count(*) FROM advisors').pluck().get(), 0, 'no demo advisors');
      db.close();
      const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
      assert.match(scripts.start, /server\/main\.ts --demo$/);
      assert.doesNotMatch(scripts.serve, /--demo/);
    });

    it('migrates, manages advisors and tokens from the CLI, and backs up a live database', async () => {
      const env = { DATABASE_FILE: path.join(dir, 'cli', 'regarding.db') };
      assert.match(
        (await tsx('server/cli/migrate.ts', [], env)).stdout,
        /Applied 1 \(initial\), 2 \(search prefixes up to 12 characters\)/,
      );
      assert.match((await tsx('server/cli/migrate.ts', [], env)).stdout, /up to date/);
      await tsx(
        'server/cli/admin.ts',
        ['advisor', 'add', '--email', 'Kim@Firm.example', '--name', 'Kim Lee', '--role', 'manager'],
        env,
      );
      await tsx('server/cli/admin.ts', ['team', 'add', 'West', '--members', 'kim@firm.example'], env);
      const created = await tsx('server/cli/admin.ts', ['token', 'create', '--email', 'kim@firm.example'], env);
      const token = /rgd_\S+/.exec(created.stdout)?.[0];
      assert.ok(token);
      const duplicate = await tsx(
        'server/cli/admin.ts',
        ['advisor', 'add', '--email', 'kim@firm.example', '--name', 'Again'],
        env,
      ).catch((e) => e);
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /already exists/);

      const server = await startChildServer({ ...env, TLS: 'off', DEMO_DATA: 'off' });
      try {
        const me = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal((await me.json()).teams[0].name, 'West');
        const backupFile = path.join(dir, 'backups', 'copy.db');
        assert.match((await tsx('server/cli/backup.ts', [backupFile], env)).stdout, /Backed up/);
        const copy = new Database(backupFile, { readonly: true });
        assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(copy.prepare('SELECT display_name FROM advisors').pluck().get(), 'Kim Lee');
        copy.close();
        const again = await tsx('server/cli/backup.ts', [backupFile], env).catch((e) => e);
        assert.match(again.stderr, /already exists/);
        assert.match((await tsx('server/cli/admin.ts', ['token', 'revoke', '1'], env)).stdout, /Revoked/);
        const revoked = await fetch(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(revoked.status, 401);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    it('refuses to start with invalid configuration and says why', async () => {
      const result = await tsx('server/main.ts', [], {
        AUTH_PROVIDERS: 'oidc',
        DATABASE_FILE: path.join(dir, 'x.db'),
      }).catch((e) => e);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /OIDC_ISSUER and OIDC_AUDIENCE are required/);
    });
  });
});
