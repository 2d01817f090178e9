import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Interleaver } from '../helpers/interleave';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

/** Issue 11, findings 1-3: an activity is changed only by its creator or whoever may act on its opportunity. */
describe('activity ownership (issue 11)', () => {
  let interleaver: Interleaver;
  let server: TestServer;
  let alex: Advisor;
  let blake: Advisor;
  let carol: Advisor;
  let alexs: number;
  let blakes: number;
  let blakesOther: number;

  beforeEach(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    alex = await server.advisor('Alex');
    blake = await server.advisor('Blake');
    carol = await server.advisor('Carol');
    const create = async (advisor: Advisor, topic: string, email: string) =>
      (await advisor.api.post('/api/v1/opportunities', referral(topic, email))).body.opportunity.id as number;
    alexs = await create(alex, "Alex's", 'a@client.example');
    blakes = await create(blake, "Blake's", 'b@client.example');
    blakesOther = await create(blake, "Blake's other", 'b2@client.example');
  });
  afterEach(() => server.close());

  const row = async (id: number) =>
    (
      await server.rows<{
        regarding: number | null;
        subject: string;
        status: string;
        token: string | null;
        version: number;
      }>(
        'SELECT regarding_opportunity_id AS regarding, subject, status, tracking_token AS token, version FROM activities WHERE id = ?',
        id,
      )
    )[0];
  const participants = async (id: number) =>
    (
      await server.rows<{ email: string }>(
        'SELECT email FROM activity_participants WHERE activity_id = ? ORDER BY email',
        id,
      )
    ).map((r) => r.email);
  const link = async (advisor: Advisor, item: object, opportunityId: number) => {
    const res = await advisor.api.post('/api/v1/activities/regarding', { item, opportunityId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.id as number;
  };
  const draft = (token: string, subject = 'Draft') => ({
    kind: 'email',
    trackingToken: token,
    subject,
    participants: [{ email: 'a@client.example', role: 'to' }],
  });
  const lookup = (advisor: Advisor, query: string) => advisor.api.get(`/api/v1/activities/lookup?${query}`);
  const byMessageId = (id: string) => `internetMessageId=${encodeURIComponent(id)}`;

  it("finding 1: another advisor's tracking token folds away none of their activities, even on a won opportunity", async () => {
    const token = randomUUID();
    const alexsDraft = await link(alex, draft(token), alexs);
    await alex.api.post(`/api/v1/opportunities/${alexs}/close`, { outcome: 'won', actualValue: 100 });
    await link(blake, emailItem('<blakes-own@firm>'), blakes);

    const merge = await blake.api.post('/api/v1/activities/regarding', {
      item: emailItem('<blakes-own@firm>', { trackingToken: token }),
      opportunityId: blakes,
    });
    assert.equal(merge.status, 403);
    assert.equal(merge.body.detail.includes('Alex'), false, 'the refusal names no one Blake may not see');
    assert.equal((await row(alexsDraft)).regarding, alexs, "Alex's draft is still there, on Alex's opportunity");

    const viaNewOpportunity = await blake.api.post(
      '/api/v1/opportunities',
      referral('Taken over', 'c@client.example', {
        linkItem: emailItem('<blakes-new@firm>', { trackingToken: token }),
      }),
    );
    assert.equal(viaNewOpportunity.status, 403);
    assert.equal(await server.value("SELECT count(*) FROM opportunities WHERE topic = 'Taken over'"), 0);
    assert.equal((await row(alexsDraft)).regarding, alexs);

    // completeSent folds too: Blake's own draft completed with the message id of Alex's record of a sent email.
    const alexsSent = await link(alex, emailItem('<alexs-sent@firm>'), alexs);
    const blakesDraft = await link(blake, draft(randomUUID()), blakes);
    const fold = await blake.api.post(`/api/v1/activities/${blakesDraft}/sent`, {
      internetMessageId: '<alexs-sent@firm>',
    });
    assert.equal(fold.status, 403);
    assert.notEqual(await row(blakesDraft), undefined);
    assert.equal((await row(alexsSent)).token, null, "Alex's record did not take Blake's draft");

    const relinked = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<alexs-draft-sent@firm>', { trackingToken: token }),
      opportunityId: alexs,
    });
    assert.equal(relinked.status, 200, 'Alex still re-links his own sent email');
    assert.equal(relinked.body.id, alexsDraft);
    assert.equal(relinked.body.outlook.trackingToken, token);
  });

  it("finding 2: re-posting another advisor's email to the same opportunity changes nothing of it", async () => {
    const item = emailItem('<same@firm>', { subject: 'Original' });
    const id = await link(alex, item, alexs);
    const before = { ...(await row(id)), participants: await participants(id) };

    const again = await blake.api.post('/api/v1/activities/regarding', {
      item: emailItem('<same@firm>', {
        subject: 'Rewritten',
        participants: [{ email: 'someone@else.example', role: 'from' }],
        sentAt: '2020-01-01T00:00:00Z',
      }),
      opportunityId: alexs,
    });
    assert.equal(again.status, 200, 'a no-op: it is regarding what was asked');
    assert.equal(again.body.id, id);
    assert.equal(again.body.subject, 'Original');
    assert.deepEqual(
      { ...(await row(id)), participants: await participants(id) },
      before,
      'not even its version moved',
    );

    const sameTarget = await blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs });
    assert.equal(sameTarget.status, 200);
    assert.equal((await row(id)).version, before.version);
    assert.equal((await blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: blakes })).status, 403);
  });

  it('finding 3: an unlinked activity is its creator’s alone (404 like a missing id), and refusals never name the linker', async () => {
    const id = await link(alex, emailItem('<unlinked@firm>', { subject: 'Private' }), alexs);
    assert.equal((await alex.api.delete(`/api/v1/activities/${id}/regarding`)).status, 200);

    const missing = 999_999;
    const asMissing = async (res: Promise<{ status: number; body: { detail: string } }>, path: string) => {
      const answer = await res;
      assert.equal(answer.status, 404, path);
      assert.equal(answer.body.detail, `Activity ${id} was not found.`, path);
    };
    const notFound = await blake.api.put(`/api/v1/activities/${missing}/regarding`, { opportunityId: blakes });
    assert.equal(notFound.body.detail, `Activity ${missing} was not found.`);
    await asMissing(blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: blakes }), 'change');
    await asMissing(blake.api.delete(`/api/v1/activities/${id}/regarding`), 'remove');
    await asMissing(blake.api.patch(`/api/v1/activities/${id}`, { status: 'canceled' }), 'status');
    await asMissing(blake.api.post(`/api/v1/activities/${id}/sent`, { internetMessageId: '<x@y>' }), 'sent');
    const hidden = await lookup(blake, byMessageId('<unlinked@firm>'));
    const absent = await lookup(blake, byMessageId('<never@firm>'));
    assert.deepEqual([hidden.status, hidden.body.detail], [absent.status, absent.body.detail]);
    assert.equal(JSON.stringify(hidden.body).includes('Private'), false);
    assert.equal((await lookup(alex, byMessageId('<unlinked@firm>'))).body.subject, 'Private', 'the creator sees it');
    assert.equal((await row(id)).regarding, null);

    // Alex links an email to Blake's opportunity: Carol, who may read it, is told its owner, not its linker.
    const onBlakes = await link(alex, emailItem('<on-blakes@firm>'), blakes);
    const refused = await carol.api.put(`/api/v1/activities/${onBlakes}/regarding`, { opportunityId: alexs });
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /owned by Blake/);
    assert.equal(refused.body.detail.includes('Alex'), false);
  });

  it('shows a tracking token only to whoever wrote it: lookup, set-regarding, timeline, after a merge', async () => {
    const token = randomUUID();
    const id = await link(alex, draft(token), alexs);
    assert.equal((await lookup(alex, `trackingToken=${token}`)).body.outlook.trackingToken, token);
    const seenByBlake = await lookup(blake, `trackingToken=${token}`);
    assert.equal(seenByBlake.status, 200, 'whoever has the sent copy (the header) finds the pending link');
    assert.equal(seenByBlake.body.id, id);
    assert.equal(seenByBlake.body.outlook.trackingToken, null);
    assert.equal(seenByBlake.body.outlook.pending, true);
    const reposted = await blake.api.post('/api/v1/activities/regarding', { item: draft(token), opportunityId: alexs });
    assert.equal(reposted.body.outlook.trackingToken, null);
    for (const advisor of [alex, blake]) {
      const timeline = await advisor.api.get(`/api/v1/opportunities/${alexs}`);
      assert.deepEqual(
        timeline.body.activities.map((a: { outlook: { trackingToken: string | null } }) => a.outlook.trackingToken),
        [null],
        'the timeline shows no one a token',
      );
    }
    // Blake records the sent copy first; Alex's draft folds into Blake's record, and the token stays Alex's.
    await link(blake, emailItem('<sent@firm>'), alexs);
    const merged = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<sent@firm>', { trackingToken: token }),
      opportunityId: alexs,
    });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.outlook.trackingToken, token);
    assert.equal(merged.body.createdBy.displayName, 'Blake');
    assert.equal((await lookup(blake, byMessageId('<sent@firm>'))).body.outlook.trackingToken, null);
    assert.equal((await lookup(alex, byMessageId('<sent@firm>'))).body.outlook.trackingToken, token);
  });

  describe('atomic: the check and the write are not separable', () => {
    it('refuses a move paused after its check when the creator meanwhile moves the activity where the mover may not act', async () => {
      const id = await link(alex, emailItem('<move@firm>'), blakes);
      const pause = interleaver.pauseNext('activities', 'setRegarding');
      const blakesMove = blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: blakesOther });
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      assert.equal((await blakesMove).status, 403);
      assert.equal((await row(id)).regarding, alexs, "the database shows Alex's change");
    });

    it('refuses a set-regarding paused after its check when the activity is moved meanwhile, and rewrites nothing', async () => {
      const id = await link(alex, emailItem('<upsert@firm>', { subject: 'Original' }), blakes);
      const pause = interleaver.pauseNext('activities', 'upsertRegarding');
      const blakesLink = blake.api.post('/api/v1/activities/regarding', {
        item: emailItem('<upsert@firm>', { subject: 'Rewritten' }),
        opportunityId: blakesOther,
      });
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      assert.equal((await blakesLink).status, 403);
      assert.deepEqual([(await row(id)).regarding, (await row(id)).subject], [alexs, 'Original']);
    });

    it('refuses a status change paused after its check when the activity is moved meanwhile', async () => {
      const id = await link(alex, { kind: 'appointment', itemId: 'AAMk-status', subject: 'Meeting' }, blakes);
      const pause = interleaver.pauseNext('activities', 'setStatus');
      const blakesCancel = blake.api.patch(`/api/v1/activities/${id}`, { status: 'canceled' });
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      assert.equal((await blakesCancel).status, 403);
      assert.deepEqual([(await row(id)).regarding, (await row(id)).status], [alexs, 'open']);
    });

    it('refuses an edit of a call paused after its check when the call is moved meanwhile (issue 13)', async () => {
      // Alex made this one for Blake, so both may act on it: Alex logs the call, Blake (the owner) edits it.
      const forBlake = await alex.api.post(
        '/api/v1/opportunities',
        referral('For Blake', 'fb@client.example', { ownerId: blake.record.id }),
      );
      const call = await alex.api.post('/api/v1/activities', {
        kind: 'phone_call',
        subject: 'Call',
        opportunityId: forBlake.body.opportunity.id,
      });
      const id = call.body.id as number;
      const pause = interleaver.pauseNext('activities', 'edit');
      const blakesEdit = blake.api.patch(`/api/v1/activities/${id}`, { subject: 'Rewritten' });
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      assert.equal((await blakesEdit).status, 403);
      assert.deepEqual([(await row(id)).regarding, (await row(id)).subject], [alexs, 'Call']);
    });

    it('refuses a completeSent fold paused after its check when the sent record is moved meanwhile', async () => {
      const sent = await link(alex, emailItem('<fold@firm>'), blakes);
      const blakesDraft = await link(blake, draft(randomUUID()), blakes);
      const pause = interleaver.pauseNext('activities', 'completeSent');
      const fold = blake.api.post(`/api/v1/activities/${blakesDraft}/sent`, { internetMessageId: '<fold@firm>' });
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${sent}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      assert.equal((await fold).status, 403);
      assert.equal((await row(sent)).regarding, alexs);
      assert.equal((await row(blakesDraft)).regarding, blakes, "Blake's draft was not folded");
    });

    it("checks a new opportunity's linked item again when it was moved between the check and the create: refused, nothing saved", async () => {
      const id = await link(alex, emailItem('<create@firm>'), blakes);
      const pause = interleaver.pauseNext('opportunities', 'create');
      const create = blake.api.post(
        '/api/v1/opportunities',
        referral('With the item', 'd@client.example', { linkItem: emailItem('<create@firm>') }),
      );
      await pause.reached;
      assert.equal((await alex.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: alexs })).status, 200);
      pause.release();
      // Checked again on the item as it is now: another advisor's, on their opportunity.
      assert.equal((await create).status, 403);
      assert.equal(await server.value("SELECT count(*) FROM opportunities WHERE topic = 'With the item'"), 0);
      assert.equal((await row(id)).regarding, alexs);
    });

    it('checks again and writes when the activity changed meanwhile but the caller may still change it', async () => {
      const id = await link(alex, emailItem('<recheck@firm>'), blakes);
      const pause = interleaver.pauseNext('activities', 'setRegarding');
      const blakesMove = blake.api.put(`/api/v1/activities/${id}/regarding`, { opportunityId: blakesOther });
      await pause.reached;
      assert.equal((await alex.api.patch(`/api/v1/activities/${id}`, { status: 'canceled' })).status, 200);
      pause.release();
      const moved = await blakesMove;
      assert.equal(moved.status, 200);
      assert.deepEqual([(await row(id)).regarding, (await row(id)).status], [blakesOther, 'canceled']);
    });
  });
});
