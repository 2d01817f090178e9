import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../server/config';
import { buildOpenApiDocument } from '../../server/http/openapi';
import { writeStats } from '../../server/repository/sqlite/writes';
import { TestClient } from '../helpers/api-client';
import { startChildServer, waitForOutput, type ChildServer } from '../helpers/child-server';
import { itOnSqlite, startTestServer, type TestServer } from '../helpers/test-server';

/** A well-formed personal access token that belongs to no one (a guess). */
const guess = (n: number) => `rgd_${String(n).padStart(43, 'A')}`;
const from = (address: string) => ({ 'X-Forwarded-For': address });

/** Issue 11, finding 9 (and the rate-limit half of finding 6). */
describe('rate limits', function () {
  this.timeout(60_000);

  describe('in one process', () => {
    const WINDOW_MS = 60_000;
    let server: TestServer;
    let running: TestServer | undefined;
    let anon: TestClient;

    const start = async (env: Record<string, string>) => {
      server = await startTestServer({
        RATE_LIMIT_FAILED_AUTH: '3',
        RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '3',
        RATE_LIMIT_FAILED_AUTH_WINDOW_MS: String(WINDOW_MS),
        ...env,
      });
      running = server;
      anon = server.client;
    };
    afterEach(async () => {
      await running?.close();
      running = undefined;
    });

    it('finding 9: failed sign-ins from one address are answered 429 with Retry-After before the token is checked, a valid token from that address too, until the window ends', async () => {
      await start({ TRUST_PROXY: 'loopback' });
      const { token } = await server.advisor('Ada');
      for (let n = 1; n <= 3; n++) {
        const refused = await anon.as(guess(n)).get('/api/v1/me', from('203.0.113.5'));
        assert.equal(refused.status, 401, `guess ${n}`);
      }
      const blocked = await anon.as(guess(4)).get('/api/v1/me', from('203.0.113.5'));
      assert.equal(blocked.status, 429);
      assert.match(blocked.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(blocked.headers.get('retry-after'), String(WINDOW_MS / 1000));
      assert.equal(blocked.body.title, 'Too Many Requests');
      assert.doesNotMatch(blocked.body.detail, /valid|exist|address 203/i, 'says nothing about the token or the count');

      const validFromThere = await anon.as(token).get('/api/v1/me', from('203.0.113.5'));
      assert.equal(validFromThere.status, 429, 'a correct token from a blocked address waits too');
      assert.equal((await anon.as(token).get('/api/v1/me', from('203.0.113.6'))).status, 200, 'other addresses go on');

      server.clock.advance(WINDOW_MS - 2000);
      const later = await anon.as(token).get('/api/v1/me', from('203.0.113.5'));
      assert.equal(later.status, 429);
      assert.equal(later.headers.get('retry-after'), '2');
      server.clock.advance(2000);
      assert.equal((await anon.as(token).get('/api/v1/me', from('203.0.113.5'))).status, 200, 'the window has ended');
    });

    it('finding 9: one client retrying a dead token is stopped by the token limit, not its whole address', async () => {
      await start({ RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '10' });
      const { token } = await server.advisor('Ada');
      const dead = anon.as(guess(1));
      for (let n = 1; n <= 3; n++) assert.equal((await dead.get('/api/v1/me')).status, 401, `retry ${n}`);
      assert.equal((await dead.get('/api/v1/me')).status, 429);
      assert.equal((await anon.as(token).get('/api/v1/me')).status, 200, 'a colleague at the same address signs in');
    });

    it('finding 9: guesses sent all at once are decided one by one, so no more than the limit are checked', async () => {
      await start({});
      assert.equal((await anon.as(guess(100)).get('/api/v1/me')).status, 401);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) => anon.as(guess(200 + n)).get('/api/v1/me')),
      );
      const statuses = answers.map((answer) => answer.status);
      assert.equal(statuses.filter((status) => status === 401).length, 2, statuses.join(' '));
      assert.equal(statuses.filter((status) => status === 429).length, 18);
    });

    it('finding 9: failures with one token throttle that token from any address', async () => {
      await start({ TRUST_PROXY: 'loopback' });
      const { token } = await server.advisor('Ada');
      const reused = anon.as(guess(7));
      for (let n = 1; n <= 3; n++) {
        assert.equal((await reused.get('/api/v1/me', from(`198.51.100.${n}`))).status, 401);
      }
      const blocked = await reused.get('/api/v1/me', from('198.51.100.99'));
      assert.equal(blocked.status, 429, 'the token is blocked from an address that never failed');
      assert.ok(Number(blocked.headers.get('retry-after')) > 0);
      assert.equal((await anon.as(token).get('/api/v1/me', from('198.51.100.99'))).status, 200, 'that address is not');
      const stored = (await server.rows<{ key: string }>('SELECT key FROM rate_limits')).map((row) => row.key);
      assert.ok(
        stored.every((key) => !key.includes(guess(7))),
        `no token is stored, only its hash: ${stored.join(', ')}`,
      );
    });

    it('finding 9: without TRUST_PROXY, X-Forwarded-For is ignored and the connecting address counts', async () => {
      await start({});
      const { token } = await server.advisor('Ada');
      for (let n = 1; n <= 3; n++) {
        assert.equal((await anon.as(guess(n)).get('/api/v1/me', from(`192.0.2.${n}`))).status, 401);
      }
      // Every guess came from 127.0.0.1 whatever the header said, so that address is blocked, for any header.
      assert.equal((await anon.as(token).get('/api/v1/me', from('192.0.2.200'))).status, 429);
    });

    it('finding 9: TRUST_PROXY accepts what Express accepts and refuses anything else', () => {
      const base = { DATABASE_FILE: path.join(os.tmpdir(), 'unused.db') };
      assert.equal(loadConfig(base).trustProxy, false);
      assert.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }).trustProxy, true);
      assert.equal(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy, 2);
      assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8, 192.168.1.7' }).trustProxy, [
        'loopback',
        '10.0.0.0/8',
        'fd00::/8',
        '192.168.1.7',
      ]);
      for (const wrong of ['yes', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/8']) {
        assert.throws(() => loadConfig({ ...base, TRUST_PROXY: wrong }), /TRUST_PROXY/, wrong);
      }
      assert.throws(
        () => loadConfig({ ...base, HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' }),
        /HEADERS_TIMEOUT_MS/,
      );
    });

    it('finding 9: the OpenAPI document lists 429 for every route', () => {
      const paths = buildOpenApiDocument().paths as Record<
        string,
        Record<string, { responses: Record<string, unknown> }>
      >;
      const operations = Object.values(paths).flatMap((methods) => Object.values(methods));
      assert.ok(operations.length > 30);
      for (const operation of operations) assert.ok(operation.responses[429], JSON.stringify(operation).slice(0, 80));
    });

    it('finding 9: changes are limited per advisor with 429 and Retry-After while reads still work', async () => {
      await start({ RATE_LIMIT_WRITES: '3', RATE_LIMIT_WRITES_WINDOW_MS: '60000' });
      const ada = await server.advisor('Ada');
      const bo = await server.advisor('Bo');
      for (let n = 1; n <= 3; n++) assert.equal((await ada.api.post('/api/v1/me/work-seen')).status, 200);
      const limited = await ada.api.post('/api/v1/me/work-seen');
      assert.equal(limited.status, 429);
      // The library counts the seconds left on the process clock: 60, or 59 on a slow machine.
      assert.match(limited.headers.get('retry-after') ?? '', /^(59|60)$/);
      assert.match(limited.body.detail, /Nothing was changed/);
      assert.match(limited.headers.get('ratelimit') ?? '', /r=0/);
      for (let n = 1; n <= 10; n++) assert.equal((await ada.api.get('/api/v1/me')).status, 200, 'reads go on');
      assert.equal((await bo.api.post('/api/v1/me/work-seen')).status, 200, 'another advisor changes on');
      server.clock.advance(60_000);
      assert.equal((await ada.api.post('/api/v1/me/work-seen')).status, 200, 'the next window');
    });

    // SQLite's group commit and write lock.
    itOnSqlite(
      'issue 15: concurrent changes are counted exactly, without a transaction each: the count rides their group commit',
      async () => {
        await start({ RATE_LIMIT_WRITES: '10', RATE_LIMIT_WRITES_WINDOW_MS: '60000' });
        const ada = await server.advisor('Ada');
        await Promise.all(Array.from({ length: 30 }, () => ada.api.get('/api/v1/me')));
        const before = writeStats(server.db);
        const results = await Promise.all(Array.from({ length: 30 }, () => ada.api.post('/api/v1/me/work-seen')));
        const statuses = results.map((r) => r.status).sort();
        assert.deepEqual(statuses, [...Array(10).fill(200), ...Array(20).fill(429)]);
        // The refused ones were answered at once: their counts ride the next transaction, a turn later.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const stored = server.db
          .prepare('SELECT hits FROM rate_limits WHERE key = ?')
          .pluck()
          .get(`writes:${ada.record.id}`);
        assert.equal(stored, 30, 'every hit is in the database, refused ones too');
        const after = writeStats(server.db);
        assert.equal(after.ownCommits - before.ownCommits, 0, 'no transaction of their own for the counts');
        // The accepted changes carried the counts: at most a turn's leftovers committed alone, never one per request.
        assert.ok(after.commits - before.commits <= 12, `${after.commits - before.commits} commits for 30 requests`);
      },
    );

    // SQLite's group commit and write lock.
    itOnSqlite(
      'issue 15: refused changes alone commit their counts without waiting for the disk, never a synced transaction each',
      async () => {
        await start({ RATE_LIMIT_WRITES: '1' });
        const ada = await server.advisor('Ada');
        assert.equal((await ada.api.post('/api/v1/me/work-seen')).status, 200);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const before = writeStats(server.db);
        for (let i = 0; i < 10; i++) assert.equal((await ada.api.post('/api/v1/me/work-seen')).status, 429);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const after = writeStats(server.db);
        const commits = after.commits - before.commits;
        assert.ok(commits >= 1, 'the refused requests were counted in the database');
        assert.equal(after.countsOnlyCommits - before.countsOnlyCommits, commits, 'each at synchronous = NORMAL');
        assert.equal(after.changes - before.changes, 0);
        const stored = server.db
          .prepare('SELECT hits FROM rate_limits WHERE key = ?')
          .pluck()
          .get(`writes:${ada.record.id}`);
        assert.equal(stored, 11);
      },
    );

    // SQLite's group commit and write lock.
    itOnSqlite(
      'issue 15: a change counted while another process holds the write lock is written once the lock is free',
      async () => {
        await start({ WRITE_WAIT_MS: '100' });
        const ada = await server.advisor('Ada');
        const holder = new Database(server.config.databaseFile);
        holder.exec('BEGIN IMMEDIATE');
        try {
          assert.equal(
            (await ada.api.post('/api/v1/me/work-seen')).status,
            503,
            'the change itself waits, then gives up',
          );
        } finally {
          holder.exec('ROLLBACK');
          holder.close();
        }
        const stored = () =>
          server.db.prepare('SELECT hits FROM rate_limits WHERE key = ?').pluck().get(`writes:${ada.record.id}`);
        for (let tries = 0; tries < 50 && stored() === undefined; tries++)
          await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(stored(), 1);
      },
    );

    it('finding 9: a signed-in read writes nothing to the rate-limit counters', async () => {
      await start({});
      const ada = await server.advisor('Ada');
      for (let n = 0; n < 5; n++) assert.equal((await ada.api.get('/api/v1/me')).status, 200);
      assert.equal(await server.value('SELECT count(*) FROM rate_limits'), 0);
      assert.equal((await anon.as(guess(1)).get('/api/v1/me')).status, 401);
      assert.equal(await server.value('SELECT count(*) FROM rate_limits'), 2, 'a failure counts');
    });

    // SQLite's group commit and write lock.
    itOnSqlite('finding 9: counting never waits for or fails on a write lock another connection holds', async () => {
      // A write that waited for the lock would wait 20 s, longer than this test may take.
      await start({ WRITE_WAIT_MS: '20000' });
      const holder = new Database(server.config.databaseFile);
      holder.exec('BEGIN IMMEDIATE');
      try {
        assert.equal((await anon.as(guess(1)).get('/api/v1/me')).status, 401, 'refused at once, not 503');
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      assert.equal(server.db.prepare('SELECT count(*) FROM rate_limits').pluck().get(), 0, 'not counted meanwhile');
    });

    it('finding 9: upkeep drops ended windows', async () => {
      await start({});
      const store = server.repo.rateLimitStore({ prefix: 'test:', windowMs: 1000, now: () => Date.now() - 5000 });
      await store.increment('ended');
      const current = server.repo.rateLimitStore({ prefix: 'test:', windowMs: 60_000, now: () => Date.now() });
      await current.increment('current');
      await server.repo.maintain();
      assert.deepEqual(await server.rows('SELECT key FROM rate_limits'), [{ key: 'test:current' }]);
    });
  });

  describe('across processes and at the socket', () => {
    /** Storage of their own (a SQLite file, or a PostgreSQL database in the PostgreSQL pass), with Ann's token. */
    const storages: TestServer[] = [];
    const servers: ChildServer[] = [];
    let shared: { env: Record<string, string>; token: string };

    const storage = async () => {
      const server = await startTestServer();
      storages.push(server);
      const { token } = await server.advisor('Ann');
      return { env: server.storageEnv, token };
    };

    before(async () => {
      shared = await storage();
    });

    after(async () => {
      for (const server of servers) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
      for (const server of storages) await server.close();
    });

    const child = async (env: Record<string, string>) => {
      const server = await startChildServer({
        TLS: 'off',
        RATE_LIMIT_FAILED_AUTH: '4',
        RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '4',
        ...env,
      });
      servers.push(server);
      return server;
    };

    it('finding 9: the limit holds across two server processes on one database file', async () => {
      const { env, token } = shared;
      const one = new TestClient((await child(env)).url);
      const two = new TestClient((await child(env)).url);
      for (const [n, api] of [one, two, one].entries()) {
        assert.equal((await api.as(guess(n)).get('/api/v1/me')).status, 401, `guess ${n}`);
      }
      // Neither process has seen more than two failures: only a shared count reaches the limit of 4.
      assert.equal((await two.as(guess(3)).get('/api/v1/me')).status, 401);
      assert.equal((await one.as(guess(4)).get('/api/v1/me')).status, 429);
      assert.equal((await two.as(token).get('/api/v1/me')).status, 429, 'on the other process too, for a valid token');
    });

    it('issue 15: the change limit holds across two server processes on one database file', async () => {
      // Storage of its own, so the failures of the test above do not block it.
      const { env: own, token } = await storage();
      const env = { ...own, RATE_LIMIT_WRITES: '4', RATE_LIMIT_WRITES_WINDOW_MS: '60000' };
      const one = new TestClient((await child(env)).url, token);
      const two = new TestClient((await child(env)).url, token);
      for (const [n, api] of [one, two, one, two].entries()) {
        assert.equal((await api.post('/api/v1/me/work-seen')).status, 200, `change ${n}`);
      }
      // Each process has counted two: only the counts shared through the database reach the limit of 4.
      assert.equal((await one.post('/api/v1/me/work-seen')).status, 429);
      assert.equal((await two.post('/api/v1/me/work-seen')).status, 429);
    });

    describe('one process with short timeouts', () => {
      let server: ChildServer;
      let port: number;

      before(async () => {
        server = await child({
          // Its own storage, so the failures of the tests above do not block it.
          ...(await storage()).env,
          LOG_LEVEL: 'debug',
          RATE_LIMIT_FAILED_AUTH: '2',
          RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '2',
          HEADERS_TIMEOUT_MS: '1000',
          REQUEST_TIMEOUT_MS: '2000',
          KEEP_ALIVE_TIMEOUT_MS: '1000',
        });
        port = Number(new URL(server.url).port);
      });

      /** Resolves with what the server sent once it closes the connection; `feed` keeps writing until then. */
      function untilClosed(socket: net.Socket, limitMs: number): Promise<{ received: string; ms: number }> {
        const started = performance.now();
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`still open after ${limitMs} ms; received: ${received}`));
          }, limitMs);
          socket.on('close', () => {
            clearTimeout(timer);
            resolve({ received, ms: performance.now() - started });
          });
        });
      }

      it('finding 9: a client sending its headers slowly is cut off after HEADERS_TIMEOUT_MS', async () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
        const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), 100);
        try {
          // Without the timeout it would stay open as long as the client keeps trickling (8 s here).
          const { received, ms } = await untilClosed(socket, 8000);
          assert.match(received, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout');
          assert.ok(ms >= 900, `not before the timeout (${ms} ms)`);
        } finally {
          clearInterval(trickle);
        }
      });

      it('finding 9: an idle keep-alive connection is closed after KEEP_ALIVE_TIMEOUT_MS', async () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise((resolve) => socket.once('connect', resolve));
        const closed = untilClosed(socket, 8000);
        socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
        const { received, ms } = await closed;
        assert.match(received, /^HTTP\/1\.1 200/);
        assert.ok(ms >= 900, `kept open until the timeout (${ms} ms)`);
        assert.match(received, /Keep-Alive: timeout=1/i);
      });

      it('finding 9: refused sign-ins are not logged at info; a block is logged once at warn', async () => {
        const api = new TestClient(server.url);
        for (let n = 0; n < 4; n++) {
          await api.as(guess(n)).get('/api/v1/me', { 'X-Request-Id': `guess-${n}` });
        }
        await api.get('/healthz', { 'X-Request-Id': 'after-guesses' });
        await waitForOutput(server, /"after-guesses"/);
        const lines = server
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map(
            (line) =>
              JSON.parse(line) as { level: number; msg: string; req?: { id: string }; res?: { statusCode: number } },
          );
        const guesses = lines.filter((line) => line.req?.id.startsWith('guess-') && line.res);
        assert.deepEqual(
          guesses.map((line) => [line.res!.statusCode, line.level]),
          [
            [401, 20],
            [401, 20],
            [429, 20],
            [429, 20],
          ],
          'each request line at debug',
        );
        assert.equal(
          lines.filter((line) => line.msg === 'sign-ins blocked for an address: too many failures' && line.level === 40)
            .length,
          1,
        );
        assert.ok(
          lines.some((line) => line.req?.id === 'after-guesses' && line.level === 30),
          'other requests at info',
        );
      });
    });
  });
});
