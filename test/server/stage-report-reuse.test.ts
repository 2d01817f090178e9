import assert from 'node:assert/strict';
import type { ReportJobName } from '../../server/repository/sqlite/report-jobs';
import { stageReport as computeStageReport } from '../../server/repository/sqlite/stage-report';
import type { StageReport } from '../../shared/schemas/work';
import { changeFromAnotherProcess, startReportTeam, type ReportTeamClient } from '../helpers/report-team';
import { patchOpportunity, referral, type TestServer } from '../helpers/test-server';

type Client = ReportTeamClient;

/**
 * Issue 15: an advisor's or team's stage report is reused, like their funnel, while nothing it reads changed (the
 * owners' versions of migrations 027 and 029) and for at most REPORT_CACHE_SECONDS; a change saved before a request
 * always shows, from this process or another.
 */
describe('stage report reuse: owner-scoped answers while nothing in scope changed (issue 15)', () => {
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

  const report = async (who: Client, scope: 'me' | 'team') => {
    const res = await who.api.get(`/api/v1/reports/stages?scope=${scope}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as StageReport;
  };
  const reports = () => computed.filter((name) => name === 'stageReport').length;
  const idOf = (who: Client) =>
    server.db
      .prepare('SELECT id FROM opportunities WHERE owner_id = ? ORDER BY id')
      .pluck()
      .get(who.record.id) as number;
  /** What the answer's rows and open counts are when computed now, on the server's own connection. */
  const reference = (ownerIds: number[]) => {
    const data = computeStageReport(server.db, ownerIds, server.clock.now().toISOString());
    const rows = data.rows
      .map((row) => ({ ...row }))
      .sort((a, b) => `${a.stage}${a.status}`.localeCompare(`${b.stage}${b.status}`));
    return { rows, open: data.openStageDays.map(({ stage, open }) => ({ stage, open })) };
  };
  const shown = (answer: StageReport) => ({
    rows: [...answer.rows].sort((a, b) => `${a.stage}${a.status}`.localeCompare(`${b.stage}${b.status}`)),
    open: answer.daysInStage.map(({ stage, open }) => ({ stage, open })),
  });

  it('an advisor’s own stage report is reused while nothing in scope changed, for at most REPORT_CACHE_SECONDS, with asOf when it was read', async () => {
    await start('60');
    const read = server.clock.now().toISOString();
    const first = await report(olive, 'me');
    assert.equal(first.asOf, read);
    server.clock.advance(59_000);
    // Another advisor's change is outside Olive's scope: her answer is the one read before, with its time.
    assert.equal((await pete.api.post('/api/v1/opportunities', referral('Other', 'other@client.example'))).status, 201);
    assert.deepEqual(await report(olive, 'me'), first);
    assert.equal(reports(), 1);
    server.clock.advance(1_000);
    const fresh = await report(olive, 'me');
    assert.equal(fresh.asOf, server.clock.now().toISOString());
    assert.equal(reports(), 2);
  });

  it('read-your-writes: after a create, a stage change, a value change, close won and lost, reopen and a reassignment, me and team answers equal the computed ones at once', async () => {
    await start('60');
    const team = [olive.record.id, pete.record.id, manager.record.id];
    const check = async (step: string) => {
      assert.deepEqual(shown(await report(olive, 'me')), reference([olive.record.id]), `${step}: Olive's own`);
      assert.deepEqual(shown(await report(manager, 'team')), reference(team), `${step}: the team's`);
    };
    await check('at first');
    await check('nothing changed');
    assert.equal(reports(), 2, 'reused while nothing changed');
    assert.equal((await olive.api.post('/api/v1/opportunities', referral('Mine', 'mine@client.example'))).status, 201);
    await check('a create');
    const id = idOf(olive);
    const path = `/api/v1/opportunities/${id}`;
    assert.equal((await patchOpportunity(olive.api, id, { stage: 'develop' })).status, 200);
    await check('a stage change');
    assert.equal((await patchOpportunity(olive.api, id, { estimatedValue: 2500 })).status, 200);
    await check('an estimated value');
    assert.equal((await olive.api.post(`${path}/close`, { outcome: 'won', actualValue: 3000 })).status, 200);
    await check('closed won with its actual value');
    assert.equal((await olive.api.post(`${path}/reopen`)).status, 200);
    await check('reopened');
    assert.equal((await olive.api.post(`${path}/close`, { outcome: 'lost', reason: 'Went elsewhere' })).status, 200);
    await check('closed lost');
    const second = server.db
      .prepare("SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open'")
      .pluck()
      .get(olive.record.id) as number;
    assert.equal(
      (await olive.api.post(`/api/v1/opportunities/${second}/assign`, { ownerId: pete.record.id })).status,
      200,
    );
    await check('a reassignment');
    assert.deepEqual(shown(await report(pete, 'me')), reference([pete.record.id]), "the new owner's own");
  });

  it('read-your-writes across processes: a value or stage date changed by another process on the same file shows at once', async () => {
    await start('60');
    const before = await report(olive, 'me');
    assert.deepEqual(shown(before), reference([olive.record.id]));
    const change = (statement: string) => changeFromAnotherProcess(server, statement, olive.record.id);
    change('UPDATE opportunities SET estimated_value = 777 WHERE owner_id = ?');
    const valued = await report(olive, 'me');
    assert.deepEqual(shown(valued), reference([olive.record.id]));
    assert.notDeepEqual(shown(valued), shown(before));
    server.clock.advance(1_000);
    const read = server.clock.now().toISOString();
    change("UPDATE opportunities SET stage_entered_at = '2020-01-01T00:00:00.000Z' WHERE owner_id = ?");
    const dated = await report(olive, 'me');
    assert.equal(dated.asOf, read, 'computed again after the stage date changed');
    assert.ok((dated.daysInStage.find((row) => row.open > 0)?.maxDays ?? 0) > 365);
  });

  it('REPORT_CACHE_SECONDS=0 computes every owner-scoped stage report', async () => {
    await start('0');
    await report(olive, 'me');
    await report(olive, 'me');
    await report(manager, 'team');
    await report(manager, 'team');
    assert.equal(reports(), 4);
  });
});
