import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';
import type { ReportJobName } from '../../server/repository/sqlite/report-jobs';
import type { ReportWorkerOptions } from '../../server/repository/sqlite/report-runner';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

/** Resolves with the order in which the given requests finished. */
const finished =
  (log: string[], label: string) =>
  <T>(response: T) => {
    log.push(label);
    return response;
  };

describe('reports off the event loop: the report worker (issue 15)', () => {
  let server: TestServer;
  let admin: Client;
  const computed: ReportJobName[] = [];

  const start = async (reportWorker: ReportWorkerOptions, env: Record<string, string> = {}) => {
    server = await startTestServer(env, { reportWorker });
    admin = await server.advisor('Ada Admin', 'admin');
    const res = await admin.api.post('/api/v1/opportunities', referral('Rollover', 'rollover@client.example'));
    assert.equal(res.status, 201);
  };
  beforeEach(() => {
    computed.length = 0;
  });
  afterEach(() => server.close());

  it('/healthz and writes are answered while a firm-wide report is computed', async () => {
    // Every report computation is held 2.5 s in the worker: the server must go on answering meanwhile.
    await start({ holdMs: 2500 });
    const order: string[] = [];
    const report = admin.api.get('/api/v1/reports/funnel?scope=all').then(finished(order, 'report'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const health = await server.client.get('/healthz').then(finished(order, 'healthz'));
    const created = await admin.api
      .post('/api/v1/opportunities', referral('Pension', 'pension@client.example'))
      .then(finished(order, 'write'));
    const funnel = await report;
    assert.equal(health.status, 200);
    assert.equal(created.status, 201);
    assert.equal(funnel.status, 200);
    assert.deepEqual(order, ['healthz', 'write', 'report']);
    // The worker's connection reads what the server's committed: the hold comes before the reading, so the
    // opportunity written meanwhile is counted.
    assert.equal(funnel.body.stages[0].reached, 2);
  });

  it('identical concurrent report requests share one computation', async () => {
    await start({ holdMs: 1000, onCompute: (name) => computed.push(name) });
    const same = await Promise.all([1, 2, 3].map(() => admin.api.get('/api/v1/reports/funnel?scope=all')));
    for (const res of same) assert.equal(res.status, 200);
    assert.deepEqual(computed, ['funnelSummary']);
    assert.deepEqual(same[1].body, same[0].body);
    assert.deepEqual(same[2].body, same[0].body);
    // A different question is its own computation.
    const [all, mine] = await Promise.all([
      admin.api.get('/api/v1/reports/funnel?scope=all'),
      admin.api.get('/api/v1/reports/funnel?scope=me'),
    ]);
    assert.equal(all.status, 200);
    assert.equal(mine.status, 200);
    assert.equal(computed.length, 3);
  });

  it("a report of the caller's own rows is computed for each request, never shared with one already running", async () => {
    await start({ holdMs: 1000, onCompute: (name) => computed.push(name) });
    const first = admin.api.get('/api/v1/reports/funnel?scope=me');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const created = await admin.api.post('/api/v1/opportunities', referral('Pension', 'pension@client.example'));
    assert.equal(created.status, 201);
    // Asked after the change was saved: its answer must be read after it, whatever the first one read.
    const second = await admin.api.get('/api/v1/reports/funnel?scope=me');
    assert.equal((await first).status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual(computed, ['funnelSummary', 'funnelSummary']);
    assert.equal(second.body.stages[0].reached, 2);
  });

  it('a report in flight when the worker dies is answered 503 problem+json; the next one gets a new worker', async () => {
    await start({ firstWorkerDies: true });
    const failed = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.equal(failed.status, 503);
    assert.match(failed.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.doesNotMatch(String(failed.body.detail), /worker|sqlite|exit/i);
    const again = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.equal(again.status, 200);
    assert.equal(again.body.rows[0].count, 1);
  });

  it('a funnel that failed in flight is neither reused nor cached: the next request is computed on a new worker', async () => {
    // Reuse on (REPORT_CACHE_SECONDS): an owner-scoped funnel's failure is not the answer to the next identical request.
    await start({ firstWorkerDies: true, onCompute: (name) => computed.push(name) }, { REPORT_CACHE_SECONDS: '60' });
    const failed = await admin.api.get('/api/v1/reports/funnel?scope=me');
    assert.equal(failed.status, 503);
    const mine = await admin.api.get('/api/v1/reports/funnel?scope=me');
    assert.equal(mine.status, 200);
    assert.equal(mine.body.stages[0].reached, 1);
    assert.deepEqual(computed, ['funnelSummary', 'funnelSummary']);
  });

  it('a firm-wide report is reused for REPORT_CACHE_SECONDS and says when it was read (asOf); me is always fresh', async () => {
    await start({}, { REPORT_CACHE_SECONDS: '60' });
    const read = server.clock.now().toISOString();
    const firstFunnel = await admin.api.get('/api/v1/reports/funnel?scope=all');
    const firstStages = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.equal(firstFunnel.body.asOf, read);
    assert.equal(firstStages.body.asOf, read);
    assert.equal(firstStages.body.rows[0].count, 1);
    assert.equal(
      (await admin.api.post('/api/v1/opportunities', referral('Pension', 'pension@client.example'))).status,
      201,
    );
    server.clock.advance(59_000);
    // Within the minute: the answer read before, with its time.
    const cachedFunnel = await admin.api.get('/api/v1/reports/funnel?scope=all');
    const cachedStages = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.deepEqual(cachedFunnel.body, firstFunnel.body);
    assert.deepEqual(cachedStages.body, firstStages.body);
    // The advisor's own report is never cached.
    const mine = await admin.api.get('/api/v1/reports/stages?scope=me');
    assert.equal(mine.body.asOf, server.clock.now().toISOString());
    assert.equal(mine.body.rows[0].count, 2);
    server.clock.advance(1_000);
    const fresh = await admin.api.get('/api/v1/reports/stages?scope=all');
    assert.equal(fresh.body.asOf, server.clock.now().toISOString());
    assert.equal(fresh.body.rows[0].count, 2);
    assert.equal((await admin.api.get('/api/v1/reports/funnel?scope=all')).body.stages[0].reached, 2);
  });
});
