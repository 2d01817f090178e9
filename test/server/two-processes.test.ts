import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { TestClient } from '../helpers/api-client';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { emailItem, referral } from '../helpers/test-server';

/**
 * Issue 11, atomic rules across processes: two servers on one SQLite file (as a firm might run behind
 * a load balancer) get conflicting requests at the same moment. The rules hold in the database, not
 * in one process's memory.
 */
describe('two server processes on one database file', function () {
  this.timeout(90_000);
  let dir: string;
  const servers: ChildServer[] = [];
  let owner: { a: TestClient; b: TestClient };
  let manager: { a: TestClient; b: TestClient };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-two-'));
    const file = path.join(dir, 'regarding.db');
    const setup = openDatabase(file);
    migrate(setup);
    const repo = createSqliteRepository(setup);
    const tokenOf = async (email: string, role: 'advisor' | 'manager') => {
      const advisor = await repo.advisors.create({ email, displayName: email.split('@')[0], role }, null);
      return { id: advisor.id, token: (await issueAccessToken(repo, advisor.id, 'test', new Date())).token };
    };
    const ownerAccount = await tokenOf('olive@firm.example', 'advisor');
    const managerAccount = await tokenOf('max@firm.example', 'manager');
    await repo.teams.create('North', [ownerAccount.id, managerAccount.id], null);
    await repo.close();
    const env = { DATABASE_FILE: file, TLS: 'off', WRITE_WAIT_MS: '5000' };
    servers.push(...(await Promise.all([startChildServer(env), startChildServer(env)])));
    const on = (token: string) => ({
      a: new TestClient(servers[0].url, token),
      b: new TestClient(servers[1].url, token),
    });
    owner = on(ownerAccount.token);
    manager = on(managerAccount.token);
  });

  after(async () => {
    for (const server of servers) server.child.kill('SIGTERM');
    await Promise.all(servers.map((server) => server.exited));
    fs.rmSync(dir, { recursive: true, force: true });
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
});
