import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

describe('Set Regarding (activities API)', () => {
  let server: TestServer;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;
  let blake: Awaited<ReturnType<TestServer['advisor']>>;
  let first: number;
  let second: number;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex');
    blake = await server.advisor('Blake');
    first = (await alex.api.post('/api/v1/opportunities', referral('First', 'one@client.example'))).body.opportunity.id;
    second = (await alex.api.post('/api/v1/opportunities', referral('Second', 'two@client.example'))).body.opportunity
      .id;
  });
  afterEach(() => server.close());

  const activityCount = () => server.value<number>('SELECT count(*) FROM activities');

  it('links a received email once, however often it is called', async () => {
    const a = await alex.api.post('/api/v1/activities/regarding', { item: emailItem('<m@x>'), opportunityId: first });
    const b = await alex.api.post('/api/v1/activities/regarding', { item: emailItem('<m@x>'), opportunityId: first });
    assert.equal(a.status, 200);
    assert.equal(a.body.id, b.body.id);
    assert.equal(a.body.regarding.id, first);
    assert.equal(a.body.status, 'completed');
    assert.deepEqual(a.body.participants.map((p: { role: string }) => p.role).sort(), ['from', 'to']);
    assert.equal(await activityCount(), 1);
    const found = await blake.api.get(`/api/v1/activities/lookup?internetMessageId=${encodeURIComponent('<m@x>')}`);
    assert.equal(found.body.id, a.body.id);
  });

  it('makes one activity when many requests for the same email arrive at once, from two advisors', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? alex : blake).api.post('/api/v1/activities/regarding', {
        item: emailItem('<concurrent@x>'),
        opportunityId: first,
      }),
    );
    const results = await Promise.all(calls);
    assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
    assert.equal(new Set(results.map((r) => r.body.id)).size, 1);
    assert.equal(await activityCount(), 1);
  });

  it('leaves the activity untouched when the same item is linked to the same opportunity again', async () => {
    const link = (item: Record<string, unknown>, opportunityId = first) =>
      alex.api.post('/api/v1/activities/regarding', { item, opportunityId });
    // The API shows no version: it is the stored one, on which the rules' stamps are made.
    const version = async (id: number) => Number(await server.value('SELECT version FROM activities WHERE id = ?', id));
    const audited = async (id: number) =>
      Number(
        await server.value(
          "SELECT count(*) FROM audit_log WHERE entity = 'activity' AND entity_id = ? AND action = 'set-regarding'",
          id,
        ),
      );
    const linked = await link(emailItem('<again@x>'));
    assert.equal(linked.status, 200);
    const id = linked.body.id as number;
    const created = await version(id);

    server.clock.advance(60_000);
    const again = await link(emailItem('<again@x>'));
    assert.equal(again.status, 200);
    assert.equal(again.body.id, id);
    assert.equal(await version(id), created, 'nothing changed: no new version');
    assert.equal(again.body.updatedAt, linked.body.updatedAt);
    const reordered = await link(
      emailItem('<again@x>', { participants: [...emailItem('<again@x>').participants].reverse() }),
    );
    assert.equal(await version(id), created, 'the same participants in another order are no change');
    assert.equal(reordered.body.updatedAt, linked.body.updatedAt);
    assert.equal(await audited(id), 2, 'the advisor did link it again: audited each time');
    const recent = await server.value(
      'SELECT used_at FROM opportunity_recent WHERE advisor_id = ? AND opportunity_id = ?',
      alex.record.id,
      first,
    );
    assert.equal(new Date(recent as string).toISOString(), server.clock.now().toISOString(), 'and marked Recent');

    const subject = 'Re: About the rollover';
    const participants = [
      ...emailItem('<again@x>').participants,
      { email: 'partner@client.example', name: 'Partner', role: 'cc' },
    ];
    const changes: [string, Record<string, unknown>, number][] = [
      ['a new subject', emailItem('<again@x>', { subject }), first],
      ['a new participant', emailItem('<again@x>', { subject, participants }), first],
      ['another opportunity', emailItem('<again@x>', { subject, participants }), second],
    ];
    let expected = created;
    for (const [change, item, opportunityId] of changes) {
      server.clock.advance(60_000);
      const changed = await link(item, opportunityId);
      assert.equal(changed.status, 200, change);
      expected += 1;
      assert.equal(await version(id), expected, `${change}: a new version`);
      assert.equal(new Date(changed.body.updatedAt).toISOString(), server.clock.now().toISOString(), change);
    }
    const last = await alex.api.get(`/api/v1/activities/lookup?internetMessageId=${encodeURIComponent('<again@x>')}`);
    assert.equal(last.body.subject, 'Re: About the rollover');
    assert.equal(last.body.participants.length, 3);
    assert.equal(last.body.regarding.id, second);
  });

  it("changes and removes regarding, and lets only the linker or the opportunity's handler move it", async () => {
    const linked = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<move@x>'),
      opportunityId: first,
    });
    const id = linked.body.id;
    const blakes = (await blake.api.post('/api/v1/opportunities', referral("Blake's", 'b@client.example'))).body
      .opportunity.id;
    const stolen = await blake.api.post('/api/v1/activities/regarding', {
      item: emailItem('<move@x>'),
      opportunityId: blakes,
    });
    assert.equal(stolen.status, 403);
    assert.match(stolen.body.detail, /already regarding "First"/);
    assert.equal((await blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: blakes })).status, 403);
    assert.equal((await blake.api.delete(`/api/v1/activities/${id}/regarding`)).status, 403);

    const changed = await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: second });
    assert.equal(changed.body.regarding.id, second);
    const removed = await alex.api.delete(`/api/v1/activities/${id}/regarding`);
    assert.equal(removed.status, 200);
    assert.equal(removed.body.regarding, null);
    const relinked = await blake.api.post('/api/v1/activities/regarding', {
      item: emailItem('<move@x>'),
      opportunityId: blakes,
    });
    assert.equal(relinked.status, 200, 'an unlinked item may be linked by anyone');
    assert.equal(relinked.body.id, id);
    assert.equal((await alex.api.put('/api/v1/activities/999/regarding', { opportunityId: first })).status, 404);
    assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: 999 })).status, 404);
  });

  it('records a compose draft as pending and completes it when the sent copy is known', async () => {
    const token = randomUUID();
    const draft = await alex.api.post('/api/v1/activities/regarding', {
      item: {
        kind: 'email',
        trackingToken: token,
        subject: 'Draft',
        participants: [{ email: 'one@client.example', role: 'to' }],
      },
      opportunityId: first,
    });
    assert.equal(draft.body.outlook.pending, true);
    const byToken = await alex.api.get(`/api/v1/activities/lookup?trackingToken=${token}`);
    assert.equal(byToken.body.id, draft.body.id);

    const sent = await alex.api.post(`/api/v1/activities/${draft.body.id}/sent`, {
      internetMessageId: '<sent@firm>',
      sentAt: '2026-11-18T10:05:00Z',
    });
    assert.equal(sent.status, 200);
    assert.equal(sent.body.outlook.pending, false);
    assert.equal(sent.body.outlook.internetMessageId, '<sent@firm>');
    const again = await alex.api.post(`/api/v1/activities/${draft.body.id}/sent`, { internetMessageId: '<sent@firm>' });
    assert.equal(again.status, 200, 'completing twice is harmless');
    assert.equal(
      (await alex.api.post(`/api/v1/activities/${draft.body.id}/sent`, { internetMessageId: '<other@firm>' })).status,
      409,
    );
    assert.equal(await activityCount(), 1);
  });

  it('folds a pending draft into the sent email when the sent copy is linked with the same token', async () => {
    const token = randomUUID();
    await alex.api.post('/api/v1/activities/regarding', {
      item: { kind: 'email', trackingToken: token, subject: 'Draft' },
      opportunityId: first,
    });
    await blake.api.post('/api/v1/activities/regarding', { item: emailItem('<sent2@firm>'), opportunityId: first });
    const merged = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<sent2@firm>', { trackingToken: token }),
      opportunityId: first,
    });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.outlook.trackingToken, token);
    assert.equal(await activityCount(), 1, 'one message, one activity');
  });

  it('links an appointment by item id (series id for a recurring series) and keeps it open', async () => {
    const item = {
      kind: 'appointment',
      itemId: 'AAMkSeries==',
      subject: 'Review meeting',
      startAt: '2026-11-20T15:00:00Z',
      endAt: '2026-11-20T16:00:00Z',
      location: 'Office',
      participants: [
        { email: 'one@client.example', role: 'attendee' },
        { email: 'alex@firm.example', role: 'organizer' },
      ],
    };
    const a = await alex.api.post('/api/v1/activities/regarding', { item, opportunityId: first });
    const b = await alex.api.post('/api/v1/activities/regarding', { item, opportunityId: first });
    assert.equal(a.body.id, b.body.id);
    assert.equal(a.body.kind, 'appointment');
    assert.equal(a.body.status, 'open');
    const completed = await alex.api.patch(`/api/v1/activities/${a.body.id}`, { status: 'completed' });
    assert.equal(completed.body.status, 'completed');
  });

  it('rejects items without an identity and names the field', async () => {
    const res = await alex.api.post('/api/v1/activities/regarding', {
      item: { kind: 'email', subject: 'x' },
      opportunityId: first,
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].path, 'body.item.internetMessageId');
    const lookup = await alex.api.get('/api/v1/activities/lookup');
    assert.equal(lookup.status, 400);
    assert.equal((await alex.api.get('/api/v1/activities/lookup?internetMessageId=nope')).status, 404);
  });

  it('records tasks and calls as next steps, not on closed opportunities', async () => {
    const task = await alex.api.post('/api/v1/activities', {
      kind: 'phone_call',
      subject: 'Call back',
      opportunityId: first,
      startAt: '2026-11-19T09:00:00Z',
    });
    assert.equal(task.status, 201);
    assert.equal(task.body.kind, 'phone_call');
    await alex.api.post(`/api/v1/opportunities/${second}/close`, { outcome: 'lost', reason: 'Went elsewhere' });
    assert.equal(
      (await alex.api.post('/api/v1/activities', { kind: 'task', subject: 'x', opportunityId: second })).status,
      409,
    );
  });

  it('hides a closed opportunity from whoever may not read it, on lookup and in the refusal to move the item', async () => {
    const linked = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<closed@x>'),
      opportunityId: first,
    });
    const lookup = (advisor: typeof alex) =>
      advisor.api.get(`/api/v1/activities/lookup?internetMessageId=${encodeURIComponent('<closed@x>')}`);
    assert.equal((await lookup(blake)).body.regarding.topic, 'First', 'an open opportunity is readable by everyone');

    await alex.api.post(`/api/v1/opportunities/${first}/close`, { outcome: 'won', actualValue: 100 });
    assert.equal((await lookup(alex)).body.regarding.topic, 'First', 'the owner still sees it');
    const seenByBlake = await lookup(blake);
    assert.equal(seenByBlake.status, 200);
    assert.equal(seenByBlake.body.id, linked.body.id);
    assert.deepEqual(seenByBlake.body.regarding, { id: first, hidden: true });
    assert.equal(JSON.stringify(seenByBlake.body).includes('First'), false);

    const blakes = (await blake.api.post('/api/v1/opportunities', referral("Blake's", 'b2@client.example'))).body
      .opportunity.id;
    const refused = await blake.api.post('/api/v1/activities/regarding', {
      item: emailItem('<closed@x>'),
      opportunityId: blakes,
    });
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /already regarding a closed opportunity you cannot open/);
    assert.equal(refused.body.detail.includes('First'), false);
    assert.equal(refused.body.detail.includes('Alex'), false, 'nor who linked it (issue 11, finding 3)');
  });
});
