import assert from 'node:assert/strict';
import { REPEATED_MAX } from '../../shared/constants';
import type { TestClient } from '../helpers/api-client';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

const message = (id: string) => `internetMessageId=${encodeURIComponent(id)}`;

describe('GET /api/v1/pane/context: me, the item and its suggestions in one request (issue 15)', () => {
  let server: TestServer;
  let owner: TestClient;
  let colleague: TestClient;
  let linkedId = '';

  beforeEach(async () => {
    server = await startTestServer();
    owner = (await server.advisor('Olivia Owner')).api;
    colleague = (await server.advisor('Colin Colleague')).api;
    const first = await owner.post('/api/v1/opportunities', referral('Retirement rollover', 'client@example.org'));
    await colleague.post('/api/v1/opportunities', referral('Pension review', 'client@example.org'));
    await owner.post('/api/v1/opportunities', referral('Life cover', 'other@example.org'));
    linkedId = '<linked@client.example>';
    const linked = await owner.post('/api/v1/activities/regarding', {
      item: emailItem(linkedId),
      opportunityId: first.body.opportunity.id,
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
  });
  afterEach(() => server.close());

  it('answers what GET /me, /activities/lookup and /opportunities/suggestions answer apart', async () => {
    const people = 'email=client%40example.org&email=other%40example.org&limit=5';
    for (const caller of [owner, colleague]) {
      const context = await caller.get(`/api/v1/pane/context?${message(linkedId)}&${people}`);
      assert.equal(context.status, 200, JSON.stringify(context.body));
      const [me, activity, suggestions] = await Promise.all([
        caller.get('/api/v1/me'),
        caller.get(`/api/v1/activities/lookup?${message(linkedId)}`),
        caller.get(`/api/v1/opportunities/suggestions?${people}`),
      ]);
      assert.deepEqual(context.body, { me: me.body, activity: activity.body, suggestions: suggestions.body });
      assert.equal(context.body.activity.regarding.topic, 'Retirement rollover');
      assert.equal(context.body.suggestions.length, 3);
    }
  });

  it('answers activity null for an unknown item, where the lookup answers 404', async () => {
    const unknown = message('<unknown@client.example>');
    assert.equal((await owner.get(`/api/v1/activities/lookup?${unknown}`)).status, 404);
    const context = await owner.get(`/api/v1/pane/context?${unknown}&email=client%40example.org`);
    assert.equal(context.status, 200, JSON.stringify(context.body));
    assert.equal(context.body.activity, null);
    assert.equal(context.body.me.displayName, 'Olivia Owner');
    assert.deepEqual(
      context.body.suggestions.map((s: { topic: string }) => s.topic),
      ['Retirement rollover', 'Pension review'],
    );
  });

  it('answers activity null for an activity hidden from the caller, as the lookup hides it', async () => {
    const { body } = await owner.get(`/api/v1/activities/lookup?${message(linkedId)}`);
    assert.equal((await owner.delete(`/api/v1/activities/${body.id}/regarding`)).status, 200);
    assert.equal((await colleague.get(`/api/v1/activities/lookup?${message(linkedId)}`)).status, 404);
    assert.equal((await colleague.get(`/api/v1/pane/context?${message(linkedId)}`)).body.activity, null);
    assert.equal((await owner.get(`/api/v1/pane/context?${message(linkedId)}`)).body.activity.id, body.id);
  });

  it('answers a compose item without ids or people: me, no activity, no suggestions', async () => {
    const context = await owner.get('/api/v1/pane/context');
    assert.equal(context.status, 200, JSON.stringify(context.body));
    assert.deepEqual(context.body, { me: (await owner.get('/api/v1/me')).body, activity: null, suggestions: [] });
  });

  it('refuses a caller without a valid token (401), as the endpoints it replaces', async () => {
    const res = await server.client.get(`/api/v1/pane/context?${message(linkedId)}`);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal((await server.client.as('rgd_not-a-real-token-at-all-000').get('/api/v1/pane/context')).status, 401);
  });

  for (const [what, query, field] of [
    ['an address that is not one', 'email=not-an-address', 'query.email'],
    ['a tracking token that is not a UUID', 'trackingToken=abc', 'query.trackingToken'],
    ['a limit over 50', 'email=client%40example.org&limit=51', 'query.limit'],
    ['an empty message id', 'internetMessageId=', 'query.internetMessageId'],
    [
      `more than ${REPEATED_MAX} addresses`,
      Array.from({ length: REPEATED_MAX + 1 }, (_, i) => `email=p${i}%40example.org`).join('&'),
      'query.email',
    ],
  ] as const) {
    it(`answers 400 problem+json naming the field for ${what}`, async () => {
      const res = await owner.get(`/api/v1/pane/context?${query}`);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path === field || e.path.startsWith(`${field}.`)),
        JSON.stringify(res.body.errors),
      );
    });
  }
});
