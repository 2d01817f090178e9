import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

describe('search index upkeep', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const segments = () => server.db.prepare('SELECT count(DISTINCT segid) FROM opportunity_search_idx').pluck().get() as number;

  it('compacts the full-text index to one segment and finds the same opportunities, before and after new ones', async () => {
    const { api } = await server.advisor('Indexer');
    // Each create is its own write transaction, so each adds a segment to the full-text index.
    for (let i = 0; i < 40; i++) {
      const topic = i % 2 ? `Rollover ${i}` : `Annuity review ${i}`;
      assert.equal((await api.post('/api/v1/opportunities', referral(topic, `client${i}@example.org`))).status, 201);
    }
    const search = async (q: string) =>
      (await api.get(`/api/v1/opportunities?view=all-open&limit=50&q=${q}`)).body.items.map((o: { topic: string }) => o.topic);
    const before = { roll: await search('roll'), annuity: await search('annuity%20rev'), client7: await search('client7') };
    assert.ok(segments() > 1, `expected a fragmented index after 40 separate writes, found ${segments()} segment(s)`);
    assert.equal(before.roll.length, 20);

    await server.repo.maintain();

    assert.equal(segments(), 1);
    assert.deepEqual({ roll: await search('roll'), annuity: await search('annuity%20rev'), client7: await search('client7') }, before);
    assert.equal((await api.post('/api/v1/opportunities', referral('Rollover late', 'late@example.org'))).status, 201);
    assert.deepEqual(await search('roll'), ['Rollover late', ...before.roll]);
    // FTS5's integrity-check throws when the index does not match the opportunities it was built from.
    server.db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();
  });
});
