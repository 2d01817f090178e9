import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';
import type { ReportJobName } from '../../server/repository/sqlite/report-jobs';
import { inProcessReports, type ReportWorkerOptions } from '../../server/repository/sqlite/report-runner';
import { SqliteWorkStore } from '../../server/repository/sqlite/work';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

const finished =
  (log: string[], label: string) =>
  <T>(response: T) => {
    log.push(label);
    return response;
  };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('My Work off the event loop: the read worker (issue 15)', () => {
  let server: TestServer;
  let owner: Client;
  const computed: ReportJobName[] = [];

  const start = async (options: { readWorker?: ReportWorkerOptions; reportWorker?: ReportWorkerOptions }) => {
    server = await startTestServer({}, options);
    owner = await server.advisor('Olive Owner', 'admin');
    const res = await owner.api.post('/api/v1/opportunities', referral('Rollover', 'rollover@client.example'));
    assert.equal(res.status, 201);
  };
  beforeEach(() => {
    computed.length = 0;
  });
  afterEach(() => server.close());

  it('/healthz and writes are answered while a needs-attention page is read in the read worker', async () => {
    // Every read is held 2 s in the read worker: the event loop must go on answering meanwhile.
    await start({ readWorker: { holdMs: 2000, onCompute: (name) => computed.push(name) } });
    const order: string[] = [];
    const page = owner.api.get('/api/v1/work/needs-attention').then(finished(order, 'needs attention'));
    await pause(200);
    const health = await server.client.get('/healthz').then(finished(order, 'healthz'));
    const created = await owner.api
      .post('/api/v1/opportunities', referral('Pension', 'pension@client.example'))
      .then(finished(order, 'write'));
    const answer = await page;
    assert.equal(health.status, 200);
    assert.equal(created.status, 201);
    assert.equal(answer.status, 200);
    assert.deepEqual(order, ['healthz', 'write', 'needs attention']);
    assert.deepEqual(computed, ['attentionPage']);
    // The worker's connection reads what the server committed: the hold comes before the reading, so the
    // opportunity saved meanwhile (no next step: due at once) is on the page.
    assert.equal(answer.body.total, 2);
    assert.deepEqual(
      answer.body.items.map((item: { opportunity: { topic: string } }) => item.opportunity.topic),
      ['Pension', 'Rollover'],
    );
  });

  it('a needs-attention page never waits behind a report in the report worker', async () => {
    // Every report is held 3 s in the report worker; My Work's reads have a worker of their own.
    await start({ reportWorker: { holdMs: 3000 } });
    const order: string[] = [];
    const report = owner.api.get('/api/v1/reports/funnel?scope=all').then(finished(order, 'report'));
    await pause(200);
    const page = await owner.api.get('/api/v1/work/needs-attention').then(finished(order, 'needs attention'));
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 1);
    assert.equal((await report).status, 200);
    assert.deepEqual(order, ['needs attention', 'report']);
  });

  it('a page asked after a change is read after it, never shared with one already being read', async () => {
    await start({ readWorker: { holdMs: 1000, onCompute: (name) => computed.push(name) } });
    const first = owner.api.get('/api/v1/work/needs-attention');
    await pause(200);
    const created = await owner.api.post('/api/v1/opportunities', referral('Pension', 'pension@client.example'));
    assert.equal(created.status, 201);
    const second = await owner.api.get('/api/v1/work/needs-attention');
    assert.equal((await first).status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual(computed, ['attentionPage', 'attentionPage']);
    assert.equal(second.body.total, 2);
  });

  it('a page in flight when the read worker dies is answered 503 problem+json saying the list could not be read (not a report); the next one gets a new worker', async () => {
    await start({ readWorker: { firstWorkerDies: true } });
    const failed = await owner.api.get('/api/v1/work/needs-attention');
    assert.equal(failed.status, 503);
    assert.match(failed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.doesNotMatch(String(failed.body.detail), /worker|sqlite|exit/i);
    assert.equal(failed.body.detail, 'This list could not be read just now. Try again in a moment.');
    const again = await owner.api.get('/api/v1/work/needs-attention');
    assert.equal(again.status, 200);
    assert.equal(again.body.total, 1);
  });

  it('new for me is read in the read worker: /healthz is answered meanwhile, and an assignment saved meanwhile is on it', async () => {
    await start({ readWorker: { holdMs: 2000, onCompute: (name) => computed.push(name) } });
    const colleague = await server.advisor('Cal Colleague');
    const created = await colleague.api.post('/api/v1/opportunities', referral('Estate', 'estate@client.example'));
    assert.equal(created.status, 201);
    const order: string[] = [];
    const page = owner.api.get('/api/v1/work/new-for-me').then(finished(order, 'new for me'));
    await pause(200);
    const health = await server.client.get('/healthz').then(finished(order, 'healthz'));
    const assigned = await colleague.api
      .post(`/api/v1/opportunities/${created.body.opportunity.id}/assign`, { ownerId: owner.record.id })
      .then(finished(order, 'write'));
    const answer = await page;
    assert.equal(health.status, 200);
    assert.equal(assigned.status, 200);
    assert.equal(answer.status, 200);
    assert.deepEqual(order, ['healthz', 'write', 'new for me']);
    assert.deepEqual(computed, ['newForMePage']);
    assert.deepEqual(
      answer.body.items.map((item: { opportunity: { topic: string } }) => item.opportunity.topic),
      ['Estate'],
    );
  });

  it("My Work's pages, written as JSON by SQLite in the read worker, show each opportunity as the opportunity list does (read without JSON), and cross from the worker as the in-process runner gives them", async () => {
    await start({ readWorker: { onCompute: (name) => computed.push(name) } });
    const colleague = await server.advisor('Cal "Quoted" Colleague');
    // Nulls and values of every kind a summary has: amounts with cents, dates, a referrer, quotes, backslashes,
    // accents and emoji in names and topics; a message only the new owner is shown, notes on a page.
    const fields = [
      { estimatedValue: 1234.56, estimatedCloseDate: '2026-12-31', referredBy: { advisorId: colleague.record.id } },
      { estimatedValue: 0.1, description: 'Zoë \\ "the big one" 🎉' },
      {},
    ];
    for (const [n, extra] of fields.entries()) {
      const topic = [`Estate "${n}"`, 'Annuity \\ Zoë 🎉', 'Plain'][n];
      const created = await colleague.api.post('/api/v1/opportunities', referral(topic, `c${n}@client.example`, extra));
      assert.equal(created.status, 201);
      const path = `/api/v1/opportunities/${created.body.opportunity.id}`;
      assert.equal((await colleague.api.post(`${path}/notes`, { body: `About "${topic}"` })).status, 201);
      const assigned = await colleague.api.post(`${path}/assign`, { ownerId: owner.record.id, message: 'Yours now' });
      assert.equal(assigned.status, 200);
    }
    server.clock.advance(400 * 86_400_000);
    const list = await owner.api.get('/api/v1/opportunities?view=my-open&limit=50');
    const listed = new Map(list.body.items.map((o: { id: number }) => [o.id, o]));
    const newForMe = await owner.api.get('/api/v1/work/new-for-me');
    const attention = await owner.api.get('/api/v1/work/needs-attention');
    assert.deepEqual(computed, ['newForMePage', 'attentionPage']);
    assert.equal(newForMe.body.items.length, 3);
    assert.equal(attention.body.total, 4);
    for (const { opportunity } of [...newForMe.body.items, ...attention.body.items])
      assert.deepEqual(opportunity, listed.get(opportunity.id));
    assert.deepEqual(
      newForMe.body.items.map((item: { notes: { body: string }[] }) => item.notes.map((note) => note.body)),
      ['About "Plain"', 'About "Annuity \\ Zoë 🎉"', 'About "Estate "0""'].map((body) => [body]),
    );
    // The hand-over from the worker (JSON text) gives what the in-process runner gives; the JSON itself is checked
    // against the list above, which the driver reads value by value.
    const now = server.clock.now().toISOString();
    const onTheLoop = new SqliteWorkStore(server.db, inProcessReports(server.db));
    assert.deepEqual(
      await server.repo.work.newForMe(owner.record.id, null, 10, 0, 6),
      await onTheLoop.newForMe(owner.record.id, null, 10, 0, 6),
    );
    assert.deepEqual(
      await server.repo.work.needingAttention([owner.record.id], now, 10, 0),
      await onTheLoop.needingAttention([owner.record.id], now, 10, 0),
    );
  });
});
