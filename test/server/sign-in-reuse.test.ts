import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import Database from 'better-sqlite3';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { sql } from '../../server/repository/sqlite/support';
import { SqliteTokenStore } from '../../server/repository/sqlite/tokens';
import { itOnPostgres, itOnSqlite, startTestServer, WEDNESDAY, type TestServer } from '../helpers/test-server';

/**
 * Issue 15: the token lookup and the sign-in guard's failed-sign-in counts are reused while the database's change
 * stamp holds (server/repository/sqlite/change-stamp.ts). These tests prove the reuse never outlives a change. The
 * tests of SQLite's reuse itself run on SQLite only; those of what the next request sees run on both, on PostgreSQL
 * with SIGN_IN_REUSE_MS=0 (every stamp new). PostgreSQL's own reuse is tested below.
 */
describe('issue 15: what sign-in reuses between requests', () => {
  let server: TestServer;
  /** Another process's connection to the SQLite file, as the admin CLI's (the tests of the reuse itself). */
  let other: Database.Database;
  /** Another process's connection on either backend. */
  let another: ReturnType<TestServer['anotherConnection']>;

  beforeEach(async () => {
    server = await startTestServer({
      RATE_LIMIT_FAILED_AUTH: '3',
      RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '5',
      SIGN_IN_REUSE_MS: '0',
    });
    another = server.anotherConnection();
    if (server.backend === 'sqlite') other = new Database(server.config.databaseFile);
  });
  afterEach(async () => {
    other?.close();
    await server.close();
  });

  itOnSqlite(
    'issue 15: the token lookup reused while nothing changed equals a fresh read after every kind of change',
    async () => {
      const ada = await server.advisor('Ada');
      const tokenHash = hash('sha256', ada.token, 'hex');
      const fresh = () => new SqliteTokenStore(other).findByHash(tokenHash);
      const reused = async () => {
        // Twice: the second is the one a cache would answer.
        await server.repo.tokens.findByHash(tokenHash);
        return server.repo.tokens.findByHash(tokenHash);
      };
      assert.deepEqual(await reused(), await fresh());
      const at = new Date().toISOString();
      const changes: [string, () => unknown][] = [
        ['display name, another process', () => other.prepare("UPDATE advisors SET display_name = 'Ada L.'").run()],
        ['role, another process', () => other.prepare("UPDATE advisors SET role = 'manager'").run()],
        [
          'team membership, another process',
          () => {
            const team = other
              .prepare("INSERT INTO teams (name, created_at) VALUES ('East', ?)")
              .run(at).lastInsertRowid;
            other.prepare('INSERT INTO team_members (team_id, advisor_id) VALUES (?, ?)').run(team, ada.record.id);
          },
        ],
        ['team renamed, another process', () => other.prepare("UPDATE teams SET name = 'East desk'").run()],
        ['time zone, this process', () => server.db.prepare("UPDATE advisors SET time_zone = 'Europe/Paris'").run()],
        ['expiry, this process', () => server.db.prepare('UPDATE access_tokens SET expires_at = ?').run(at)],
        ['deactivation, another process', () => other.prepare('UPDATE advisors SET active = 0').run()],
        ['revocation, another process', () => other.prepare('UPDATE access_tokens SET revoked_at = ?').run(at)],
        ['token deleted, this process', () => server.db.prepare('DELETE FROM access_tokens').run()],
      ];
      for (const [change, make] of changes) {
        make();
        assert.deepEqual(await reused(), await fresh(), change);
      }
      assert.equal(await reused(), null);
    },
  );

  itOnSqlite(
    'issue 15: a signed-in request reads the change stamp once, in the guard, for its counts and its token lookup',
    async () => {
      const ada = await server.advisor('Ada');
      // The cached statement every change stamp reads (change-stamp.ts), observed: its runs are counted.
      const dataVersion = sql(server.db, 'PRAGMA data_version');
      const run = dataVersion.get.bind(dataVersion);
      let reads = 0;
      dataVersion.get = (...args: unknown[]) => {
        reads += 1;
        return run(...(args as []));
      };
      try {
        for (const path of ['/api/v1/me', '/api/v1/opportunities?view=my-open&limit=5']) {
          assert.equal((await ada.api.get(path)).status, 200);
          reads = 0;
          assert.equal((await ada.api.get(path)).status, 200);
          assert.equal(reads, 1, `${path}: ${reads} reads of the change stamp`);
        }
      } finally {
        dataVersion.get = run;
      }
    },
  );

  itOnSqlite(
    "issue 15: one change stamp a request: the token lookup and the guard's counts compare the stamp handed to them",
    async () => {
      const ada = await server.advisor('Ada');
      const tokenHash = hash('sha256', ada.token, 'hex');
      const fresh = () => new SqliteTokenStore(other).findByHash(tokenHash);
      const lookup = (stamp = server.repo.changeStamp()) => server.repo.tokens.findByHash(tokenHash, stamp);
      await lookup();
      assert.deepEqual(await lookup(), await fresh());
      other.prepare("UPDATE advisors SET display_name = 'Ada L.'").run();
      assert.deepEqual(await lookup(), await fresh(), 'a stamp read after a change sees it');

      // A request whose guard read the stamp before another process revoked the token is decided as of that moment;
      // the next request's stamp differs, so it reads the revocation.
      const before = server.repo.changeStamp();
      other.prepare('UPDATE access_tokens SET revoked_at = ?').run(new Date().toISOString());
      assert.equal((await lookup(before))!.revokedAt, null);
      const after = await lookup();
      assert.notEqual(after!.revokedAt, null);
      assert.deepEqual(after, await fresh());

      const counted = server.repo.rateLimitStore({
        prefix: 'auth-',
        windowMs: 60_000,
        now: () => server.clock.now().getTime(),
      });
      const key = 'token:0123';
      assert.deepEqual(await counted.getMany([key], server.repo.changeStamp()), [undefined]);
      other
        .prepare('INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, ?, ?)')
        .run(`auth-${key}`, 3, server.clock.now().getTime() + 60_000);
      assert.equal((await counted.getMany([key], server.repo.changeStamp()))[0]?.totalHits, 3);
    },
  );

  it('issue 15: a revocation or deactivation is refused on the very next request, from this process or another', async () => {
    const [bea, cid, dee] = [await server.advisor('Bea'), await server.advisor('Cid'), await server.advisor('Dee')];
    for (const advisor of [bea, cid, dee, bea, cid, dee])
      assert.equal((await advisor.api.get('/api/v1/me')).status, 200);
    const [token] = await server.repo.tokens.listFor(bea.record.id);
    await server.repo.tokens.revoke(token.id, new Date().toISOString());
    assert.equal((await bea.api.get('/api/v1/me')).status, 401);
    await another.rows('UPDATE advisors SET active = false WHERE id = ?', cid.record.id);
    assert.equal((await cid.api.get('/api/v1/me')).status, 401);
    await another.rows(
      'UPDATE access_tokens SET expires_at = ? WHERE advisor_id = ?',
      server.clock.now().toISOString(),
      dee.record.id,
    );
    assert.equal((await dee.api.get('/api/v1/me')).status, 401);
  });

  it('issue 15: a block counted by another process takes effect on the very next request', async () => {
    const eve = await server.advisor('Eve');
    const fay = await server.advisor('Fay');
    for (const advisor of [eve, fay, eve, fay]) assert.equal((await advisor.api.get('/api/v1/me')).status, 200);
    const until = server.clock.now().getTime() + 60_000;
    const block = (key: string, hits: number, resetAt: number) =>
      another.rows('INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, ?, ?)', key, hits, resetAt);

    // Eve's token, failed three times on another server process: blocked here at once, from any address.
    await block(`auth-token:${hash('sha256', eve.token, 'hex')}`, 3, until);
    const refused = await eve.api.get('/api/v1/me');
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.equal((await fay.api.get('/api/v1/me')).status, 200);

    // This address, five failures elsewhere: every token from it waits, Fay's too.
    await block('auth-address:127.0.0.1', 5, until);
    assert.equal((await fay.api.get('/api/v1/me')).status, 429);
    // The window over (as another process's upkeep would leave it), Fay signs in again.
    await another.rows("DELETE FROM rate_limits WHERE key = 'auth-address:127.0.0.1'");
    assert.equal((await fay.api.get('/api/v1/me')).status, 200);
  });

  it("issue 15: this process's own failed sign-ins block on the very next request", async () => {
    const gus = await server.advisor('Gus');
    for (let i = 0; i < 2; i++) assert.equal((await gus.api.get('/api/v1/me')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await server.client.as(`rgd_wrong${i}`).get('/api/v1/me')).status, 401);
    // The address's fifth failure blocks it: Gus's good token, checked clean a moment ago, now waits.
    assert.equal((await gus.api.get('/api/v1/me')).status, 429);
  });

  /** Asserts nothing was written to the database while `requests` ran: the reuse alone answered them. */
  async function withoutWrites(requests: () => Promise<void>) {
    const changes = () => server.db.prepare('SELECT total_changes()').pluck().get();
    const before = changes();
    await requests();
    assert.equal(changes(), before, 'nothing written meanwhile');
  }

  itOnSqlite(
    'issue 15: a token that expires as time passes, with nothing written, is refused on the next request',
    async () => {
      const ada = await server.advisor('Ada');
      const now = server.clock.now();
      const { token } = await issueAccessToken(
        server.repo,
        ada.record.id,
        'short',
        now,
        new Date(now.getTime() + 30_000),
      );
      const api = server.client.as(token);
      for (let i = 0; i < 2; i++) assert.equal((await api.get('/api/v1/me')).status, 200);
      await withoutWrites(async () => {
        assert.equal((await api.get('/api/v1/me')).status, 200);
        server.clock.advance(31_000);
      });
      // Refused (and then counted as a failed sign-in: a write after the answer).
      assert.equal((await api.get('/api/v1/me')).status, 401);
    },
  );

  itOnSqlite(
    'issue 15: a block whose window ends as time passes lets the token in, and the clock set back into the window blocks it again',
    async () => {
      const ada = await server.advisor('Ada');
      const start = server.clock.now().getTime();
      other
        .prepare('INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, ?, ?)')
        .run(`auth-token:${hash('sha256', ada.token, 'hex')}`, 3, start + 60_000);
      assert.equal((await ada.api.get('/api/v1/me')).status, 429);
      server.clock.set(new Date(start + 61_000));
      // The first request after the window may touch the token's last use (a write); the next ones reuse.
      assert.equal((await ada.api.get('/api/v1/me')).status, 200);
      await withoutWrites(async () => {
        assert.equal((await ada.api.get('/api/v1/me')).status, 200);
        assert.equal((await ada.api.get('/api/v1/me')).status, 200);
        // An NTP step back into the window: the failures count again, as a read of the table says.
        server.clock.set(new Date(start + 30_000));
        assert.equal((await ada.api.get('/api/v1/me')).status, 429);
      });
    },
  );

  itOnSqlite(
    'issue 15: a reused token lookup is frozen: nothing can change who the next request is in place',
    async () => {
      const ada = await server.advisor('Ada');
      const tokenHash = hash('sha256', ada.token, 'hex');
      await server.repo.tokens.findByHash(tokenHash);
      const found = (await server.repo.tokens.findByHash(tokenHash))!;
      assert.throws(() => {
        (found.advisor as { role: string }).role = 'admin';
      }, TypeError);
      assert.throws(() => (found.advisor.teams as unknown[]).push({ id: 1 }), TypeError);
      assert.equal((await server.repo.tokens.findByHash(tokenHash))!.advisor.role, 'advisor');
    },
  );
});

/**
 * Issue 16: on PostgreSQL an instance reuses the token it found and the failed-sign-in counts it read clean while its
 * change stamp holds (server/repository/postgres/change-stamp.ts). A change through the instance itself applies to
 * its very next request; one through another instance (here: another connection, as another instance's or the admin
 * CLI's) to its next read within SIGN_IN_REUSE_MS, and to its next change at once. Each test makes one change after
 * priming, so no other write (a failed sign-in counted, say) moves the stamp for it.
 */
describe('issue 16: what sign-in reuses on PostgreSQL (SIGN_IN_REUSE_MS)', () => {
  let server: TestServer;
  let another: ReturnType<TestServer['anotherConnection']>;
  const start = async (reuseMs: number) => {
    server = await startTestServer({
      RATE_LIMIT_FAILED_AUTH: '3',
      RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: '5',
      SIGN_IN_REUSE_MS: String(reuseMs),
    });
    another = server.anotherConnection();
  };
  afterEach(() => server?.close());

  /** Two reads each, so that what the instance keeps of their tokens is in use when something changes. */
  async function primed(...advisors: { api: TestServer['client'] }[]) {
    for (let i = 0; i < 2; i++)
      for (const advisor of advisors) assert.equal((await advisor.api.get('/api/v1/me')).status, 200);
  }

  describe('within one period (SIGN_IN_REUSE_MS=60000)', () => {
    beforeEach(() => start(60_000));

    itOnPostgres(
      'issue 16: a token found is reused at the same stamp, and read again after a write through this instance',
      async () => {
        const ada = await server.advisor('Ada');
        const tokenHash = hash('sha256', ada.token, 'hex');
        const stamp = server.repo.changeStamp();
        const found = await server.repo.tokens.findByHash(tokenHash, stamp);
        await another.rows("UPDATE advisors SET display_name = 'Ada L.' WHERE id = ?", ada.record.id);
        assert.equal(await server.repo.tokens.findByHash(tokenHash, stamp), found, 'the same frozen record');
        assert.equal(server.repo.changeStamp(), stamp, "another connection's write does not move it");
        assert.notEqual(server.repo.changeStamp({ exact: true }), stamp);

        await server.repo.advisors.setPreferences(ada.record.id, { timeZone: 'Europe/Paris' });
        assert.notEqual(server.repo.changeStamp(), stamp);
        const read = (await server.repo.tokens.findByHash(tokenHash, server.repo.changeStamp()))!;
        assert.deepEqual([read.advisor.displayName, read.advisor.timeZone], ['Ada L.', 'Europe/Paris']);
      },
    );

    itOnPostgres(
      "issue 16: a token's last use, written, is kept with the token and does not move the stamp",
      async () => {
        const ada = await server.advisor('Ada');
        const tokenHash = hash('sha256', ada.token, 'hex');
        const stamp = server.repo.changeStamp();
        const found = (await server.repo.tokens.findByHash(tokenHash, stamp))!;
        const at = new Date(Date.parse(WEDNESDAY) + 3_600_000).toISOString();
        await server.repo.tokens.touch(found.id, at);
        assert.equal(server.repo.changeStamp(), stamp);
        const kept = (await server.repo.tokens.findByHash(tokenHash, stamp))!;
        assert.equal(kept.lastUsedAt, at);
        assert.deepEqual({ ...kept, lastUsedAt: null }, { ...found, lastUsedAt: null });
        assert.ok(Object.isFrozen(kept));
        assert.equal((await server.repo.tokens.findByHash(tokenHash))!.lastUsedAt, at, 'as stored');
      },
    );

    itOnPostgres('issue 16: a revocation through this instance applies to its very next request', async () => {
      const bea = await server.advisor('Bea');
      await primed(bea);
      const [token] = await server.repo.tokens.listFor(bea.record.id);
      await server.repo.tokens.revoke(token.id, new Date().toISOString());
      assert.equal((await bea.api.get('/api/v1/me')).status, 401);
    });

    itOnPostgres('issue 16: a deactivation through this instance applies to its very next request', async () => {
      const cid = await server.advisor('Cid');
      await primed(cid);
      await server.repo.advisors.update(cid.record.id, { active: false }, { kind: 'system', at: WEDNESDAY });
      assert.equal((await cid.api.get('/api/v1/me')).status, 401);
    });

    itOnPostgres('issue 16: a team change through this instance applies to its very next request', async () => {
      const dee = await server.advisor('Dee');
      await primed(dee);
      const team = await server.repo.teams.create('East desk', [dee.record.id], null);
      assert.deepEqual((await dee.api.get('/api/v1/me')).body.teams, [{ id: team.id, name: 'East desk' }]);
    });

    itOnPostgres("issue 16: this instance's own failed sign-ins block its very next request", async () => {
      const gus = await server.advisor('Gus');
      await primed(gus);
      // The address's fifth failure: Gus's good token, from the same address and checked clean a moment ago, waits.
      for (let i = 0; i < 5; i++) assert.equal((await server.client.as(`rgd_wrong${i}`).get('/api/v1/me')).status, 401);
      assert.equal((await gus.api.get('/api/v1/me')).status, 429);
    });

    itOnPostgres(
      'issue 16: a change is decided on the caller as stored now: a deactivated advisor or a demoted admin changes nothing, even while reads are still answered',
      async () => {
        const [kim, ada] = [await server.advisor('Kim'), await server.advisor('Ada', 'admin')];
        await server.advisor('Zoe', 'admin'); // so that Ada is not the last admin
        await primed(kim, ada);
        await another.rows('UPDATE advisors SET active = false WHERE id = ?', kim.record.id);
        await another.rows("UPDATE advisors SET role = 'advisor' WHERE id = ?", ada.record.id);
        // Reads within the period may still be answered from what the instance found (that is the reuse)...
        assert.equal((await kim.api.get('/api/v1/me')).status, 200);
        assert.equal((await ada.api.get('/api/v1/me')).body.role, 'admin');
        // ...but no change is: a removed admin cannot restore themselves, nor a deactivated advisor write.
        assert.equal((await kim.api.patch('/api/v1/me/preferences', { timeZone: 'Europe/Paris' })).status, 401);
        const restore = await ada.api.patch(`/api/v1/advisors/${ada.record.id}`, { role: 'admin' });
        assert.equal(restore.status, 403);
        assert.equal(await another.value('SELECT role FROM advisors WHERE id = ?', ada.record.id), 'advisor');
      },
    );
  });

  describe('across instances (SIGN_IN_REUSE_MS=400)', () => {
    const REUSE_MS = 400;
    /** What a noisy machine may add to REUSE_MS before a change through another instance shows. */
    const SLACK_MS = 1000;
    beforeEach(() => start(REUSE_MS));

    /** Milliseconds until `request` answers `status`, asked again every 20 ms (a failure after 5 s). */
    async function msUntil(status: number, request: () => Promise<{ status: number }>): Promise<number> {
      const since = Date.now();
      while (Date.now() - since < 5000) {
        if ((await request()).status === status) return Date.now() - since;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.fail(`no ${status} within 5 s`);
    }

    const changes: [string, (advisor: { record: { id: number }; token: string }) => Promise<unknown>, number][] = [
      [
        'a revocation',
        (advisor) =>
          another.rows('UPDATE access_tokens SET revoked_at = now() WHERE advisor_id = ?', advisor.record.id),
        401,
      ],
      [
        'a deactivation',
        (advisor) => another.rows('UPDATE advisors SET active = false WHERE id = ?', advisor.record.id),
        401,
      ],
      [
        "a block of the token's failures",
        (advisor) =>
          another.rows(
            'INSERT INTO rate_limits (key, hits, reset_at) VALUES (?, ?, ?)',
            `auth-token:${hash('sha256', advisor.token, 'hex')}`,
            3,
            server.clock.now().getTime() + 60_000,
          ),
        429,
      ],
    ];
    for (const [change, make, status] of changes)
      itOnPostgres(`issue 16: ${change} through another instance applies here within SIGN_IN_REUSE_MS`, async () => {
        const eve = await server.advisor('Eve');
        await primed(eve);
        await make(eve);
        const took = await msUntil(status, () => eve.api.get('/api/v1/me'));
        assert.ok(took < REUSE_MS + SLACK_MS, `${took} ms`);
        assert.equal((await eve.api.get('/api/v1/me')).status, status, 'and from then on');
      });
  });
});
