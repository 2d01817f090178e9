import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DRAFT_MATCHES_MAX } from '../../shared/schemas/activities';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

/** A sent copy with neither the draft's property nor its header: matched by the service (issue 12, point 2). */
describe('drafts completed from a sent copy without a token (POST /activities/sent-matches)', () => {
  let server: TestServer;
  let alex: Advisor;
  let blake: Advisor;
  let rollover: number;
  let college: number;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex');
    blake = await server.advisor('Blake');
    rollover = (await alex.api.post('/api/v1/opportunities', referral('Rollover', 'jordan@client.example'))).body
      .opportunity.id;
    college = (await alex.api.post('/api/v1/opportunities', referral('College', 'jordan@client.example'))).body
      .opportunity.id;
  });
  afterEach(() => server.close());

  const linkDraft = async (
    who: Advisor,
    opportunityId: number,
    extra: { subject?: string; to?: string[]; cc?: string[]; conversationId?: string } = {},
  ) => {
    const res = await who.api.post('/api/v1/activities/regarding', {
      item: {
        kind: 'email',
        trackingToken: randomUUID(),
        subject: extra.subject ?? 'Your rollover',
        conversationId: extra.conversationId,
        participants: [
          ...(extra.to ?? ['jordan@client.example']).map((email) => ({ email, role: 'to' })),
          ...(extra.cc ?? []).map((email) => ({ email, role: 'cc' })),
        ],
      },
      opportunityId,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.outlook.pending, true);
    return res.body as { id: number };
  };
  const sentCopy = (extra: Record<string, unknown> = {}) => ({
    internetMessageId: '<sent-1@firm.example>',
    subject: 'Your rollover',
    recipients: ['Jordan@Client.example'],
    sentAt: '2026-11-18T10:30:00Z',
    ...extra,
  });
  const match = (who: Advisor, body: Record<string, unknown>) => who.api.post('/api/v1/activities/sent-matches', body);
  const ids = (res: { body: { drafts: { id: number }[] } }) => res.body.drafts.map((d) => d.id);
  const pendingCount = () =>
    server.value<number>(
      'SELECT count(*) FROM activities WHERE tracking_token IS NOT NULL AND internet_message_id IS NULL',
    );

  it('point 2: finds the unique draft a sent copy was: same recipients, subject and conversation', async () => {
    const draft = await linkDraft(alex, rollover, { cc: ['spouse@client.example'], conversationId: 'conv-1' });
    await linkDraft(alex, rollover, { subject: 'Another topic' });
    await linkDraft(alex, rollover, { to: ['someone.else@client.example'] });
    await linkDraft(alex, rollover, { conversationId: 'conv-2' });

    const res = await match(
      alex,
      sentCopy({ recipients: ['spouse@client.example', 'jordan@client.example'], conversationId: 'conv-1' }),
    );
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res), [draft.id]);
    assert.equal(res.body.more, false);
    assert.equal(res.body.drafts[0].regarding.topic, 'Rollover');
    assert.match(res.body.drafts[0].outlook.trackingToken, /^[0-9a-f-]{36}$/, 'the caller wrote it, so sees its token');
    assert.equal(await pendingCount(), 4, 'matching changes nothing');

    const completed = await alex.api.post(`/api/v1/activities/${draft.id}/sent`, {
      internetMessageId: '<sent-1@firm.example>',
      sentAt: '2026-11-18T10:30:00Z',
    });
    assert.equal(completed.body.outlook.pending, false);
  });

  it('point 2: matches the subject as drafted: trimmed, not stripped of RE:, and not a subset of the recipients', async () => {
    const reply = await linkDraft(alex, rollover, { subject: 'RE: Your rollover' });
    assert.deepEqual(ids(await match(alex, sentCopy({ subject: '  RE: Your rollover ' }))), [reply.id]);
    assert.deepEqual(ids(await match(alex, sentCopy())), [], 'a reply is not the new message');
    assert.deepEqual(
      ids(
        await match(
          alex,
          sentCopy({ subject: 'RE: Your rollover', recipients: ['jordan@client.example', 'x@y.example'] }),
        ),
      ),
      [],
      'a recipient added after linking: no exact match',
    );
  });

  it('point 2: returns both of two near-identical drafts and completes neither', async () => {
    const first = await linkDraft(alex, rollover);
    const second = await linkDraft(alex, college);
    const res = await match(alex, sentCopy());
    assert.deepEqual(ids(res).sort(), [first.id, second.id].sort());
    assert.deepEqual(res.body.drafts.map((d: { regarding: { topic: string } }) => d.regarding.topic).sort(), [
      'College',
      'Rollover',
    ]);
    assert.equal(await pendingCount(), 2, 'both stay pending until the advisor picks one');
  });

  it("point 2: never offers another advisor's identical draft", async () => {
    const blakes = (await blake.api.post('/api/v1/opportunities', referral('Blake rollover', 'jordan@client.example')))
      .body.opportunity.id;
    await linkDraft(blake, blakes);
    await linkDraft(blake, rollover); // Blake may link to Alex's opportunity too: still Blake's draft
    assert.deepEqual(ids(await match(alex, sentCopy())), []);
    const own = await linkDraft(alex, rollover);
    assert.deepEqual(ids(await match(alex, sentCopy())), [own.id]);
    assert.equal(ids(await match(blake, sentCopy())).length, 2, "Blake sees only Blake's two");
    assert.ok(!ids(await match(blake, sentCopy())).includes(own.id));
  });

  it('point 2: never offers a completed, unlinked or too old draft, nor one for a message already recorded', async () => {
    const completed = await linkDraft(alex, rollover);
    await alex.api.post(`/api/v1/activities/${completed.id}/sent`, { internetMessageId: '<earlier@firm.example>' });
    const removed = await linkDraft(alex, rollover);
    await alex.api.delete(`/api/v1/activities/${removed.id}/regarding`);
    assert.deepEqual(ids(await match(alex, sentCopy())), [], 'completed and unlinked drafts are no candidates');
    assert.deepEqual(ids(await match(alex, sentCopy({ internetMessageId: '<earlier@firm.example>' }))), []);

    const old = await linkDraft(alex, rollover);
    assert.deepEqual(ids(await match(alex, sentCopy({ sentAt: '2026-12-01T09:00:00Z' }))), [old.id], '13 days on');
    assert.deepEqual(ids(await match(alex, sentCopy({ sentAt: '2026-12-03T09:00:00Z' }))), [], 'over 14 days on');
    server.clock.set('2026-11-17T09:00:00Z');
    assert.deepEqual(ids(await match(alex, sentCopy())), [], 'a link made after now is not yet made');
  });

  it(`point 2: lists at most ${DRAFT_MATCHES_MAX} drafts, newest first, and says there are more`, async () => {
    const made: number[] = [];
    for (let i = 0; i <= DRAFT_MATCHES_MAX; i++) {
      made.push((await linkDraft(alex, rollover)).id);
      server.clock.advance(1000);
    }
    const res = await match(alex, sentCopy({ sentAt: '2026-11-18T11:00:00Z' }));
    assert.equal(res.body.drafts.length, DRAFT_MATCHES_MAX);
    assert.equal(res.body.more, true);
    assert.deepEqual(ids(res), made.slice(1).reverse());
  });

  it('point 2: refuses bad input with problem+json naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [sentCopy({ recipients: [] }), 'body.recipients'],
      [sentCopy({ recipients: ['not an address'] }), 'body.recipients.0'],
      [sentCopy({ sentAt: 'yesterday' }), 'body.sentAt'],
      [sentCopy({ internetMessageId: '' }), 'body.internetMessageId'],
      [sentCopy({ subject: 'x'.repeat(1001) }), 'body.subject'],
      [sentCopy({ recipients: Array.from({ length: 501 }, (_, i) => `p${i}@x.example`) }), 'body.recipients'],
    ];
    for (const [body, path] of cases) {
      const res = await match(alex, body);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      assert.equal(res.body.errors[0].path, path);
    }
  });
});
