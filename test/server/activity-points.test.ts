import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { EARNED_POINTS } from '../../server/repository/sqlite/activity-points';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

interface Row {
  advisorId: number;
  displayName: string;
  points: number;
  quota: number | null;
  timeZone: string;
  from: string;
  to: string;
}

/**
 * Alex works in New York (UTC-4 until 1 November 2026), Kei in Tokyo (UTC+9): 23:30 on 31 October is November in
 * UTC for Alex and still October in UTC for Kei, so a month counted in UTC would be wrong for both.
 */
describe('Activity points against a monthly quota (issue 14)', () => {
  let server: TestServer;
  let alex: Client;
  let kei: Client;
  let sasha: Client;
  let morgan: Client;
  let ada: Client;
  let alexOpportunity: number;
  let keiOpportunity: number;
  let sashaOpportunity: number;
  let labels: Record<string, number>;

  beforeEach(async () => {
    server = await startTestServer();
    server.clock.set('2026-11-02T12:00:00.000Z');
    alex = await server.advisor('Alex Eastwood');
    kei = await server.advisor('Kei Tanaka');
    sasha = await server.advisor('Sasha Southgate');
    morgan = await server.advisor('Morgan Managerly', 'manager');
    ada = await server.advisor('Ada Adminsworth', 'admin');
    for (const [who, timeZone] of [
      [alex, 'America/New_York'],
      [kei, 'Asia/Tokyo'],
    ] as const) {
      assert.equal((await ada.api.patch(`/api/v1/advisors/${who.record.id}`, { timeZone })).status, 200);
    }
    const north = [alex.record.id, kei.record.id, morgan.record.id];
    assert.equal((await ada.api.post('/api/v1/teams', { name: 'North', memberIds: north })).status, 201);
    assert.equal((await ada.api.post('/api/v1/teams', { name: 'South', memberIds: [sasha.record.id] })).status, 201);
    alexOpportunity = (await alex.api.post('/api/v1/opportunities', referral('Rollover', 'rory@client.example'))).body
      .opportunity.id;
    keiOpportunity = (await kei.api.post('/api/v1/opportunities', referral('Pension', 'pat@client.example'))).body
      .opportunity.id;
    sashaOpportunity = (await sasha.api.post('/api/v1/opportunities', referral('Savings', 'sam@client.example'))).body
      .opportunity.id;
    const table = (await alex.api.get('/api/v1/activity-points')).body.entries as { id: number; key: string }[];
    labels = Object.fromEntries(table.map((entry) => [entry.key, entry.id]));
    const set = await ada.api.put('/api/v1/activity-points', {
      entries: [
        { labelId: labels['follow-up-call'], points: 5 },
        { labelId: labels.proposal, points: 10 },
        { labelId: labels.reached, points: 2 },
        { labelId: labels['no-answer'], points: 0 },
      ],
    });
    assert.equal(set.status, 200);
  });
  afterEach(() => server.close());

  const opportunityOf = (who: Client) =>
    who === kei ? keiOpportunity : who === sasha ? sashaOpportunity : alexOpportunity;
  const call = (who: Client, startAt: string, extra: Record<string, unknown> = {}) =>
    who.api.post('/api/v1/activities', {
      kind: 'phone_call',
      status: 'completed',
      subject: 'Call',
      startAt,
      opportunityId: opportunityOf(who),
      categoryId: labels['follow-up-call'],
      outcomeId: labels.reached,
      ...extra,
    });
  /** A task with the proposal category (10 points), completed at the server's clock at `at` unless left open. */
  const task = async (who: Client, at: string | null, status: 'completed' | 'canceled' = 'completed') => {
    const opportunityId = opportunityOf(who);
    const created = await who.api.post('/api/v1/activities', {
      kind: 'task',
      subject: 'Send the proposal',
      opportunityId,
      categoryId: labels.proposal,
    });
    assert.equal(created.status, 201);
    if (at !== null) {
      server.clock.set(at);
      assert.equal((await who.api.patch(`/api/v1/activities/${created.body.id}`, { status })).status, 200);
      server.clock.set('2026-11-02T12:00:00.000Z');
    }
    return created.body.id as number;
  };
  const report = async (who: Client, query: string) => {
    const res = await who.api.get(`/api/v1/reports/points?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { scope: string; month: string; advisors: Row[] };
  };
  const pointsOf = async (who: Client, month: string) => (await report(who, `scope=me&month=${month}`)).advisors[0];

  it("counts an activity completed at 23:30 local on the 31st in that month, in each advisor's own time zone", async () => {
    // New York 23:30 on 31 October is 03:30 UTC on 1 November: October for Alex.
    assert.equal((await call(alex, '2026-10-31T23:30:00-04:00')).status, 201);
    await task(alex, '2026-11-01T03:40:00.000Z'); // 23:40 on 31 October in New York
    await task(alex, '2026-11-01T12:00:00.000Z'); // November
    // Tokyo 23:30 on 31 October is 14:30 UTC on 31 October: October; 00:30 on 1 November is still 31 October in UTC.
    assert.equal((await call(kei, '2026-10-31T23:30:00+09:00')).status, 201);
    assert.equal((await call(kei, '2026-11-01T00:30:00+09:00', { outcomeId: labels['no-answer'] })).status, 201);

    const alexOctober = await pointsOf(alex, '2026-10');
    assert.equal(alexOctober.points, 7 + 10);
    assert.equal(alexOctober.from, '2026-10-01T04:00:00.000Z');
    assert.equal(alexOctober.to, '2026-11-01T04:00:00.000Z');
    assert.equal(alexOctober.timeZone, 'America/New_York');
    assert.equal((await pointsOf(alex, '2026-11')).points, 10);
    // November in New York ends at 05:00 UTC: the clocks went back on 1 November.
    assert.equal((await pointsOf(alex, '2026-11')).to, '2026-12-01T05:00:00.000Z');

    const keiOctober = await pointsOf(kei, '2026-10');
    assert.equal(keiOctober.points, 7);
    assert.equal(keiOctober.from, '2026-09-30T15:00:00.000Z');
    assert.equal(keiOctober.to, '2026-10-31T15:00:00.000Z');
    assert.equal((await pointsOf(kei, '2026-11')).points, 5);
  });

  it("reports the caller's current month in their own time zone when no month is given", async () => {
    server.clock.set('2026-11-01T02:00:00.000Z'); // 22:00 on 31 October in New York, 11:00 on 1 November in Tokyo
    assert.equal((await report(alex, 'scope=me')).month, '2026-10');
    assert.equal((await report(kei, 'scope=me')).month, '2026-11');
    // A manager's team report is in the manager's month (UTC here), each member's range in their own zone.
    const team = await report(morgan, 'scope=team');
    assert.equal(team.month, '2026-11');
    const alexRow = team.advisors.find((row) => row.advisorId === alex.record.id)!;
    assert.equal(alexRow.from, '2026-11-01T04:00:00.000Z');
  });

  it('never counts open or canceled activities, nor a completed task reopened', async () => {
    assert.equal((await call(alex, '2026-10-20T10:00:00.000Z', { status: 'open' })).status, 201);
    const canceledCall = await call(alex, '2026-10-21T10:00:00.000Z');
    assert.equal(
      (await alex.api.patch(`/api/v1/activities/${canceledCall.body.id}`, { status: 'canceled' })).status,
      200,
    );
    await task(alex, null);
    await task(alex, '2026-10-22T10:00:00.000Z', 'canceled');
    const reopened = await task(alex, '2026-10-23T10:00:00.000Z');
    assert.equal((await pointsOf(alex, '2026-10')).points, 10);
    assert.equal((await alex.api.patch(`/api/v1/activities/${reopened}`, { status: 'open' })).status, 200);
    assert.equal((await pointsOf(alex, '2026-10')).points, 0);
    // Completed again in November, it counts in November.
    assert.equal((await alex.api.patch(`/api/v1/activities/${reopened}`, { status: 'completed' })).status, 200);
    assert.equal((await pointsOf(alex, '2026-10')).points, 0);
    assert.equal((await pointsOf(alex, '2026-11')).points, 10);
  });

  it('counts with the current table: a changed point value changes the report, past months included', async () => {
    await call(alex, '2026-10-20T10:00:00.000Z');
    await call(alex, '2026-10-21T10:00:00.000Z', { outcomeId: undefined });
    assert.equal((await pointsOf(alex, '2026-10')).points, 7 + 5);
    const changed = await ada.api.put('/api/v1/activity-points', { entries: [{ labelId: labels.reached, points: 4 }] });
    assert.equal(changed.status, 200);
    const reached = (changed.body.entries as { id: number; points: number }[]).find((e) => e.id === labels.reached)!;
    assert.equal(reached.points, 4);
    assert.equal((await pointsOf(alex, '2026-10')).points, 9 + 5);
    // Every signed-in advisor reads the new value.
    const read = (await kei.api.get('/api/v1/activity-points')).body.entries as { id: number; points: number }[];
    assert.equal(read.find((e) => e.id === labels.reached)!.points, 4);
  });

  it("scopes: team only for a manager (their teams' members), all only for an admin", async () => {
    await call(alex, '2026-10-20T10:00:00.000Z');
    await call(sasha, '2026-10-20T10:00:00.000Z');
    const team = await report(morgan, 'scope=team&month=2026-10');
    assert.deepEqual(
      team.advisors.map((row) => [row.displayName, row.points]),
      [
        ['Alex Eastwood', 7],
        ['Kei Tanaka', 0],
        ['Morgan Managerly', 0],
      ],
    );
    const all = await report(ada, 'scope=all&month=2026-10');
    assert.deepEqual(
      all.advisors.map((row) => row.displayName),
      ['Ada Adminsworth', 'Alex Eastwood', 'Kei Tanaka', 'Morgan Managerly', 'Sasha Southgate'],
    );
    assert.equal(all.advisors.find((row) => row.advisorId === sasha.record.id)!.points, 7);
    for (const [who, scope] of [
      [alex, 'team'],
      [ada, 'team'],
      [alex, 'all'],
      [morgan, 'all'],
    ] as const) {
      const refused = await who.api.get(`/api/v1/reports/points?scope=${scope}&month=2026-10`);
      assert.equal(refused.status, 403, `${who.record.displayName} scope=${scope}`);
      assert.doesNotMatch(JSON.stringify(refused.body), /Alex Eastwood|Kei Tanaka|Sasha|\b7\b/);
    }
  });

  it('refuses a month that is not YYYY-MM and a scope it does not know, naming the field', async () => {
    for (const query of ['month=2026-13', 'month=2026-1', 'month=October']) {
      const res = await alex.api.get(`/api/v1/reports/points?scope=me&${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.errors[0].path, 'query.month');
    }
    const scope = await alex.api.get('/api/v1/reports/points?scope=firm');
    assert.equal(scope.status, 400);
    assert.equal(scope.body.errors[0].path, 'query.scope');
  });

  it('only an admin changes the points; bad values are 400 with the field and change nothing', async () => {
    const before = (await ada.api.get('/api/v1/activity-points')).body;
    for (const who of [alex, morgan]) {
      const refused = await who.api.put('/api/v1/activity-points', {
        entries: [{ labelId: labels.proposal, points: 1 }],
      });
      assert.equal(refused.status, 403);
    }
    for (const points of [-1, 1.5, 1001, '5', null]) {
      const res = await ada.api.put('/api/v1/activity-points', {
        entries: [
          { labelId: labels.reached, points: 3 },
          { labelId: labels.proposal, points },
        ],
      });
      assert.equal(res.status, 400, String(points));
      assert.equal(res.body.errors[0].path, 'body.entries.1.points');
    }
    const unknown = await ada.api.put('/api/v1/activity-points', {
      entries: [
        { labelId: labels.reached, points: 3 },
        { labelId: 9999, points: 3 },
      ],
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].path, 'body.entries.1.labelId');
    const twice = await ada.api.put('/api/v1/activity-points', {
      entries: [
        { labelId: labels.reached, points: 3 },
        { labelId: labels.reached, points: 4 },
      ],
    });
    assert.equal(twice.status, 400);
    assert.equal(twice.body.errors[0].path, 'body.entries');
    const empty = await ada.api.put('/api/v1/activity-points', { entries: [] });
    assert.equal(empty.status, 400);
    assert.deepEqual((await ada.api.get('/api/v1/activity-points')).body, before);
  });

  it('admin PATCH /advisors/:id { monthlyQuota }: sets it, clears it with null, refuses a bad one naming the field', async () => {
    const set = await ada.api.patch(`/api/v1/advisors/${alex.record.id}`, { monthlyQuota: 60 });
    assert.equal(set.status, 200);
    assert.equal((await pointsOf(alex, '2026-11')).quota, 60);
    assert.equal((await alex.api.get('/api/v1/me')).body.monthlyQuota, 60);
    const cleared = await ada.api.patch(`/api/v1/advisors/${alex.record.id}`, { monthlyQuota: null });
    assert.equal(cleared.status, 200);
    assert.equal((await pointsOf(alex, '2026-11')).quota, null);
    assert.equal((await alex.api.get('/api/v1/me')).body.monthlyQuota, null);
    for (const monthlyQuota of [-1, 2.5, '60', 1_000_001]) {
      const res = await ada.api.patch(`/api/v1/advisors/${alex.record.id}`, { monthlyQuota });
      assert.equal(res.status, 400, String(monthlyQuota));
      assert.equal(res.body.errors[0].path, 'body.monthlyQuota');
    }
    for (const who of [alex, morgan]) {
      const refused = await who.api.patch(`/api/v1/advisors/${alex.record.id}`, { monthlyQuota: 10 });
      assert.equal(refused.status, 403);
    }
    assert.equal((await pointsOf(alex, '2026-11')).quota, null);
  });

  itOnSqlite(
    'migration 017 gives tasks completed before it their last change as completion, and the seeded entries points',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
      const db = openDatabase(path.join(dir, 'v13.db'));
      try {
        migrate(db, { to: 13 });
        db.exec(`INSERT INTO advisors (id, email, display_name, role, created_at) VALUES
          (1, 'kim@firm.example', 'Kim Lee', 'advisor', '2026-10-01T00:00:00.000Z');
        INSERT INTO activities (id, kind, subject, status, created_by_id, created_at, updated_at) VALUES
          (1, 'task', 'Done', 'completed', 1, '2026-10-01T00:00:00.000Z', '2026-10-31T10:00:00.000Z'),
          (2, 'task', 'Open', 'open', 1, '2026-10-01T00:00:00.000Z', '2026-10-31T10:00:00.000Z'),
          (3, 'task', 'Canceled', 'canceled', 1, '2026-10-01T00:00:00.000Z', '2026-10-31T10:00:00.000Z');`);
        migrate(db);
        assert.deepEqual(db.prepare('SELECT id, completed_at FROM activities ORDER BY id').all(), [
          { id: 1, completed_at: '2026-10-31T10:00:00.000Z' },
          { id: 2, completed_at: null },
          { id: 3, completed_at: null },
        ]);
        const points = db
          .prepare("SELECT key, points FROM activity_labels WHERE key IN ('proposal', 'no-answer')")
          .all();
        assert.deepEqual(points, [
          { key: 'proposal', points: 10 },
          { key: 'no-answer', points: 0 },
        ]);
      } finally {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  itOnSqlite(
    "migration 018: counted_at is a completed call's start and a completed task's completion, for old and new rows",
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
      const db = openDatabase(path.join(dir, 'v17.db'));
      try {
        migrate(db, { to: 17 });
        db.exec(`INSERT INTO advisors (id, email, display_name, role, created_at) VALUES
          (1, 'kim@firm.example', 'Kim Lee', 'advisor', '2026-10-01T00:00:00.000Z');
        INSERT INTO activities (id, kind, subject, status, start_at, created_by_id, created_at, updated_at) VALUES
          (1, 'phone_call', 'Called', 'completed', '2026-10-05T09:00:00.000Z', 1, '2026-10-06T00:00:00.000Z', '2026-10-06T00:00:00.000Z'),
          (2, 'phone_call', 'To call', 'open', '2026-10-07T09:00:00.000Z', 1, '2026-10-06T00:00:00.000Z', '2026-10-06T00:00:00.000Z'),
          (3, 'task', 'Done', 'completed', NULL, 1, '2026-10-01T00:00:00.000Z', '2026-10-31T10:00:00.000Z'),
          (4, 'task', 'Canceled', 'canceled', NULL, 1, '2026-10-01T00:00:00.000Z', '2026-10-31T10:00:00.000Z');
        INSERT INTO activities (id, kind, subject, status, start_at, item_id, created_by_id, created_at, updated_at) VALUES
          (5, 'appointment', 'Met', 'completed', '2026-10-08T09:00:00.000Z', 'appt-5', 1, '2026-10-01T00:00:00.000Z', '2026-10-08T10:00:00.000Z');`);
        migrate(db);
        const countedAt = () => db.prepare('SELECT id, counted_at FROM activities ORDER BY id').all();
        assert.deepEqual(countedAt(), [
          { id: 1, counted_at: '2026-10-05T09:00:00.000Z' },
          { id: 2, counted_at: null },
          { id: 3, counted_at: '2026-10-31T10:00:00.000Z' },
          { id: 4, counted_at: null },
          { id: 5, counted_at: null },
        ]);
        // It follows every later change: the call completed, the task reopened.
        db.exec(`UPDATE activities SET status = 'completed', updated_at = '2026-10-07T10:00:00.000Z' WHERE id = 2;
        UPDATE activities SET status = 'open', updated_at = '2026-11-01T10:00:00.000Z' WHERE id = 3;`);
        assert.deepEqual(
          (countedAt() as { counted_at: string | null }[]).map((row) => row.counted_at),
          ['2026-10-05T09:00:00.000Z', '2026-10-07T09:00:00.000Z', null, null, null],
        );
      } finally {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  itOnSqlite("the points query reads each advisor's month as a range of the index (created_by_id, counted_at)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-plan-'));
    const db = openDatabase(path.join(dir, 'plan.db'));
    try {
      migrate(db);
      const windows = JSON.stringify([
        { advisorId: 1, from: '2026-10-01T04:00:00.000Z', to: '2026-11-01T04:00:00.000Z' },
      ]);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${EARNED_POINTS}`).all(windows) as { detail: string }[]).map(
        (step) => step.detail,
      );
      const activities = plan.filter((detail) => /\b(SCAN|SEARCH) a\b/.test(detail));
      assert.deepEqual(
        activities,
        ['SEARCH a USING INDEX activities_counted_at (created_by_id=? AND counted_at>? AND counted_at<?)'],
        plan.join('\n'),
      );
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
