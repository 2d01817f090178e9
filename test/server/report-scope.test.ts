import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

/** The reports that take a scope, each asked the same way. */
const REPORTS = [
  '/api/v1/reports/stages',
  '/api/v1/reports/funnel',
  '/api/v1/reports/points',
  '/api/v1/work/needs-attention',
] as const;

describe('Report scopes, one rule for every report (issue 14 review)', () => {
  let server: TestServer;
  let member: Client;
  let manager: Client;
  let outsider: Client;
  let admin: Client;

  beforeEach(async () => {
    server = await startTestServer();
    server.clock.set('2026-11-20T16:00:00.000Z');
    member = await server.advisor('Max Member');
    manager = await server.advisor('Mia Manager', 'manager');
    outsider = await server.advisor('Sam Southgate');
    admin = await server.advisor('Ada Admin', 'admin');
    await server.repo.teams.create('North', [member.record.id, manager.record.id], null);
    await server.repo.teams.create('South', [outsider.record.id], null);
    for (const [who, topic] of [
      [member, 'Rollover'],
      [manager, 'Pension'],
      [outsider, 'Savings'],
    ] as const) {
      const res = await who.api.post('/api/v1/opportunities', referral(topic, `${topic.toLowerCase()}@client.example`));
      assert.equal(res.status, 201);
    }
  });
  afterEach(() => server.close());

  it('team only for a manager and all only for an admin, in every report; the refusal names no one', async () => {
    for (const path of REPORTS) {
      const refused: [Client, string][] = [
        [member, 'team'],
        [admin, 'team'],
        [outsider, 'team'],
      ];
      if (path !== '/api/v1/work/needs-attention') refused.push([member, 'all'], [manager, 'all']);
      for (const [who, scope] of refused) {
        const res = await who.api.get(`${path}?scope=${scope}`);
        assert.equal(res.status, 403, `${path}?scope=${scope} as ${who.record.displayName}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.doesNotMatch(String(res.body.detail), /Max|Mia|Sam|Ada|North|South/, res.body.detail);
      }
      assert.equal((await manager.api.get(`${path}?scope=team`)).status, 200, path);
      assert.equal((await member.api.get(`${path}?scope=me`)).status, 200, path);
      if (path !== '/api/v1/work/needs-attention') assert.equal((await admin.api.get(`${path}?scope=all`)).status, 200);
    }
  });

  it("each report's team is the members of the manager's teams, and all is everyone", async () => {
    const count = async (path: string, who: Client, scope: string) => {
      const res = await who.api.get(`${path}?scope=${scope}`);
      assert.equal(res.status, 200, `${path}?scope=${scope}`);
      const body = res.body;
      if (path.endsWith('/stages')) return (body.rows as { count: number }[]).reduce((sum, row) => sum + row.count, 0);
      if (path.endsWith('/funnel')) return (body.stages as { reached: number }[])[0].reached;
      if (path.endsWith('/points')) return (body.advisors as unknown[]).length;
      return (body.items as unknown[]).length;
    };
    for (const path of REPORTS) {
      assert.equal(await count(path, member, 'me'), 1, `${path} me`);
      assert.equal(await count(path, manager, 'team'), 2, `${path} team`);
    }
    // Needs attention has no all scope; the admin owns nothing, so everyone is the three advisors' (points: four).
    assert.equal(await count('/api/v1/reports/stages', admin, 'all'), 3);
    assert.equal(await count('/api/v1/reports/funnel', admin, 'all'), 3);
    assert.equal(await count('/api/v1/reports/points', admin, 'all'), 4);
  });
});
