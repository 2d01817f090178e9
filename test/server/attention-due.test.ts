import assert from 'node:assert/strict';
import { ManualClock } from '../../server/clock';
import { referenceNeedsAttention, type ReferenceReason } from '../helpers/attention-reference';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const HOUR = 3_600_000;

/** A deterministic pseudo-random sequence, so a failure replays. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * Needs attention is read from due times kept with each open opportunity (migration 019). This holds that answer
 * to the one computed from the facts at `now` (test/helpers/attention-reference.ts, the statement the service used
 * before), on random data made through the API, at moments around DST changes and holidays.
 */
describe('needs attention: precomputed due times equal the computed answer (issue 15)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: Advisor;
  let manager: Advisor;
  let owners: Advisor[];

  const ZONES = ['UTC', 'America/New_York', 'Europe/Paris', 'Pacific/Auckland', 'Asia/Kathmandu'];
  // The US clocks change on 14 March 2027, Europe's on 28 March, Auckland's on 4 April; 17 and 26 March are holidays.
  const START = '2027-03-08T09:00:00.000Z';
  const MOMENTS = [
    '2027-03-12T16:59:59.999Z',
    '2027-03-14T07:30:00.000Z',
    '2027-03-17T12:00:00.000Z',
    '2027-03-18T04:00:00.000Z',
    '2027-03-22T15:00:00.000Z',
    '2027-03-26T23:30:00.000Z',
    '2027-03-28T01:30:00.000Z',
    '2027-03-29T09:00:00.000Z',
    '2027-04-03T14:30:00.000Z',
    '2027-04-12T00:00:00.000Z',
  ];

  interface Item {
    opportunity: { id: number };
    reasons: ReferenceReason[];
  }

  /** Every owner's list and the manager's team list, at the clock's time, through the API and the reference. */
  async function assertAgree(label: string) {
    const now = server.clock.now();
    const scopes: [Advisor, 'me' | 'team', number[]][] = [
      ...owners.map((owner): [Advisor, 'me', number[]] => [owner, 'me', [owner.record.id]]),
      [manager, 'team', [manager.record.id, ...owners.slice(0, 3).map((owner) => owner.record.id)]],
    ];
    for (const [advisor, scope, ownerIds] of scopes) {
      for (const [limit, offset] of [
        [100, 0],
        [4, 3],
      ]) {
        const res = await advisor.api.get(
          `/api/v1/work/needs-attention?scope=${scope}&limit=${limit}&offset=${offset}`,
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const expected = referenceNeedsAttention(server.db, ownerIds, now, limit, offset);
        const where = `${label} at ${now.toISOString()}, ${advisor.record.displayName} ${scope} ${limit}/${offset}`;
        assert.equal(res.body.total, expected.total, `total, ${where}`);
        assert.deepEqual(
          (res.body.items as Item[]).map((item) => ({ id: item.opportunity.id, reasons: item.reasons })),
          expected.items,
          where,
        );
      }
    }
  }

  async function assertAgreeAtEveryMoment(label: string) {
    for (const moment of MOMENTS) {
      server.clock.set(moment);
      await assertAgree(label);
    }
  }

  before(async () => {
    server = await startTestServer({}, { clock: new ManualClock(new Date(START)) });
    admin = await server.advisor('Ada Admin', 'admin');
    manager = await server.advisor('Mia Manager', 'manager');
    owners = [];
    for (const [index, zone] of ZONES.entries()) {
      const owner = await server.advisor(`Owner ${index} ${zone}`);
      assert.equal((await owner.api.patch('/api/v1/me/preferences', { timeZone: zone })).status, 200);
      owners.push(owner);
    }
    const team = await admin.api.post('/api/v1/teams', { name: 'Desk' });
    assert.equal(team.status, 201, JSON.stringify(team.body));
    for (const member of [manager, ...owners.slice(0, 3)]) {
      const added = await admin.api.put(`/api/v1/teams/${team.body.id}/members/${member.record.id}`);
      assert.ok(added.status < 300, JSON.stringify(added.body));
    }
    for (const date of ['2027-03-17', '2027-03-26']) {
      const res = await admin.api.post('/api/v1/holidays', { date, name: `Holiday ${date}` });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    await seedRandomly();
  });
  after(() => server.close());

  /** Opportunities, emails, calls, tasks, appointments, notes, reassignments, close dates, closes and reopens. */
  async function seedRandomly() {
    const rand = random(7);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
    const open: { id: number; owner: Advisor }[] = [];
    const closed: { id: number; owner: Advisor }[] = [];
    const activities: { id: number; owner: Advisor; kind: string }[] = [];
    const counts = new Map<string, number>();
    const done = (what: string, status: number, body: unknown) => {
      assert.ok(status < 300, `${what}: ${status} ${JSON.stringify(body)}`);
      counts.set(what, (counts.get(what) ?? 0) + 1);
    };
    const dateAround = (days: number) =>
      new Date(server.clock.now().getTime() + (rand() - 0.5) * 2 * days * 24 * HOUR).toISOString().slice(0, 10);
    const instantAround = (days: number) =>
      new Date(Math.floor(server.clock.now().getTime() + (rand() - 0.3) * days * 24 * HOUR)).toISOString();

    for (let step = 0; step < 160; step++) {
      server.clock.advance(Math.floor(rand() * 3 * HOUR));
      const action = open.length < 6 ? 0 : Math.floor(rand() * 11);
      const target = open.length ? pick(open) : undefined;
      if (action === 0 || !target) {
        const owner = pick(owners);
        const by = rand() < 0.5 ? owner : pick(owners);
        const res = await by.api.post('/api/v1/opportunities', {
          ...referral(`Opportunity ${step}`, `client${step}@client.example`),
          ...(by === owner ? {} : { ownerId: owner.record.id }),
          ...(rand() < 0.6 ? { estimatedCloseDate: dateAround(10) } : {}),
          ...(rand() < 0.3 ? { note: { body: 'from the referrer' } } : {}),
        });
        done('create', res.status, res.body);
        open.push({ id: res.body.opportunity.id as number, owner });
      } else if (action === 1) {
        const res = await target.owner.api.post('/api/v1/activities/regarding', {
          item: emailItem(`<step-${step}@mail.example>`, { sentAt: instantAround(2) }),
          opportunityId: target.id,
        });
        done('email', res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind: 'email' });
      } else if (action === 2) {
        const res = await target.owner.api.post('/api/v1/activities/regarding', {
          item: { kind: 'appointment', itemId: `appt-${step}`, subject: 'Review', startAt: instantAround(6) },
          opportunityId: target.id,
        });
        done('appointment', res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind: 'appointment' });
      } else if (action === 3) {
        const kind = rand() < 0.5 ? 'phone_call' : 'task';
        const startAt = kind === 'task' && rand() < 0.3 ? undefined : instantAround(6);
        const res = await target.owner.api.post('/api/v1/activities', {
          kind,
          opportunityId: target.id,
          subject: `${kind} ${step}`,
          ...(startAt ? { startAt } : {}),
        });
        done(kind, res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind });
      } else if (action === 4 && activities.some((a) => a.kind === 'phone_call' || a.kind === 'task')) {
        const activity = pick(activities.filter((a) => a.kind === 'phone_call' || a.kind === 'task'));
        const change =
          rand() < 0.4
            ? { status: pick(['canceled', 'open']) }
            : { startAt: activity.kind === 'task' && rand() < 0.3 ? null : instantAround(6) };
        const res = await activity.owner.api.patch(`/api/v1/activities/${activity.id}`, change);
        if (res.status < 300) done('activity change', res.status, res.body);
      } else if (action === 5) {
        const by = rand() < 0.6 ? target.owner : pick(owners.filter((o) => o !== target.owner));
        const res = await by.api.post(`/api/v1/opportunities/${target.id}/notes`, { body: `note ${step}` });
        if (res.status < 300) done(by === target.owner ? 'owner note' : 'other note', res.status, res.body);
      } else if (action === 6) {
        const to = pick(owners.filter((o) => o !== target.owner));
        const res = await target.owner.api.post(`/api/v1/opportunities/${target.id}/assign`, { ownerId: to.record.id });
        done('reassign', res.status, res.body);
        target.owner = to;
      } else if (action === 7) {
        const current = await target.owner.api.get(`/api/v1/opportunities/${target.id}`);
        const res = await target.owner.api.patch(
          `/api/v1/opportunities/${target.id}`,
          { estimatedCloseDate: rand() < 0.2 ? null : dateAround(10) },
          { 'If-Match': `"${current.body.opportunity.version}"` },
        );
        done('close date', res.status, res.body);
      } else if (action === 8) {
        const res = await target.owner.api.post(`/api/v1/opportunities/${target.id}/close`, {
          outcome: pick(['won', 'lost']),
        });
        done('close', res.status, res.body);
        open.splice(open.indexOf(target), 1);
        closed.push(target);
      } else if (action === 9 && closed.length) {
        const again = pick(closed);
        const res = await again.owner.api.post(`/api/v1/opportunities/${again.id}/reopen`, {});
        done('reopen', res.status, res.body);
        closed.splice(closed.indexOf(again), 1);
        open.push(again);
      } else if (action === 10 && activities.length) {
        const activity = pick(activities);
        const res = await activity.owner.api.delete(`/api/v1/activities/${activity.id}/regarding`);
        if (res.status < 300) done('unlink', res.status, res.body);
      }
    }
    // The data exercises every kind of write (a changed seed that skipped one would weaken the test).
    for (const what of ['create', 'email', 'appointment', 'phone_call', 'task', 'activity change', 'owner note'])
      assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
    for (const what of ['other note', 'reassign', 'close date', 'close', 'reopen', 'unlink'])
      assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
  }

  it('agrees at moments around DST changes and holidays (items, reasons, dues, total, pages)', async () => {
    await assertAgreeAtEveryMoment('seeded');
    const flagged = referenceNeedsAttention(server.db, [owners[1].record.id], server.clock.now(), 100, 0);
    assert.ok(flagged.total > 0, 'the data has exceptions to compare');
  });

  it('agrees after the rules change, one switched off and thresholds moved', async () => {
    const res = await admin.api.put('/api/v1/exception-rules', {
      untouched: { on: true, businessDays: 3 },
      noActivity: { on: true, businessDays: 2 },
      noNextStep: { on: false },
      pastCloseDate: { on: true },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await assertAgreeAtEveryMoment('rules changed');
  });

  it('agrees after holidays are added and removed', async () => {
    assert.equal((await admin.api.post('/api/v1/holidays', { date: '2027-03-19', name: 'Added' })).status, 201);
    assert.equal((await admin.api.delete('/api/v1/holidays/2027-03-17')).status, 200);
    await assertAgreeAtEveryMoment('holidays changed');
  });

  it("agrees after an owner's time zone changes", async () => {
    const res = await admin.api.patch(`/api/v1/advisors/${owners[0].record.id}`, { timeZone: 'Pacific/Chatham' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const moved = await owners[2].api.patch('/api/v1/me/preferences', { timeZone: 'America/Los_Angeles' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await assertAgreeAtEveryMoment('zones changed');
  });
});
