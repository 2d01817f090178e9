import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

/**
 * A NUL character (U+0000) means nothing in any field and PostgreSQL cannot store it (issue 16, from the second
 * read): text an advisor sends with one is refused with the field named, and nothing is saved; text Outlook reads
 * from an item (a malformed message's subject, names, location) loses it, and the link is made.
 */
describe('NUL characters in requests', () => {
  let server: TestServer;
  let alex: Advisor;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
  });
  afterEach(() => server.close());

  it("refuses an advisor's text with a NUL in it, naming the field, and saves nothing", async () => {
    const contact = await alex.api.post('/api/v1/contacts', { name: 'Bob\u0000Smith', email: 'bob@client.example' });
    assert.equal(contact.status, 400);
    assert.deepEqual(
      contact.body.errors.map((error: { path: string }) => error.path),
      ['body.name'],
    );
    assert.match(contact.body.detail, /body\.name: Text must not contain the NUL character/);
    assert.deepEqual((await alex.api.get('/api/v1/contacts?q=bob')).body.items, []);

    const search = await alex.api.get('/api/v1/contacts?q=bo%00b');
    assert.equal(search.status, 400);
    assert.equal(search.body.errors[0].path, 'query.q');

    const created = await alex.api.post('/api/v1/opportunities', referral('Rollover\u0000 plan', 'ann@client.example'));
    assert.equal(created.status, 400);
    assert.equal(created.body.errors[0].path, 'body.topic');
    assert.deepEqual((await alex.api.get('/api/v1/opportunities?view=my-open')).body.items, []);
  });

  it("matches a sent copy to its draft when both subjects held a NUL, as the draft's was stored", async () => {
    const created = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'ann@client.example'));
    const draft = await alex.api.post('/api/v1/activities/regarding', {
      item: {
        kind: 'email',
        trackingToken: randomUUID(),
        subject: 'Your\u0000 rollover',
        participants: [{ email: 'ann@client.example', role: 'to' }],
      },
      opportunityId: created.body.opportunity.id,
    });
    assert.equal(draft.status, 200);
    const matched = await alex.api.post('/api/v1/activities/sent-matches', {
      internetMessageId: '<sent-nul@firm.example>',
      subject: 'Your\u0000 rollover',
      recipients: ['ann@client.example'],
      sentAt: '2026-11-18T10:30:00Z',
    });
    assert.equal(matched.status, 200, JSON.stringify(matched.body));
    assert.deepEqual(
      matched.body.drafts.map((found: { id: number }) => found.id),
      [draft.body.id],
    );
  });

  it('links an item whose subject, names and location hold a NUL, without it', async () => {
    const created = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'ann@client.example'));
    const opportunityId = created.body.opportunity.id as number;
    const item = emailItem('<nul@client.example>', {
      subject: 'About\u0000 the rollover',
      participants: [{ email: 'ann@client.example', name: 'Ann\u0000 Lee', role: 'from' }],
    });
    const linked = await alex.api.post('/api/v1/activities/regarding', { item, opportunityId });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
    assert.equal(linked.body.subject, 'About the rollover');
    const found = await alex.api.get(
      `/api/v1/activities/lookup?internetMessageId=${encodeURIComponent('<nul@client.example>')}`,
    );
    assert.equal(found.status, 200);
    assert.equal(found.body.id, linked.body.id);
    assert.equal(found.body.regarding.id, opportunityId);
  });
});
