import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { openPostgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { createPostgresRepository } from '../../server/repository/postgres';
import type { Repository } from '../../server/repository/repository';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';
import { TestClient } from '../helpers/api-client';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { emailItem, referral } from '../helpers/test-server';

/** A storage for the servers: its repository (for setting up), the environment that points a server at it, and its removal. */
interface SharedStorage {
  repo: Repository;
  env: Record<string, string>;
  remove(): Promise<void>;
}

/**
 * Issues 11 and 16, atomic rules across processes: two servers on one storage (as a firm runs them behind a load
 * balancer) get conflicting requests at the same moment. The rules hold in the database, not in one process's memory:
 * on one SQLite file, and on one PostgreSQL database with several stateless instances.
 */
function describeTwoProcesses(title: string, open: (dir: string) => Promise<SharedStorage>) {
  describe(title, function () {
    this.timeout(90_000);
    let dir: string;
    let storage: SharedStorage;
    const servers: ChildServer[] = [];
    let owner: { a: TestClient; b: TestClient };
    let manager: { a: TestClient; b: TestClient };
    let admin: { a: TestClient; b: TestClient };
    let leavers: { id: number; a: TestClient; b: TestClient }[];

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-two-'));
      storage = await open(dir);
      const { repo } = storage;
      const tokenOf = async (email: string, role: 'advisor' | 'manager' | 'admin') => {
        const advisor = await repo.advisors.create({ email, displayName: email.split('@')[0], role }, null);
        return { id: advisor.id, token: (await issueAccessToken(repo, advisor.id, 'test', new Date())).token };
      };
      const ownerAccount = await tokenOf('olive@firm.example', 'advisor');
      const managerAccount = await tokenOf('max@firm.example', 'manager');
      const adminAccount = await tokenOf('ada@firm.example', 'admin');
      const leaverAccounts = [
        await tokenOf('lee@firm.example', 'advisor'),
        await tokenOf('lou@firm.example', 'advisor'),
      ];
      await repo.teams.create('North', [ownerAccount.id, managerAccount.id], null);
      await repo.close();
      const env = { ...storage.env, TLS: 'off', WRITE_WAIT_MS: '5000' };
      servers.push(...(await Promise.all([startChildServer(env), startChildServer(env)])));
      const on = (token: string) => ({
        a: new TestClient(servers[0].url, token),
        b: new TestClient(servers[1].url, token),
      });
      owner = on(ownerAccount.token);
      manager = on(managerAccount.token);
      admin = on(adminAccount.token);
      leavers = leaverAccounts.map((account) => ({ id: account.id, ...on(account.token) }));
    });

    after(async () => {
      for (const server of servers) server.child.kill('SIGTERM');
      await Promise.all(servers.splice(0).map((server) => server.exited));
      await storage.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('refuses an advisor deactivated through one instance at once there, and on the other within SIGN_IN_REUSE_MS', async () => {
      // The other instance reuses the token it checked for at most SIGN_IN_REUSE_MS (1 s by default) on PostgreSQL; on
      // one SQLite file every process sees the change at once. A noisy machine may add to that.
      const bound = 'DATABASE_URL' in storage.env ? 1000 + 1000 : 0;
      for (const [leaver, through, other] of [
        [leavers[0], 'a', 'b'],
        [leavers[1], 'b', 'a'],
      ] as const) {
        for (let i = 0; i < 3; i++) {
          assert.equal((await leaver.a.get('/api/v1/me')).status, 200);
          assert.equal((await leaver.b.get('/api/v1/me')).status, 200);
        }
        const deactivated = await admin[through].patch(`/api/v1/advisors/${leaver.id}`, { active: false });
        assert.equal(deactivated.status, 200);
        const at = Date.now();
        assert.equal((await leaver[through].get('/api/v1/me')).status, 401, 'at once, through the same instance');
        while ((await leaver[other].get('/api/v1/me')).status !== 401) {
          assert.ok(
            Date.now() - at <= bound,
            `the other instance still let the deactivated advisor in after ${bound} ms`,
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        assert.equal((await leaver[other].get('/api/v1/me')).status, 401, 'and from then on');
      }
    });

    it('closes the same opportunity on both at once: exactly one outcome wins, the other is 409', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 12; i++) {
        const created = await owner.a.post('/api/v1/opportunities', referral(`Race ${i}`, `race${i}@client.example`));
        assert.equal(created.status, 201);
        ids.push(created.body.opportunity.id);
      }
      const results = await Promise.all(
        ids.map(async (id) => {
          const [won, lost] = await Promise.all([
            owner.a.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' }),
            manager.b.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' }),
          ]);
          return { id, won: won.status, lost: lost.status };
        }),
      );
      for (const { id, won, lost } of results) {
        assert.deepEqual([won, lost].sort(), [200, 409], `opportunity ${id}: ${won} / ${lost}`);
        const status = (await owner.b.get(`/api/v1/opportunities/${id}`)).body.opportunity.status;
        assert.equal(status, won === 200 ? 'won' : 'lost');
      }
    });

    it('creates once for the same Idempotency-Key sent to both at once', async () => {
      const body = referral('Sent twice', 'twice@client.example');
      const [first, second] = await Promise.all([
        owner.a.post('/api/v1/opportunities', body, { 'Idempotency-Key': 'two-processes-1' }),
        owner.b.post('/api/v1/opportunities', body, { 'Idempotency-Key': 'two-processes-1' }),
      ]);
      assert.deepEqual([first.status, second.status].sort(), [200, 201]);
      assert.equal(first.body.opportunity.id, second.body.opportunity.id);
      const listed = await owner.a.get('/api/v1/opportunities?q=Sent%20twice');
      assert.equal(listed.body.items.length, 1);
    });

    it('records one activity for the same email linked on both at once', async () => {
      const created = await owner.a.post('/api/v1/opportunities', referral('One email', 'one@client.example'));
      const opportunityId = created.body.opportunity.id as number;
      const item = emailItem('<same-message@client.example>');
      const [first, second] = await Promise.all([
        owner.a.post('/api/v1/activities/regarding', { item, opportunityId }),
        manager.b.post('/api/v1/activities/regarding', { item, opportunityId }),
      ]);
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(first.body.id, second.body.id);
      const timeline = (await owner.b.get(`/api/v1/opportunities/${opportunityId}`)).body.activities;
      assert.equal(timeline.length, 1);
    });

    it('loses no update when both change the same opportunity at once: one waits, re-reads and lands after', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 8; i++) {
        const created = await owner.a.post('/api/v1/opportunities', referral(`Both ${i}`, `both${i}@client.example`));
        ids.push(created.body.opportunity.id);
      }
      /** PATCHes with the version read just before, again after a conflict (as the pane does), until it lands. */
      const change = async (api: TestClient, id: number, body: Record<string, unknown>) => {
        for (let attempt = 0; attempt < 10; attempt++) {
          const version = (await api.get(`/api/v1/opportunities/${id}`)).body.opportunity.version as number;
          const res = await api.patch(`/api/v1/opportunities/${id}`, body, { 'If-Match': `"${version}"` });
          if (res.status === 200) return attempt;
          assert.ok([409, 412].includes(res.status), `${res.status} ${JSON.stringify(res.body)}`);
        }
        throw new Error(`opportunity ${id}: the change never landed`);
      };
      await Promise.all(
        ids.flatMap((id) => [
          change(owner.a, id, { description: `Notes on ${id}` }),
          change(manager.b, id, { estimatedValue: id * 1000 }),
        ]),
      );
      for (const id of ids) {
        const { opportunity } = (await owner.b.get(`/api/v1/opportunities/${id}`)).body;
        assert.equal(opportunity.description, `Notes on ${id}`);
        assert.equal(opportunity.estimatedValue, id * 1000);
      }
    });

    it('makes no duplicates when many clients on both create with their keys and link the same emails at once', async () => {
      const keys = Array.from({ length: 10 }, (_, i) => `many-${i}`);
      const created = await Promise.all(
        keys.flatMap((key) =>
          [owner.a, owner.b, owner.a].map((api) =>
            api.post('/api/v1/opportunities', referral(`Many ${key}`, `${key}@client.example`), {
              'Idempotency-Key': key,
            }),
          ),
        ),
      );
      for (const res of created) assert.ok([200, 201].includes(res.status), JSON.stringify(res.body));
      assert.equal(created.filter((res) => res.status === 201).length, keys.length, 'one made per key');
      const byKey = new Set(created.map((res) => res.body.opportunity.id as number));
      assert.equal(byKey.size, keys.length);
      const [target] = [...byKey];
      const links = await Promise.all(
        [0, 1, 2, 3].flatMap((n) =>
          [owner.a, manager.b, owner.b, manager.a].map((api) =>
            api.post('/api/v1/activities/regarding', {
              item: emailItem(`<many-${n}@client.example>`),
              opportunityId: target,
            }),
          ),
        ),
      );
      for (const res of links) assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(new Set(links.map((res) => res.body.id as number)).size, 4, 'one activity per email');
      const timeline = (await manager.a.get(`/api/v1/opportunities/${target}`)).body.activities;
      assert.equal(timeline.length, 4);
    });
  });
}

describeTwoProcesses('two server processes on one database file', (dir) => {
  const file = path.join(dir, 'regarding.db');
  const db = openDatabase(file);
  migrate(db);
  return Promise.resolve({
    repo: createSqliteRepository(db),
    env: { DATABASE_FILE: file },
    remove: () => Promise.resolve(),
  });
});

describeOnPostgres('two stateless instances on one PostgreSQL database', () => {
  describeTwoProcesses('two server processes on one PostgreSQL database', async (dir) => {
    const database = await freshPostgresDatabase();
    const pool = openPostgres(database.url);
    await migratePostgres(pool);
    return {
      repo: createPostgresRepository(pool),
      env: { DATABASE_URL: database.url, DATABASE_FILE: path.join(dir, 'regarding.db') },
      remove: () => database.drop(),
    };
  });
});
