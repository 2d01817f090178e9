import assert from 'node:assert/strict';
import {
  FIRM_TOTALS_BACKFILL,
  OPEN_STAGE_DAYS_BACKFILL,
  OPEN_STAGE_MONTHS_BACKFILL,
  STAGE_TOTALS_BACKFILL,
} from '../../server/db/migrations/025_report_totals';
import { STAGES } from '../../shared/schemas/opportunities';
import type { StageReport } from '../../shared/schemas/work';
import { patchOpportunity, referral, startTestServer, type TestServer } from '../helpers/test-server';
import { deleteOpportunity } from '../helpers/delete-opportunity';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

const DAY = 86_400_000;
const START = Date.parse('2026-08-03T09:00:00.000Z');

/**
 * The stage report computed from the raw rows, as it was before migration 25 (every opportunity in scope read and
 * reduced here): values summed to the cent, days in stage from each open one's entry time.
 */
async function computed(
  server: TestServer,
  ownerIds: number[] | null,
  scope: StageReport['scope'],
  now: number,
): Promise<StageReport> {
  const rows = (
    await server.rows<{
      owner_id: number;
      stage: (typeof STAGES)[number];
      status: 'open' | 'won' | 'lost';
      estimated_value: number | null;
      actual_value: number | null;
      stage_entered_at: string;
    }>('SELECT owner_id, stage, status, estimated_value, actual_value, stage_entered_at FROM opportunities')
  ).filter((row) => ownerIds === null || ownerIds.includes(row.owner_id));
  const groups = new Map<string, { count: number; estimated: number; actual: number }>();
  for (const row of rows) {
    const key = `${row.stage} ${row.status}`;
    const group = groups.get(key) ?? { count: 0, estimated: 0, actual: 0 };
    group.count += 1;
    group.estimated += Math.round((row.estimated_value ?? 0) * 100);
    group.actual += Math.round((row.actual_value ?? 0) * 100);
    groups.set(key, group);
  }
  const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  return {
    scope,
    asOf: new Date(now).toISOString(),
    rows: STAGES.flatMap((stage) =>
      (['lost', 'open', 'won'] as const).flatMap((status) => {
        const group = groups.get(`${stage} ${status}`);
        return group
          ? [
              {
                stage,
                status,
                count: group.count,
                estimatedValue: group.estimated / 100,
                actualValue: group.actual / 100,
              },
            ]
          : [];
      }),
    ),
    daysInStage: STAGES.map((stage) => {
      const days = rows
        .filter((row) => row.status === 'open' && row.stage === stage)
        .map((row) => (now - Date.parse(row.stage_entered_at)) / DAY)
        .sort((a, b) => a - b);
      const middle = Math.floor(days.length / 2);
      const median = days.length === 0 ? null : days.length % 2 ? days[middle] : (days[middle - 1] + days[middle]) / 2;
      return { stage, open: days.length, medianDays: round1(median), maxDays: round1(days.at(-1) ?? null) };
    }),
  };
}

/**
 * Issue 15: the stage report's precomputed totals (migration 25) give exactly the answer computed from the raw rows,
 * for me, team and the firm, after every kind of change an opportunity goes through. The totals are SQLite's (on
 * PostgreSQL, the report is read from the opportunities): there, the answers are compared with the computed ones.
 */
describe('report totals: precomputed stage report equals the computed one (issue 15)', () => {
  let server: TestServer;
  let admin: Client;
  let manager: Client;
  let olive: Client;
  let pete: Client;
  let quinn: Client;

  before(async () => {
    server = await startTestServer();
    server.clock.set(new Date(START));
    admin = await server.advisor('Ada Admin', 'admin');
    manager = await server.advisor('Max Manager', 'manager');
    olive = await server.advisor('Olive Owner');
    pete = await server.advisor('Pete Peer');
    quinn = await server.advisor('Quinn Elsewhere');
    await server.repo.teams.create('North', [olive.record.id, pete.record.id, manager.record.id], null);
  });
  after(() => server.close());

  const later = (days: number) => server.clock.set(new Date(server.clock.now().getTime() + days * DAY));
  const create = async (who: Client, n: number, extra: Record<string, unknown> = {}) => {
    const res = await who.api.post('/api/v1/opportunities', referral(`Deal ${n}`, `c${n}@client.example`, extra));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.opportunity.id as number;
  };
  const patch = async (who: Client, id: number, body: Record<string, unknown>) => {
    const res = await patchOpportunity(who.api, id, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const post = async (who: Client, path: string, body?: Record<string, unknown>) => {
    const res = await who.api.post(path, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };

  /** The kept totals, and the same rebuilt from the opportunities by the migration's backfill. */
  const keptAndRebuilt = () => {
    const tables = [
      'stage_totals',
      'stage_totals_firm',
      'open_stage_months',
      'open_stage_months_firm',
      'open_stage_days_firm',
    ];
    const read = () =>
      Object.fromEntries(
        tables.map((table) => [
          table,
          server.db.prepare(`SELECT * FROM ${table} WHERE count <> 0 ORDER BY 1, 2, 3`).all(),
        ]),
      );
    const kept = read();
    server.db.transaction(() => {
      for (const table of tables) server.db.exec(`DELETE FROM ${table}`);
      const range = { from: 0, to: Number.MAX_SAFE_INTEGER };
      server.db.prepare(STAGE_TOTALS_BACKFILL).run(range);
      server.db.prepare(OPEN_STAGE_MONTHS_BACKFILL).run(range);
      server.db.prepare(OPEN_STAGE_DAYS_BACKFILL).run(range);
      server.db.exec(FIRM_TOTALS_BACKFILL);
    })();
    return { kept, rebuilt: read() };
  };

  const agree = async (step: string) => {
    const now = server.clock.now().getTime();
    if (server.backend === 'sqlite') {
      const { kept, rebuilt } = keptAndRebuilt();
      assert.deepEqual(kept, rebuilt, `${step}: kept totals = rebuilt`);
    }
    for (const who of [olive, pete, quinn]) {
      const res = await who.api.get('/api/v1/reports/stages?scope=me');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, await computed(server, [who.record.id], 'me', now), `${step}: me`);
    }
    const team = await manager.api.get('/api/v1/reports/stages?scope=team');
    assert.deepEqual(
      team.body,
      await computed(server, await server.repo.advisors.teammateIds(manager.record.id), 'team', now),
      `${step}: team`,
    );
    const all = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.deepEqual(all.body, await computed(server, null, 'all', now), `${step}: all`);
    return all.body;
  };

  it('precomputed = computed after create, stage change, close won and lost, reopen, reassign, value and date changes, delete', async () => {
    // Opportunities entered across months (the totals count entries per month), with values in cents.
    const ids: number[] = [];
    for (let n = 0; n < 24; n++) {
      const who = [olive, pete, quinn][n % 3];
      ids.push(await create(who, n, n % 4 === 0 ? {} : { estimatedValue: 1000 + n * 250.25 }));
      later(n % 5 === 0 ? 0 : 9.3);
    }
    const seeded = await agree('after creates');
    assert.ok(seeded.daysInStage[0].open === 24 && seeded.daysInStage[0].medianDays! > 0);
    const owned = async (who: Client) =>
      (
        await server.rows<{ id: number }>(
          "SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' ORDER BY id",
          who.record.id,
        )
      ).map((row) => row.id);

    const [o1, o2, o3, o4, o5] = await owned(olive);
    await patch(olive, o1, { stage: 'develop' });
    later(3);
    await patch(olive, o2, { stage: 'propose' });
    await patch(olive, o3, { stage: 'develop' });
    later(40);
    await patch(olive, o3, { stage: 'close' });
    const moved = await agree('after stage changes');
    assert.ok(moved.daysInStage.filter((row) => row.open > 0).length >= 3);

    later(2);
    await post(olive, `/api/v1/opportunities/${o2}/close`, { outcome: 'won', actualValue: 2500.1 });
    await post(olive, `/api/v1/opportunities/${o4}/close`, { outcome: 'lost' });
    const closed = await agree('after closes won and lost');
    assert.ok(closed.rows.some((row) => row.status === 'won' && row.actualValue === 2500.1));
    assert.ok(closed.rows.some((row) => row.status === 'lost'));

    later(5);
    await post(olive, `/api/v1/opportunities/${o4}/reopen`);
    await agree('after a reopen');

    await post(olive, `/api/v1/opportunities/${o5}/assign`, { ownerId: quinn.record.id });
    await post(olive, `/api/v1/opportunities/${o1}/assign`, { ownerId: pete.record.id });
    await agree('after reassignments, out of the team and within it');

    const [p1] = await owned(pete);
    await patch(pete, p1, { estimatedValue: 1234.56 });
    await patch(pete, (await owned(pete))[1], { estimatedValue: null });
    await patch(pete, (await owned(pete))[2], { estimatedCloseDate: '2027-01-15' });
    await agree('after estimated value and close date changes');

    // Opportunities are never deleted through the API; a row deleted with what refers to it takes its totals along.
    const gone = (await owned(quinn))[0];
    await deleteOpportunity(server, gone);
    await agree('after a delete');

    later(400);
    const final = await agree('a year on (the days grow, the totals do not change)');
    assert.ok(final.daysInStage.some((row) => row.open % 2 === 0 && row.open > 0));
    assert.ok(final.daysInStage.some((row) => row.open % 2 === 1));
  });
});
