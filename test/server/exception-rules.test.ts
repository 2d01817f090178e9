import assert from 'node:assert/strict';
import type { TestClient } from '../helpers/api-client';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
interface Reason {
  code: string;
  since: string | null;
  due: string | null;
}

const DEFAULTS = {
  untouched: { on: true, businessDays: 1 },
  noActivity: { on: true, businessDays: 5 },
  noNextStep: { on: true },
  pastCloseDate: { on: true },
};

describe('exception rules (issue 14): admin thresholds, owners’ time zones, holidays', () => {
  let server: TestServer;
  let admin: Advisor;
  let referrer: Advisor;

  beforeEach(async () => {
    server = await startTestServer();
    server.clock.set('2026-11-18T15:00:00.000Z'); // Wednesday, 10:00 in New York
    admin = await server.advisor('Ada Admin', 'admin');
    referrer = await server.advisor('Rita Referrer');
  });
  afterEach(() => server.close());

  async function ownerIn(name: string, timeZone: string): Promise<Advisor> {
    const owner = await server.advisor(name);
    const res = await owner.api.patch('/api/v1/me/preferences', { timeZone });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return owner;
  }

  /** A referral the referrer assigns to the owner now (its note is the referrer's, so it does not touch it). */
  async function assignTo(owner: Advisor, topic: string, extra: Record<string, unknown> = {}): Promise<number> {
    const res = await referrer.api.post('/api/v1/opportunities', {
      ...referral(topic, `${topic.replace(/\W+/g, '.').toLowerCase()}@client.example`, extra),
      ownerId: owner.record.id,
      note: { body: 'please call' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.opportunity.id as number;
  }

  async function reasonsOf(api: TestClient, topic: string, scope = 'me'): Promise<Record<string, Reason>> {
    const res = await api.get(`/api/v1/work/needs-attention?scope=${scope}&limit=100`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const item = (res.body.items as { opportunity: { topic: string }; reasons: Reason[] }[]).find(
      (i) => i.opportunity.topic === topic,
    );
    return Object.fromEntries((item?.reasons ?? []).map((reason) => [reason.code, reason]));
  }

  async function setRules(rules: unknown) {
    const res = await admin.api.put('/api/v1/exception-rules', rules);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res;
  }

  it('untouched is met exactly one business day after assignment in the owner’s zone, with that moment as due', async () => {
    const owner = await ownerIn('Nora York', 'America/New_York');
    await assignTo(owner, 'Just assigned');
    server.clock.set('2026-11-19T14:59:59.999Z');
    assert.equal((await reasonsOf(owner.api, 'Just assigned')).untouched, undefined, 'a millisecond before');
    server.clock.set('2026-11-19T15:00:00.000Z');
    assert.deepEqual((await reasonsOf(owner.api, 'Just assigned')).untouched, {
      code: 'untouched',
      since: '2026-11-18T15:00:00.000Z',
      due: '2026-11-19T15:00:00.000Z',
    });
  });

  it('no-activity is met five business days after creation with no activity linked; a note touches but is no activity, an email clears it', async () => {
    const owner = await ownerIn('Nora York', 'America/New_York');
    const id = await assignTo(owner, 'Quiet one');
    await owner.api.post(`/api/v1/opportunities/${id}/notes`, { body: 'Left a message with the assistant' });
    server.clock.set('2026-11-25T14:59:59.999Z'); // Wednesday a week later, a millisecond before 10:00 New York
    let reasons = await reasonsOf(owner.api, 'Quiet one');
    assert.equal(reasons['no-activity'], undefined);
    assert.equal(reasons.untouched, undefined, "the owner's note is a touch");
    server.clock.set('2026-11-25T15:00:00.000Z');
    reasons = await reasonsOf(owner.api, 'Quiet one');
    assert.deepEqual(reasons['no-activity'], {
      code: 'no-activity',
      since: '2026-11-18T15:00:00.000Z',
      due: '2026-11-25T15:00:00.000Z',
    });
    await owner.api.post('/api/v1/activities/regarding', { item: emailItem('<quiet@x>'), opportunityId: id });
    assert.equal((await reasonsOf(owner.api, 'Quiet one'))['no-activity'], undefined);
  });

  it('past-close-date is met at the owner’s local midnight after the close date', async () => {
    const owner = await ownerIn('Nora York', 'America/New_York');
    await assignTo(owner, 'Closing', { estimatedCloseDate: '2026-11-19' });
    server.clock.set('2026-11-20T04:59:59.999Z'); // 23:59:59.999 on the 19th in New York, the 20th in UTC
    assert.equal((await reasonsOf(owner.api, 'Closing'))['past-close-date'], undefined);
    server.clock.set('2026-11-20T05:00:00.000Z');
    assert.deepEqual((await reasonsOf(owner.api, 'Closing'))['past-close-date'], {
      code: 'past-close-date',
      since: '2026-11-19',
      due: '2026-11-20T05:00:00.000Z',
    });
  });

  it('two advisors in Pacific/Auckland and America/New_York, assigned at the same instant, get different answers', async () => {
    server.clock.set('2026-11-20T03:00:00.000Z'); // Friday 16:00 in Auckland, Thursday 22:00 in New York
    const kiwi = await ownerIn('Kiri Auckland', 'Pacific/Auckland');
    const yorker = await ownerIn('Nora York', 'America/New_York');
    await assignTo(kiwi, 'Kiwi referral');
    await assignTo(yorker, 'York referral');
    server.clock.set('2026-11-21T12:00:00.000Z'); // Saturday in both
    assert.equal((await reasonsOf(yorker.api, 'York referral')).untouched?.due, '2026-11-21T03:00:00.000Z');
    assert.equal((await reasonsOf(kiwi.api, 'Kiwi referral')).untouched, undefined, 'Friday 16:00 + 1 is Monday');
    server.clock.set('2026-11-23T03:00:00.000Z'); // Monday 16:00 in Auckland
    assert.equal((await reasonsOf(kiwi.api, 'Kiwi referral')).untouched?.due, '2026-11-23T03:00:00.000Z');
  });

  it("a manager's team list counts each owner's business days in that owner's own zone, paged with the total", async () => {
    const manager = await server.advisor('Mia Manager', 'manager');
    server.clock.set('2026-11-20T03:00:00.000Z');
    const kiwi = await ownerIn('Kiri Auckland', 'Pacific/Auckland');
    const yorker = await ownerIn('Nora York', 'America/New_York');
    await server.repo.teams.create('Desk', [kiwi.record.id, yorker.record.id, manager.record.id], null);
    await setRules({ ...DEFAULTS, noNextStep: { on: false } });
    for (let n = 0; n < 3; n += 1) {
      await assignTo(kiwi, `Kiwi ${n}`);
      await assignTo(yorker, `York ${n}`);
    }
    server.clock.set('2026-11-21T12:00:00.000Z');
    const first = await manager.api.get('/api/v1/work/needs-attention?scope=team&limit=2');
    assert.equal(first.body.total, 3, 'only the New York ones are untouched');
    const second = await manager.api.get('/api/v1/work/needs-attention?scope=team&limit=2&offset=2');
    const topics = [...first.body.items, ...second.body.items].map(
      (item: { opportunity: { topic: string } }) => item.opportunity.topic,
    );
    assert.deepEqual(topics.sort(), ['York 0', 'York 1', 'York 2']);
  });

  it('a holiday pushes the untouched threshold to the next business day, in the owner’s zone', async () => {
    server.clock.set('2026-11-20T03:00:00.000Z'); // Friday 16:00 in Auckland
    const kiwi = await ownerIn('Kiri Auckland', 'Pacific/Auckland');
    await assignTo(kiwi, 'Before the holiday');
    const added = await admin.api.post('/api/v1/holidays', { date: '2026-11-23', name: 'Firm day' });
    assert.equal(added.status, 201);
    server.clock.set('2026-11-23T03:00:00.000Z'); // Monday 16:00 in Auckland: the holiday
    assert.equal((await reasonsOf(kiwi.api, 'Before the holiday')).untouched, undefined);
    server.clock.set('2026-11-24T02:59:59.999Z');
    assert.equal((await reasonsOf(kiwi.api, 'Before the holiday')).untouched, undefined);
    server.clock.set('2026-11-24T03:00:00.000Z'); // Tuesday 16:00
    assert.equal((await reasonsOf(kiwi.api, 'Before the holiday')).untouched?.due, '2026-11-24T03:00:00.000Z');
    const removed = await admin.api.delete('/api/v1/holidays/2026-11-23');
    assert.equal(removed.status, 200);
    assert.equal(
      (await reasonsOf(kiwi.api, 'Before the holiday')).untouched?.due,
      '2026-11-23T03:00:00.000Z',
      'without the holiday the rule was met on Monday',
    );
  });

  it('DST: one business day after Friday 17:00 Paris is Monday 17:00 Paris across the March and October changes', async () => {
    const owner = await ownerIn('Paul Paris', 'Europe/Paris');
    server.clock.set('2026-03-27T16:00:00.000Z'); // Friday 17:00 CET; clocks go forward on Sunday
    await assignTo(owner, 'Spring');
    server.clock.set('2026-03-30T14:59:59.999Z');
    assert.equal((await reasonsOf(owner.api, 'Spring')).untouched, undefined);
    server.clock.set('2026-03-30T15:00:00.000Z'); // Monday 17:00 CEST
    assert.equal((await reasonsOf(owner.api, 'Spring')).untouched?.due, '2026-03-30T15:00:00.000Z');

    server.clock.set('2026-10-23T15:00:00.000Z'); // Friday 17:00 CEST; clocks go back on Sunday
    await assignTo(owner, 'Autumn');
    server.clock.set('2026-10-26T15:59:59.999Z');
    assert.equal((await reasonsOf(owner.api, 'Autumn')).untouched, undefined);
    server.clock.set('2026-10-26T16:00:00.000Z'); // Monday 17:00 CET
    assert.equal((await reasonsOf(owner.api, 'Autumn')).untouched?.due, '2026-10-26T16:00:00.000Z');
  });

  it('a changed threshold takes effect on the next read', async () => {
    const owner = await ownerIn('Nora York', 'America/New_York');
    await assignTo(owner, 'Threshold');
    server.clock.set('2026-11-23T15:00:00.000Z'); // Monday: three business days after Wednesday
    assert.equal((await reasonsOf(owner.api, 'Threshold'))['no-activity'], undefined, 'five by default');
    await setRules({ ...DEFAULTS, noActivity: { on: true, businessDays: 3 } });
    assert.equal((await reasonsOf(owner.api, 'Threshold'))['no-activity']?.due, '2026-11-23T15:00:00.000Z');
    await setRules({ ...DEFAULTS, untouched: { on: true, businessDays: 4 } });
    assert.equal((await reasonsOf(owner.api, 'Threshold')).untouched, undefined, 'four business days: Tuesday');
    server.clock.set('2026-11-24T15:00:00.000Z');
    assert.equal((await reasonsOf(owner.api, 'Threshold')).untouched?.due, '2026-11-24T15:00:00.000Z');
  });

  it('each rule switched off is never a reason, and the item leaves the list when no rule is left', async () => {
    const owner = await ownerIn('Nora York', 'America/New_York');
    await assignTo(owner, 'Everything', { estimatedCloseDate: '2026-11-19' });
    server.clock.set('2026-12-01T15:00:00.000Z');
    const codes = async () => Object.keys(await reasonsOf(owner.api, 'Everything')).sort();
    assert.deepEqual(await codes(), ['no-activity', 'no-next-step', 'past-close-date', 'untouched']);
    await setRules({ ...DEFAULTS, untouched: { on: false, businessDays: 1 } });
    assert.deepEqual(await codes(), ['no-activity', 'no-next-step', 'past-close-date']);
    await setRules({
      ...DEFAULTS,
      untouched: { on: false, businessDays: 1 },
      noActivity: { on: false, businessDays: 5 },
    });
    assert.deepEqual(await codes(), ['no-next-step', 'past-close-date']);
    await setRules({
      untouched: { on: false, businessDays: 1 },
      noActivity: { on: false, businessDays: 5 },
      noNextStep: { on: false },
      pastCloseDate: { on: true },
    });
    assert.deepEqual(await codes(), ['past-close-date']);
    await setRules({
      untouched: { on: false, businessDays: 1 },
      noActivity: { on: false, businessDays: 5 },
      noNextStep: { on: false },
      pastCloseDate: { on: false },
    });
    const list = await owner.api.get('/api/v1/work/needs-attention');
    assert.deepEqual([list.body.items, list.body.total], [[], 0]);
  });

  it('anyone signed in reads the rules and holidays; only an admin changes them (403 naming no one)', async () => {
    const advisor = await server.advisor('Avery Plain');
    const manager = await server.advisor('Mia Manager', 'manager');
    const read = await advisor.api.get('/api/v1/exception-rules');
    assert.deepEqual([read.status, read.body], [200, DEFAULTS]);
    await admin.api.post('/api/v1/holidays', { date: '2026-12-25', name: 'Christmas Day' });
    await admin.api.post('/api/v1/holidays', { date: '2027-01-01', name: "New Year's Day" });
    const year = await advisor.api.get('/api/v1/holidays?year=2026');
    assert.deepEqual(year.body, [{ date: '2026-12-25', name: 'Christmas Day' }]);
    assert.equal((await advisor.api.get('/api/v1/holidays')).body.length, 2);
    for (const who of [advisor, manager]) {
      for (const res of [
        await who.api.put('/api/v1/exception-rules', DEFAULTS),
        await who.api.post('/api/v1/holidays', { date: '2026-12-26', name: 'Boxing Day' }),
        await who.api.delete('/api/v1/holidays/2026-12-25'),
      ]) {
        assert.equal(res.status, 403);
        assert.ok(!String(res.body.detail).includes('Ada'), res.body.detail);
      }
    }
    assert.equal((await advisor.api.get('/api/v1/holidays')).body.length, 2, 'nothing changed');
  });

  it('bad rules and holidays are 400 naming the field; a date that is a holiday already is 409; an unknown one 404', async () => {
    const cases: [unknown, string][] = [
      [{ ...DEFAULTS, untouched: { on: true, businessDays: 0 } }, 'body.untouched.businessDays'],
      [{ ...DEFAULTS, noActivity: { on: true, businessDays: 61 } }, 'body.noActivity.businessDays'],
      [{ ...DEFAULTS, noActivity: { on: true, businessDays: 1.5 } }, 'body.noActivity.businessDays'],
      [{ ...DEFAULTS, noNextStep: { on: 'yes' } }, 'body.noNextStep.on'],
      [{ ...DEFAULTS, pastCloseDate: undefined }, 'body.pastCloseDate'],
    ];
    for (const [body, path] of cases) {
      const res = await admin.api.put('/api/v1/exception-rules', body);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path === path),
        `${path}: ${JSON.stringify(res.body)}`,
      );
    }
    for (const [body, path] of [
      [{ date: '2026-13-01', name: 'Nope' }, 'body.date'],
      [{ date: '25/12/2026', name: 'Nope' }, 'body.date'],
      [{ date: '2026-12-25', name: '  ' }, 'body.name'],
    ] as const) {
      const res = await admin.api.post('/api/v1/holidays', body);
      assert.equal(res.status, 400, path);
      assert.equal(res.body.errors[0].path, path);
    }
    assert.equal((await admin.api.get('/api/v1/holidays?year=twenty')).body.errors[0].path, 'query.year');
    assert.equal((await admin.api.post('/api/v1/holidays', { date: '2026-12-25', name: 'Christmas' })).status, 201);
    const again = await admin.api.post('/api/v1/holidays', { date: '2026-12-25', name: 'Xmas' });
    assert.deepEqual([again.status, again.body.errors[0].path], [409, 'body.date']);
    assert.equal((await admin.api.delete('/api/v1/holidays/2026-12-24')).status, 404);
    assert.equal((await admin.api.delete('/api/v1/holidays/tomorrow')).status, 400);
  });

  it('two admins adding the same holiday at once: one is added, the other gets 409 naming body.date', async () => {
    const other = await server.advisor('Otto Admin', 'admin');
    const [a, b] = await Promise.all([
      admin.api.post('/api/v1/holidays', { date: '2026-12-31', name: "New Year's Eve" }),
      other.api.post('/api/v1/holidays', { date: '2026-12-31', name: 'Year end' }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409]);
    assert.equal((a.status === 409 ? a : b).body.errors[0].path, 'body.date');
    assert.equal((await admin.api.get('/api/v1/holidays')).body.length, 1);
  });

  it('an advisor sets their own time zone; an invalid one is 400 naming body.timeZone', async () => {
    const advisor = await server.advisor('Avery Plain');
    const set = await advisor.api.patch('/api/v1/me/preferences', { timeZone: 'Pacific/Auckland' });
    assert.deepEqual([set.status, set.body.timeZone], [200, 'Pacific/Auckland']);
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'Pacific/Auckland');
    const bad = await advisor.api.patch('/api/v1/me/preferences', { timeZone: 'Mars/Olympus_Mons' });
    assert.deepEqual([bad.status, bad.body.errors[0].path], [400, 'body.timeZone']);
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'Pacific/Auckland', 'unchanged');
  });

  it("an admin sets an advisor's time zone; an invalid one is 400 naming body.timeZone; nobody else may", async () => {
    const advisor = await server.advisor('Avery Plain');
    const manager = await server.advisor('Mia Manager', 'manager');
    const set = await admin.api.patch(`/api/v1/advisors/${advisor.record.id}`, { timeZone: 'America/New_York' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'America/New_York');
    const bad = await admin.api.patch(`/api/v1/advisors/${advisor.record.id}`, { timeZone: 'Europe/Atlantis' });
    assert.deepEqual([bad.status, bad.body.errors[0].path], [400, 'body.timeZone']);
    const denied = await manager.api.patch(`/api/v1/advisors/${advisor.record.id}`, { timeZone: 'UTC' });
    assert.equal(denied.status, 403);
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'America/New_York');
  });
});
