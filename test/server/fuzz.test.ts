import assert from 'node:assert/strict';
import fc from 'fast-check';
import { endpoints, type Endpoint } from '../../shared/api';
import { emailItem, itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

const allEndpoints = Object.values(endpoints) as Endpoint[];

/** Thousands of malformed requests: none may cause a 5xx, and the database must stay intact. */
describe('malformed input (property-based)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let api: TestServer['client'];
  let ids: number[];

  before(async () => {
    server = await startTestServer();
    const admin = await server.advisor('Fuzzy Admin', 'admin');
    const alex = await server.advisor('Alex');
    api = alex.api;
    const created = await alex.api.post('/api/v1/opportunities', {
      ...referral('Seed', 's@client.example'),
      linkItem: emailItem('<seed@x>'),
      note: { body: 'n' },
    });
    ids = [
      created.body.opportunity.id,
      created.body.activities[0].id,
      created.body.notes[0].id,
      alex.record.id,
      admin.record.id,
    ];
  });
  after(() => server.close());

  const segment = () =>
    fc.oneof(
      fc.constantFrom(...ids.map(String), '0', '-1', '1e9', '99999999999999999999', 'abc', '%00', '..', ''),
      fc.string({ maxLength: 12 }),
    );
  const pathFor = (endpoint: Endpoint, parts: string[]) => {
    let i = 0;
    return `/api/v1${endpoint.path.replace(/:\w+/g, () => encodeURIComponent(parts[i++ % parts.length] ?? ''))}`;
  };
  const queryString = fc
    .dictionary(
      fc.constantFrom(
        'q',
        'view',
        'limit',
        'offset',
        'email',
        'scope',
        'internetMessageId',
        'itemId',
        'trackingToken',
        'x',
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.integer().map(String),
        fc.constantFrom('my-open', 'team', 'a@b.co', '-5', '1e3', ''),
      ),
    )
    .map((entries) => new URLSearchParams(entries).toString());
  const body = () =>
    fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          topic: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          customer: fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record({ contactId: fc.oneof(fc.integer(), fc.string()) }),
            fc.record({ newContact: fc.record({ name: fc.string(), email: fc.string() }) }),
          ),
          ownerId: fc.oneof(fc.integer(), fc.constantFrom(...ids)),
          opportunityId: fc.oneof(fc.integer(), fc.constantFrom(...ids)),
          item: fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record({
              kind: fc.constantFrom('email', 'appointment', 'fax'),
              internetMessageId: fc.string(),
              participants: fc.jsonValue({ maxDepth: 2 }),
            }),
          ),
          body: fc.oneof(fc.string({ maxLength: 50 }), fc.integer()),
          stage: fc.string({ maxLength: 10 }),
          outcome: fc.constantFrom('won', 'lost', 'maybe'),
          advisorIds: fc.array(fc.oneof(fc.integer(), fc.string()), { maxLength: 3 }),
          status: fc.constantFrom('open', 'completed', 'canceled', 'gone'),
        },
        { requiredKeys: [] },
      ),
    );

  it('answers 2,000 random requests with 2xx or 4xx problem+json, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allEndpoints),
        fc.array(segment(), { minLength: 1, maxLength: 2 }),
        queryString,
        body(),
        fc.boolean(),
        async (endpoint, parts, query, payload, ifMatch) => {
          const path = `${pathFor(endpoint, parts)}${query ? `?${query}` : ''}`;
          const headers = ifMatch ? { 'If-Match': '"1"' } : undefined;
          const res =
            endpoint.method === 'get'
              ? await api.request('GET', path, { headers })
              : await api.request(endpoint.method.toUpperCase(), path, { body: payload, headers });
          assert.ok(
            res.status < 500,
            `${endpoint.method} ${path} ${JSON.stringify(payload)} -> ${res.status} ${JSON.stringify(res.body)}`,
          );
          if (res.status >= 400) assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('answers 500 malformed raw bodies (broken JSON, wrong types, huge) with 4xx', async () => {
    const raw = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '[]', 'null', '"x"', '{"topic":', '\u0000', `{"topic":"${'x'.repeat(2_000_000)}"}`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...allEndpoints.filter((e) => e.method !== 'get')),
        raw,
        async (endpoint, text) => {
          const res = await api.request(endpoint.method.toUpperCase(), pathFor(endpoint, ids.map(String)), {
            rawBody: text,
          });
          assert.ok(
            res.status >= 200 && res.status < 500,
            `${endpoint.path} with ${JSON.stringify(text.slice(0, 50))} -> ${res.status}`,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  // SQLite's own checks of its file; PostgreSQL enforces its foreign keys on every write.
  itOnSqlite('leaves the database intact', () => {
    assert.equal(server.db.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(server.db.pragma('foreign_key_check'), []);
  });
});
