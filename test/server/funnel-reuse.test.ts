import assert from 'node:assert/strict';
import type { ReportJobName } from '../../server/repository/sqlite/report-jobs';
import type { Funnel } from '../../shared/schemas/reports';
import { changeFromAnotherProcess, startReportTeam, type ReportTeamClient } from '../helpers/report-team';
import { itOnSqlite, referral, type TestServer } from '../helpers/test-server';

type Client = ReportTeamClient;

/**
 * Issue 15: an owner-scoped funnel (me, team) is reused while nothing in its scope changed (the owners' funnel
 * versions of migration 027) and for at most REPORT_CACHE_SECONDS; a change saved before a request always shows.
 * The owner-scoped reuse and the report worker whose computations are counted are SQLite's: on PostgreSQL an
 * owner-scoped report is read afresh, and only what a change shows is tested. Firm-wide answers are reused on both.
 */
describe('funnel reuse: owner-scoped answers while nothing in scope changed (issue 15)', () => {
  let server: TestServer;
  let manager: Client;
  let olive: Client;
  let pete: Client;
  const computed: ReportJobName[] = [];

  const start = async (cacheSeconds: string) => {
    ({ server, manager, olive, pete } = await startReportTeam(cacheSeconds, computed));
  };
  beforeEach(() => {
    computed.length = 0;
  });
  afterEach(() => server.close());

  const funnel = async (who: Client, scope: 'me' | 'team') => {
    const res = await who.api.get(`/api/v1/reports/funnel?scope=${scope}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Funnel;
  };
  const reached = (answer: Funnel) => answer.stages[0].reached;
  const funnels = () => computed.filter((name) => name === 'funnelSummary').length;
  /** The report worker's computations so far (SQLite's worker; PostgreSQL has none to count). */
  const assertComputed = (count: number, message?: string) => {
    if (server.backend === 'sqlite') assert.equal(funnels(), count, message);
  };

  itOnSqlite(
    'an advisor’s own funnel is reused while nothing in scope changed, for at most REPORT_CACHE_SECONDS, with asOf when it was read',
    async () => {
      await start('60');
      const read = server.clock.now().toISOString();
      const first = await funnel(olive, 'me');
      assert.equal(first.asOf, read);
      server.clock.advance(59_000);
      // Another advisor's change is outside Olive's scope: her answer is the one read before, with its time.
      assert.equal(
        (await pete.api.post('/api/v1/opportunities', referral('Other', 'other@client.example'))).status,
        201,
      );
      assert.deepEqual(await funnel(olive, 'me'), first);
      assert.equal(funnels(), 1);
      server.clock.advance(1_000);
      const fresh = await funnel(olive, 'me');
      assert.equal(fresh.asOf, server.clock.now().toISOString());
      assert.equal(funnels(), 2);
    },
  );

  itOnSqlite('many advisors’ own funnels never push the firm-wide answer out of the cache', async () => {
    await start('60');
    const admin = await server.advisor('Ada Admin', 'admin');
    const firm = async () => assert.equal((await admin.api.get('/api/v1/reports/funnel?scope=all')).status, 200);
    await firm();
    assert.equal(funnels(), 1);
    for (let i = 0; i < 60; i++) await funnel(await server.advisor(`Advisor ${i}`), 'me');
    assert.equal(funnels(), 61);
    await firm();
    assert.equal(funnels(), 61, 'the firm-wide answer was still cached');
  });

  it('read-your-writes, me: a change, then the report shows it at once', async () => {
    await start('60');
    assert.equal(reached(await funnel(olive, 'me')), 1);
    assert.equal((await olive.api.post('/api/v1/opportunities', referral('Mine', 'mine@client.example'))).status, 201);
    const after = await funnel(olive, 'me');
    assert.equal(reached(after), 2);
    assert.equal(after.asOf, server.clock.now().toISOString());
    assertComputed(2);
  });

  it('read-your-writes, a manager’s team: a member’s change, then the team report shows it at once', async () => {
    await start('60');
    assert.equal(reached(await funnel(manager, 'team')), 2);
    assert.equal(reached(await funnel(manager, 'team')), 2);
    assertComputed(1, 'reused while nothing changed');
    assert.equal((await pete.api.post('/api/v1/opportunities', referral('Team', 'team@client.example'))).status, 201);
    assert.equal(reached(await funnel(manager, 'team')), 3);
    // A reassignment within the team changes both owners: the team's counts stay, each advisor's own move at once.
    const id = await server.value<number>('SELECT id FROM opportunities WHERE owner_id = ?', olive.record.id);
    assert.deepEqual([reached(await funnel(olive, 'me')), reached(await funnel(pete, 'me'))], [1, 2]);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: pete.record.id })).status, 200);
    assert.deepEqual([reached(await funnel(olive, 'me')), reached(await funnel(pete, 'me'))], [0, 3]);
    assert.equal(reached(await funnel(manager, 'team')), 3);
  });

  it('read-your-writes across processes: a change by another process on the same file shows at once', async () => {
    await start('60');
    assert.equal(reached(await funnel(olive, 'me')), 1);
    assert.equal(reached(await funnel(pete, 'me')), 1);
    // Another process (an admin tool, a second server) moves Olive's opportunity to Pete in the same file (on
    // PostgreSQL, the same database, through a connection of its own).
    const statement = 'UPDATE opportunities SET owner_id = ? WHERE owner_id = ?';
    if (server.backend === 'sqlite') changeFromAnotherProcess(server, statement, pete.record.id, olive.record.id);
    else await server.anotherConnection().rows(statement, pete.record.id, olive.record.id);
    assert.equal(reached(await funnel(olive, 'me')), 0);
    assert.equal(reached(await funnel(pete, 'me')), 2);
  });

  itOnSqlite('REPORT_CACHE_SECONDS=0 computes every owner-scoped funnel', async () => {
    await start('0');
    await funnel(olive, 'me');
    await funnel(olive, 'me');
    await funnel(manager, 'team');
    await funnel(manager, 'team');
    assert.equal(funnels(), 4);
  });

  for (const cacheSeconds of ['60', '0'])
    it(`a firm-wide funnel and stage report (scope=all) with REPORT_CACHE_SECONDS=${cacheSeconds}: reused for that long (0: never) with the asOf they were read at, then read again`, async () => {
      await start(cacheSeconds);
      const admin = await server.advisor('Ada Admin', 'admin');
      const firm = async () => {
        const funnelRes = await admin.api.get('/api/v1/reports/funnel?scope=all');
        const stagesRes = await admin.api.get('/api/v1/reports/stages?scope=all');
        assert.equal(funnelRes.status, 200, JSON.stringify(funnelRes.body));
        assert.equal(stagesRes.status, 200, JSON.stringify(stagesRes.body));
        const stages = stagesRes.body as { asOf: string; rows: { count: number }[] };
        return {
          funnel: funnelRes.body as Funnel,
          stages,
          opportunities: stages.rows.reduce((sum, row) => sum + row.count, 0),
        };
      };
      const read = server.clock.now().toISOString();
      const first = await firm();
      assert.equal(first.funnel.asOf, read);
      assert.equal(first.stages.asOf, read);
      assert.equal(reached(first.funnel), 2);
      assert.equal(first.opportunities, 2);
      assert.equal((await pete.api.post('/api/v1/opportunities', referral('New', 'new@client.example'))).status, 201);
      server.clock.advance(59_000);
      const within = await firm();
      if (cacheSeconds === '60') {
        // The answers read before, with their time: the new opportunity is not in them yet.
        assert.deepEqual(within.funnel, first.funnel);
        assert.deepEqual(within.stages, first.stages);
      } else {
        assert.equal(within.funnel.asOf, server.clock.now().toISOString());
        assert.equal(reached(within.funnel), 3);
        assert.equal(within.opportunities, 3);
      }
      server.clock.advance(1_000);
      const later = await firm();
      assert.equal(later.funnel.asOf, server.clock.now().toISOString());
      assert.equal(later.stages.asOf, server.clock.now().toISOString());
      assert.equal(reached(later.funnel), 3);
      assert.equal(later.opportunities, 3);
      // A clock set back (a corrected server time) reads again rather than answer from the future.
      server.clock.advance(-30_000);
      assert.equal((await firm()).funnel.asOf, server.clock.now().toISOString());
    });
});
