import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 12, point 10: the pane asks in chunks of the service's documented limit (addin/regarding/people-queries.ts). */
describe('suggestions and contact matching: at most 100 addresses a request', () => {
  let server: TestServer;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
  });
  afterEach(() => server.close());

  const addresses = (count: number, last: string) => [
    ...Array.from({ length: count - 1 }, (_, i) => `guest${i}@party.example`),
    last,
  ];
  const query = (emails: string[]) => emails.map((email) => `email=${encodeURIComponent(email)}`).join('&');

  it('point 10: suggestions take 100 addresses and find the customer among them; 101 is a 400 naming the email field', async () => {
    const { body } = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'jordan@harbor.example'));
    const hundred = await alex.api.get(
      `/api/v1/opportunities/suggestions?${query(addresses(100, 'jordan@harbor.example'))}`,
    );
    assert.equal(hundred.status, 200);
    assert.deepEqual(
      hundred.body.map((o: { id: number }) => o.id),
      [body.opportunity.id],
    );
    const more = await alex.api.get(
      `/api/v1/opportunities/suggestions?${query(addresses(101, 'jordan@harbor.example'))}`,
    );
    assert.equal(more.status, 400);
    assert.match(more.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(more.body.errors[0].path, 'query.email');
  });

  it('point 10: contact matching takes 100 addresses and finds the known contact among them; 101 is a 400 naming the email field', async () => {
    await alex.api.post('/api/v1/opportunities', referral('Rollover', 'jordan@harbor.example'));
    const hundred = await alex.api.get(`/api/v1/contacts?${query(addresses(100, 'jordan@harbor.example'))}&limit=100`);
    assert.equal(hundred.status, 200);
    assert.deepEqual(
      hundred.body.items.map((c: { email: string }) => c.email),
      ['jordan@harbor.example'],
    );
    const more = await alex.api.get(`/api/v1/contacts?${query(addresses(101, 'jordan@harbor.example'))}`);
    assert.equal(more.status, 400);
    assert.equal(more.body.errors[0].path, 'query.email');
  });
});
