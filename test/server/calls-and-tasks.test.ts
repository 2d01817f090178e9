import assert from 'node:assert/strict';
import { referral, startTestServer, WEDNESDAY, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

/** Minutes after the suites' clock (WEDNESDAY), as the API takes it. */
const at = (minutes: number) => new Date(Date.parse(WEDNESDAY) + minutes * 60_000).toISOString();

describe('Phone calls and tasks (issue 13, point 2)', () => {
  let server: TestServer;
  let alex: Client;
  let blake: Client;
  let admin: Client;
  let opportunityId: number;
  let contactId: number;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex');
    blake = await server.advisor('Blake');
    admin = await server.advisor('Ada', 'admin');
    const created = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'rory@client.example'));
    opportunityId = created.body.opportunity.id;
    contactId = created.body.opportunity.customerContact.id;
  });
  afterEach(() => server.close());

  const labels = async () => (await alex.api.get('/api/v1/activity-labels')).body as { id: number; key: string }[];
  const label = async (key: string) => (await labels()).find((l) => l.key === key)!.id;
  const log = (who: Client, body: Record<string, unknown>) =>
    who.api.post('/api/v1/activities', { opportunityId, ...body });
  const reasons = async (who: Client = alex) => {
    const res = await who.api.get('/api/v1/work/needs-attention?scope=me');
    const entry = (res.body.items as { opportunity: { id: number }; reasons: { code: string }[] }[]).find(
      (item) => item.opportunity.id === opportunityId,
    );
    return entry ? entry.reasons.map((r) => r.code) : [];
  };

  it('logs a completed phone call with its direction, contact, duration, category and outcome', async () => {
    const res = await log(alex, {
      kind: 'phone_call',
      status: 'completed',
      subject: 'Discussed the rollover',
      startAt: at(-30),
      durationMinutes: 15,
      direction: 'outgoing',
      contactId,
      description: 'Wants a proposal next week',
      categoryId: await label('follow-up-call'),
      outcomeId: await label('reached'),
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.status, 'completed');
    assert.equal(res.body.direction, 'outgoing');
    assert.equal(res.body.durationMinutes, 15);
    assert.equal(res.body.contact.id, contactId);
    assert.equal(res.body.category.key, 'follow-up-call');
    assert.equal(res.body.outcome.key, 'reached');
    assert.equal(res.body.description, 'Wants a proposal next week');
    const timeline = await alex.api.get(`/api/v1/opportunities/${opportunityId}/activities`);
    assert.equal(timeline.body.items[0].outcome.name, 'Reached');
  });

  it('logs an open call by default', async () => {
    const res = await log(alex, { kind: 'phone_call', subject: 'Call back', startAt: at(60 * 24) });
    assert.equal(res.status, 201);
    assert.equal(res.body.status, 'open');
  });

  it('refuses a completed call starting more than 5 minutes from now, naming startAt; 4 minutes ahead is allowed', async () => {
    const refused = await log(alex, { kind: 'phone_call', status: 'completed', subject: 'Later', startAt: at(6) });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].path, 'body.startAt');
    assert.match(refused.body.errors[0].message, /completed only once it has happened/);
    const allowed = await log(alex, { kind: 'phone_call', status: 'completed', subject: 'Now', startAt: at(4) });
    assert.equal(allowed.status, 201);
  });

  it('refuses completing a future call, and moving a completed call into the future, on edit and on complete', async () => {
    const open = await log(alex, { kind: 'phone_call', subject: 'Tomorrow', startAt: at(60 * 24) });
    const complete = await alex.api.patch(`/api/v1/activities/${open.body.id}`, { status: 'completed' });
    assert.equal(complete.status, 400);
    assert.equal(complete.body.errors[0].path, 'body.status');
    const done = await log(alex, { kind: 'phone_call', status: 'completed', subject: 'Earlier', startAt: at(-60) });
    const moved = await alex.api.patch(`/api/v1/activities/${done.body.id}`, { startAt: at(60) });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.errors[0].path, 'body.startAt');
    server.clock.set(at(60 * 24));
    assert.equal((await alex.api.patch(`/api/v1/activities/${open.body.id}`, { status: 'completed' })).status, 200);
  });

  it('edits, completes and cancels, as the rules for activities say: not another advisor', async () => {
    const task = await log(alex, { kind: 'task', subject: 'Send forms', startAt: at(60 * 48) });
    const edited = await alex.api.patch(`/api/v1/activities/${task.body.id}`, {
      subject: 'Send the signed forms',
      startAt: null,
      description: 'Both of them',
      categoryId: await label('paperwork'),
    });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.subject, 'Send the signed forms');
    assert.equal(edited.body.startAt, null);
    assert.equal(edited.body.category.key, 'paperwork');
    assert.equal((await blake.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'completed' })).status, 403);
    const completed = await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'completed' });
    assert.equal(completed.body.status, 'completed');
    const other = await log(alex, { kind: 'task', subject: 'Maybe' });
    const canceled = await alex.api.patch(`/api/v1/activities/${other.body.id}`, { status: 'canceled' });
    assert.equal(canceled.body.status, 'canceled');
  });

  it('an undated open task is a next step; a completed one or a past call is not', async () => {
    assert.ok((await reasons()).includes('no-next-step'));
    const past = await log(alex, { kind: 'phone_call', subject: 'Earlier', startAt: at(-60) });
    assert.ok((await reasons()).includes('no-next-step'));
    await alex.api.patch(`/api/v1/activities/${past.body.id}`, { status: 'canceled' });
    const task = await log(alex, { kind: 'task', subject: 'Undated' });
    assert.ok(!(await reasons()).includes('no-next-step'));
    await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'completed' });
    assert.ok((await reasons()).includes('no-next-step'));
    await log(alex, { kind: 'phone_call', subject: 'Tomorrow', startAt: at(60 * 24) });
    assert.ok(!(await reasons()).includes('no-next-step'));
  });

  it('a logged call is a touch: the opportunity is no longer untouched', async () => {
    server.clock.set(at(60 * 24 * 3));
    assert.ok((await reasons()).includes('untouched'));
    await log(alex, {
      kind: 'phone_call',
      status: 'completed',
      subject: 'Reached them',
      startAt: at(60 * 24 * 3 - 10),
    });
    assert.ok(!(await reasons()).includes('untouched'));
  });

  it('answers 400 naming each field that is not valid', async () => {
    const res = await log(alex, {
      kind: 'task',
      subject: ' ',
      durationMinutes: -5,
      startAt: 'tomorrow',
    });
    assert.equal(res.status, 400);
    const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
    assert.deepEqual(paths, ['body.durationMinutes', 'body.startAt', 'body.subject']);
    const rules = await log(alex, {
      kind: 'task',
      subject: 'Forms',
      direction: 'incoming',
      outcomeId: await label('reached'),
      categoryId: await label('reached'),
      contactId: 99999,
    });
    assert.equal(rules.status, 400);
    assert.deepEqual((rules.body.errors as { path: string }[]).map((e) => e.path).sort(), [
      'body.categoryId',
      'body.contactId',
      'body.direction',
      'body.outcomeId',
    ]);
  });

  it('lists categories and outcomes to anyone signed in; only an admin adds, renames or retires one', async () => {
    const list = await labels();
    assert.ok(list.some((l) => l.key === 'first-appointment'));
    assert.ok(list.some((l) => l.key === 'left-voicemail'));
    assert.equal((await alex.api.post('/api/v1/activity-labels', { kind: 'category', name: 'Review' })).status, 403);
    const added = await admin.api.post('/api/v1/activity-labels', { kind: 'category', name: 'Annual review' });
    assert.equal(added.status, 201);
    assert.equal(added.body.key, 'annual-review');
    const duplicate = await admin.api.post('/api/v1/activity-labels', { kind: 'category', name: 'annual REVIEW' });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.errors[0].path, 'body.name');
    const id = added.body.id;
    assert.equal((await alex.api.patch(`/api/v1/activity-labels/${id}`, { retired: true })).status, 403);
    const renamed = await admin.api.patch(`/api/v1/activity-labels/${id}`, { name: 'Yearly review' });
    assert.equal(renamed.body.name, 'Yearly review');
    assert.equal(renamed.body.key, 'annual-review');
    const used = await log(alex, { kind: 'task', subject: 'Review', categoryId: id });
    const retired = await admin.api.patch(`/api/v1/activity-labels/${id}`, { retired: true });
    assert.equal(retired.body.retired, true);
    const refused = await log(alex, { kind: 'task', subject: 'Review again', categoryId: id });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errors[0].path, 'body.categoryId');
    const kept = await alex.api.patch(`/api/v1/activities/${used.body.id}`, { subject: 'Review', categoryId: id });
    assert.equal(kept.status, 200);
    assert.equal(kept.body.category.name, 'Yearly review');
  });

  it('an appointment linked to the same opportunity replaces the scheduled next-step task: it is canceled, not completed', async () => {
    const task = await log(alex, { kind: 'task', subject: 'Meet Rory', startAt: at(60 * 24), scheduledNextStep: true });
    assert.equal(task.body.scheduledNextStep, true);
    const appointment = await alex.api.post('/api/v1/activities/regarding', {
      item: { kind: 'appointment', itemId: 'appt-1', subject: 'Meet Rory', startAt: at(60 * 24), endAt: at(60 * 25) },
      opportunityId,
    });
    const replaced = await alex.api.patch(`/api/v1/activities/${task.body.id}`, {
      status: 'canceled',
      replacedById: appointment.body.id,
    });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.status, 'canceled');
    assert.equal(replaced.body.replacedById, appointment.body.id);
    assert.ok(!(await reasons()).includes('no-next-step'));
    const plain = await log(alex, { kind: 'task', subject: 'Not a next step' });
    const notScheduled = await alex.api.patch(`/api/v1/activities/${plain.body.id}`, {
      status: 'canceled',
      replacedById: appointment.body.id,
    });
    assert.equal(notScheduled.status, 409);
    const other = await log(alex, { kind: 'task', subject: 'Other', scheduledNextStep: true });
    const byTask = await alex.api.patch(`/api/v1/activities/${other.body.id}`, {
      status: 'canceled',
      replacedById: plain.body.id,
    });
    assert.equal(byTask.status, 400);
    assert.equal(byTask.body.errors[0].path, 'body.replacedById');
  });
  it('refuses a completed call without a date and time, and a call whose end is before its start, naming the field', async () => {
    const undated = await log(alex, { kind: 'phone_call', status: 'completed', subject: 'When?' });
    assert.equal(undated.status, 400);
    assert.equal(undated.body.errors[0].path, 'body.startAt');
    const backwards = await log(alex, { kind: 'phone_call', subject: 'Back', startAt: at(-30), endAt: at(-60) });
    assert.equal(backwards.status, 400);
    assert.equal(backwards.body.errors[0].path, 'body.endAt');
    const endsLater = await log(alex, {
      kind: 'phone_call',
      status: 'completed',
      subject: 'Still going',
      startAt: at(-10),
      endAt: at(60),
    });
    assert.equal(endsLater.status, 400, 'a completed call has ended');
    const open = await log(alex, { kind: 'phone_call', subject: 'Later', startAt: at(60) });
    const cleared = await alex.api.patch(`/api/v1/activities/${open.body.id}`, { startAt: null, status: 'completed' });
    assert.equal(cleared.status, 400, 'clearing the time does not make a future call completable');
    assert.equal(cleared.body.errors[0].path, 'body.startAt');
    const moved = await alex.api.patch(`/api/v1/activities/${open.body.id}`, { endAt: at(30) });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.errors[0].path, 'body.endAt');
    assert.equal(await server.value('SELECT count(*) FROM activities'), 1, 'only the open call is saved');
    assert.equal(await server.value('SELECT start_at FROM activities'), at(60), 'and it is unchanged');
  });

  it('an undated open call is not a next step (only an undated task is)', async () => {
    await log(alex, { kind: 'phone_call', subject: 'Call back sometime' });
    assert.ok((await reasons()).includes('no-next-step'));
  });

  it("only those who handle an opportunity log calls and tasks on it, so another advisor's entry never clears its flags", async () => {
    assert.ok((await reasons()).includes('untouched') || (await reasons()).includes('no-next-step'));
    const before = await reasons();
    const refused = await log(blake, { kind: 'task', subject: 'Not mine', startAt: at(60 * 24) });
    assert.equal(refused.status, 403);
    assert.deepEqual(await reasons(), before, 'the flags are unchanged');
    assert.equal(await server.value('SELECT count(*) FROM activities'), 0);
  });

  it('on a closed opportunity, calls and tasks may be completed or canceled, not edited, reopened or logged', async () => {
    const task = await log(alex, { kind: 'task', subject: 'Forms' });
    const other = await log(alex, { kind: 'task', subject: 'Other forms' });
    const version = (await alex.api.get(`/api/v1/opportunities/${opportunityId}`)).body.opportunity.version;
    const closed = await alex.api.post(
      `/api/v1/opportunities/${opportunityId}/close`,
      { outcome: 'won' },
      {
        'If-Match': `"${version}"`,
      },
    );
    assert.equal(closed.status, 200);
    assert.equal((await alex.api.patch(`/api/v1/activities/${task.body.id}`, { subject: 'Changed' })).status, 409);
    assert.equal((await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'completed' })).status, 200);
    assert.equal((await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'open' })).status, 409);
    assert.equal((await alex.api.patch(`/api/v1/activities/${other.body.id}`, { status: 'canceled' })).status, 200);
    assert.equal((await log(alex, { kind: 'task', subject: 'New' })).status, 409);
    const rows = await server.rows('SELECT subject, status FROM activities ORDER BY id');
    assert.deepEqual(rows, [
      { subject: 'Forms', status: 'completed' },
      { subject: 'Other forms', status: 'canceled' },
    ]);
  });

  it('only an appointment to come and not canceled replaces a next-step task; a reopened task is no longer replaced', async () => {
    const task = await log(alex, { kind: 'task', subject: 'Meet', startAt: at(60 * 24), scheduledNextStep: true });
    const linkAppointment = async (itemId: string, start: number) =>
      (
        await alex.api.post('/api/v1/activities/regarding', {
          item: { kind: 'appointment', itemId, subject: 'Meet', startAt: at(start), endAt: at(start + 60) },
          opportunityId,
        })
      ).body.id as number;
    const past = await linkAppointment('past', -60 * 24);
    const canceled = await linkAppointment('canceled', 60 * 48);
    await alex.api.patch(`/api/v1/activities/${canceled}`, { status: 'canceled' });
    for (const replacedById of [past, canceled]) {
      const refused = await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'canceled', replacedById });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0].path, 'body.replacedById');
    }
    const coming = await linkAppointment('coming', 60 * 24);
    const replaced = await alex.api.patch(`/api/v1/activities/${task.body.id}`, {
      status: 'canceled',
      replacedById: coming,
    });
    assert.equal(replaced.body.replacedById, coming);
    const reopened = await alex.api.patch(`/api/v1/activities/${task.body.id}`, { status: 'open' });
    assert.equal(reopened.body.status, 'open');
    assert.equal(reopened.body.replacedById, null);
  });
  it('schedules one next step per advisor and opportunity: a second schedule, even at the same instant, gets the open one', async () => {
    const schedule = () =>
      log(alex, { kind: 'task', subject: 'Rollover: next step', startAt: at(60 * 24), scheduledNextStep: true });
    const [first, second] = await Promise.all([schedule(), schedule()]);
    assert.equal(first.body.id, second.body.id, 'the same task');
    const third = await schedule();
    assert.equal(third.body.id, first.body.id);
    const count = () => server.value("SELECT count(*) FROM activities WHERE kind = 'task' AND scheduled_next_step");
    assert.equal(await count(), 1);
    await alex.api.patch(`/api/v1/activities/${first.body.id}`, { status: 'completed' });
    const next = await schedule();
    assert.notEqual(next.body.id, first.body.id, 'once it is done, the next one is a new task');
    assert.equal(await count(), 2);
    const plain = await log(alex, { kind: 'task', subject: 'Another task' });
    assert.notEqual(plain.body.id, next.body.id, 'a task that is not a scheduled next step is always new');
  });
});
