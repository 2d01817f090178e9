import assert from 'node:assert/strict';
import { addBusinessDays, latestStartMet } from '../../server/services/business-days';
import { Interleaver } from '../helpers/interleave';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

const HOUR = 3_600_000;

describe('My Work rules', () => {
  let server: TestServer;
  let referrer: Awaited<ReturnType<TestServer['advisor']>>;
  let owner: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    server.clock.set('2026-11-20T16:00:00.000Z'); // a Friday afternoon
    referrer = await server.advisor('Rita Referrer');
    owner = await server.advisor('Omar Owner');
  });
  afterEach(() => server.close());

  const reasons = async (api = owner.api, scope = 'me') => {
    const res = await api.get(`/api/v1/work/needs-attention?scope=${scope}`);
    assert.equal(res.status, 200);
    return Object.fromEntries(
      res.body.items.map((i: { opportunity: { topic: string }; reasons: { code: string }[] }) => [
        i.opportunity.topic,
        i.reasons.map((r) => r.code),
      ]),
    );
  };

  it('counts business days: Friday afternoon plus one is Monday afternoon; weekends start Monday', () => {
    assert.equal(addBusinessDays(new Date('2026-11-20T16:00:00Z'), 1).toISOString(), '2026-11-23T16:00:00.000Z');
    assert.equal(addBusinessDays(new Date('2026-11-18T10:00:00Z'), 1).toISOString(), '2026-11-19T10:00:00.000Z');
    assert.equal(addBusinessDays(new Date('2026-11-21T12:00:00Z'), 1).toISOString(), '2026-11-24T00:00:00.000Z');
  });

  it('finding 6: the untouched cutoff the store filters by agrees with one business day, on weekdays and weekends', () => {
    for (const now of [
      '2026-11-23T16:01:00.000Z',
      '2026-11-24T00:00:00.001Z',
      '2026-11-19T10:00:00.000Z',
      '2026-11-22T12:00:00.000Z',
    ]) {
      const cutoff = latestStartMet(new Date(now), 1);
      assert.ok(addBusinessDays(cutoff, 1) <= new Date(now), `${now}: the cutoff itself is untouched`);
      const later = new Date(cutoff.getTime() + 1);
      assert.ok(!(addBusinessDays(later, 1) <= new Date(now)), `${now}: a millisecond later is not`);
    }
  });

  it('flags an untouched referral after one business day, and clears it when an email is linked', async () => {
    const created = await referrer.api.post('/api/v1/opportunities', {
      ...referral('Untouched referral', 'u@client.example'),
      ownerId: owner.record.id,
      note: { body: 'please call' },
    });
    const id = created.body.opportunity.id;
    assert.deepEqual(await reasons(), { 'Untouched referral': ['no-next-step'] }, 'not yet: less than a business day');

    server.clock.set('2026-11-23T15:59:00.000Z'); // Monday, just before one business day has passed
    assert.deepEqual((await reasons())['Untouched referral'], ['no-next-step']);
    server.clock.set('2026-11-23T16:01:00.000Z');
    assert.deepEqual((await reasons())['Untouched referral'], ['untouched', 'no-next-step']);

    await owner.api.post('/api/v1/activities/regarding', { item: emailItem('<reply@x>'), opportunityId: id });
    assert.deepEqual((await reasons())['Untouched referral'], ['no-next-step'], 'a linked email is a touch');
  });

  it('clears "no next step" with a future appointment or task, and flags a passed close date', async () => {
    const created = await owner.api.post('/api/v1/opportunities', {
      ...referral('Needs a next step', 'n@client.example'),
      estimatedCloseDate: '2026-11-19',
    });
    const id = created.body.opportunity.id;
    assert.deepEqual((await reasons())['Needs a next step'], ['no-next-step', 'past-close-date']);
    await owner.api.post('/api/v1/activities/regarding', {
      item: {
        kind: 'appointment',
        itemId: 'appt-1',
        subject: 'Review',
        startAt: new Date(server.clock.now().getTime() + 48 * HOUR).toISOString(),
      },
      opportunityId: id,
    });
    assert.deepEqual((await reasons())['Needs a next step'], ['past-close-date']);
    server.clock.advance(72 * HOUR);
    assert.deepEqual(
      (await reasons())['Needs a next step'],
      ['no-next-step', 'past-close-date'],
      'a past appointment is not a next step',
    );
  });

  it('shows the team list to a manager only', async () => {
    const manager = await server.advisor('Mia Manager', 'manager');
    await server.repo.teams.create('Desk', [owner.record.id, manager.record.id], null);
    await owner.api.post('/api/v1/opportunities', referral('Team item', 't@client.example'));
    assert.deepEqual(Object.keys(await reasons(manager.api, 'team')), ['Team item']);
    const denied = await owner.api.get('/api/v1/work/needs-attention?scope=team');
    assert.equal(denied.status, 403);
  });

  it('reports counts and values per stage and status, and days in stage', async () => {
    const a = await owner.api.post('/api/v1/opportunities', {
      ...referral('A', 'a@client.example'),
      estimatedValue: 100,
    });
    await owner.api.post('/api/v1/opportunities', { ...referral('B', 'b@client.example'), estimatedValue: 50 });
    const c = await owner.api.post('/api/v1/opportunities', {
      ...referral('C', 'c@client.example'),
      stage: 'propose',
      estimatedValue: 10,
    });
    await owner.api.post(`/api/v1/opportunities/${c.body.opportunity.id}/close`, { outcome: 'won', actualValue: 12 });
    server.clock.advance(48 * HOUR);
    await owner.api.patch(
      `/api/v1/opportunities/${a.body.opportunity.id}`,
      { stage: 'develop' },
      { 'If-Match': '"1"' },
    );
    server.clock.advance(24 * HOUR);

    const report = (await owner.api.get('/api/v1/reports/stages?scope=me')).body;
    assert.deepEqual(report.rows, [
      { stage: 'qualify', status: 'open', count: 1, estimatedValue: 50, actualValue: 0 },
      { stage: 'develop', status: 'open', count: 1, estimatedValue: 100, actualValue: 0 },
      { stage: 'propose', status: 'won', count: 1, estimatedValue: 10, actualValue: 12 },
    ]);
    const qualify = report.daysInStage.find((d: { stage: string }) => d.stage === 'qualify');
    const develop = report.daysInStage.find((d: { stage: string }) => d.stage === 'develop');
    assert.deepEqual(qualify, { stage: 'qualify', open: 1, medianDays: 3, maxDays: 3 });
    assert.deepEqual(develop, { stage: 'develop', open: 1, medianDays: 1, maxDays: 1 });
    assert.equal((await owner.api.get('/api/v1/reports/stages?scope=everyone')).status, 400);
  });

  it('finding 4: gives the team stage report to managers only and the firm-wide one to admins only', async () => {
    const manager = await server.advisor('Rae Manager', 'manager');
    const admin = await server.advisor('Ada Admin', 'admin');
    await server.repo.teams.create('Report desk', [owner.record.id, manager.record.id], null);
    const status = async (api: typeof owner.api, scope: string) =>
      (await api.get(`/api/v1/reports/stages?scope=${scope}`)).status;
    assert.deepEqual(
      [
        await status(owner.api, 'me'),
        await status(owner.api, 'team'),
        await status(owner.api, 'all'),
        await status(manager.api, 'team'),
        await status(manager.api, 'all'),
        await status(admin.api, 'all'),
      ],
      [200, 403, 403, 200, 403, 200],
    );
    const denied = await owner.api.get('/api/v1/reports/stages?scope=all');
    assert.match(denied.headers.get('content-type')!, /problem\+json/);
  });

  it('finding 8: an assignment message is seen only by the assigner and the new owner; others see that one exists', async () => {
    const bystander = await server.advisor('Bea Bystander');
    const created = await referrer.api.post('/api/v1/opportunities', referral('Private handover', 'p@client.example'));
    const id = created.body.opportunity.id;
    const assigned = await referrer.api.post(`/api/v1/opportunities/${id}/assign`, {
      ownerId: owner.record.id,
      message: 'Her husband just passed; go gently.',
    });
    assert.equal(assigned.status, 200);
    assert.equal(assigned.body.assignments[0].message, 'Her husband just passed; go gently.', 'the assigner sees it');

    const latest = async (api: typeof owner.api) => {
      const detail = await api.get(`/api/v1/opportunities/${id}`);
      assert.equal(detail.status, 200);
      const page = await api.get(`/api/v1/opportunities/${id}/assignments`);
      assert.deepEqual(page.body.items[0], detail.body.assignments[0], 'the page and the detail agree');
      return detail.body.assignments[0] as { message: string | null; messageHidden: boolean };
    };
    assert.deepEqual(await latest(owner.api).then((s) => [s.message, s.messageHidden]), [
      'Her husband just passed; go gently.',
      false,
    ]);
    const seen = await latest(bystander.api);
    assert.equal(seen.message, null, 'a reader who is neither assigner nor assignee does not get the message');
    assert.equal(seen.messageHidden, true);
    assert.ok(!JSON.stringify(seen).includes('husband'));

    const fresh = await owner.api.get('/api/v1/work/new-for-me');
    assert.equal(fresh.body.items[0].assignment.message, 'Her husband just passed; go gently.');
    const creation = (await bystander.api.get(`/api/v1/opportunities/${id}`)).body.assignments[1];
    assert.deepEqual([creation.message, creation.messageHidden], [null, false], 'no message, nothing hidden');
  });
});

describe('Needs attention while an owner changes time zone (issue 14 review)', () => {
  let server: TestServer;
  let interleaver: Interleaver;

  beforeEach(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    server.clock.set('2026-11-20T16:00:00.000Z'); // a Friday afternoon
  });
  afterEach(() => server.close());

  it('an owner who changes zone between the rules read and the candidates read keeps every reason, by the new zone', async () => {
    const owner = await server.advisor('Omar Owner');
    const admin = await server.advisor('Ada Admin', 'admin');
    const created = await owner.api.post('/api/v1/opportunities', {
      ...referral('Held up', 'h@client.example'),
      estimatedCloseDate: '2026-11-19',
    });
    assert.equal(created.status, 201);
    server.clock.set('2026-11-30T16:00:00.000Z'); // six business days later in any zone

    const pause = interleaver.pauseNext('work', 'needingAttention');
    const pending = owner.api.get('/api/v1/work/needs-attention?scope=me');
    await pause.reached;
    const moved = await admin.api.patch(`/api/v1/advisors/${owner.record.id}`, { timeZone: 'Asia/Kathmandu' });
    assert.equal(moved.status, 200);
    pause.release();
    const res = await pending;

    assert.equal(res.status, 200);
    assert.equal(res.body.total, 1);
    const [item] = res.body.items as { reasons: { code: string; due: string | null }[] }[];
    assert.deepEqual(
      item.reasons.map((reason) => reason.code),
      ['untouched', 'no-activity', 'no-next-step', 'past-close-date'],
    );
    // Due by Kathmandu's clock (+05:45): Friday 21:45 there plus one business day is Monday 21:45 there.
    assert.equal(item.reasons[0].due, '2026-11-23T16:00:00.000Z');
    // 19 November ends at midnight in Kathmandu, 18:15 UTC.
    assert.equal(item.reasons[3].due, '2026-11-19T18:15:00.000Z');
  });
});
