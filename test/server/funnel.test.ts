import assert from 'node:assert/strict';
import { csvField } from '../../server/services/funnel';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';
import type { FunnelStage } from '../../shared/schemas/reports';

type Client = Awaited<ReturnType<TestServer['advisor']>>;
type Row = FunnelStage;

const START = Date.parse('2026-11-02T09:00:00.000Z');
const DAY = 86_400_000;
/** A moment `n` days after the start (fractions allowed). */
const day = (n: number) => new Date(START + n * DAY).toISOString();

/**
 * Issue 14, the funnel: stage history seeded through the API with the clock set between changes, and the
 * report's numbers checked exactly (definitions in README "Reports").
 */
describe('funnel report (GET /reports/funnel, /reports/funnel.csv)', () => {
  let server: TestServer;
  let owner: Client;
  let manager: Client;

  beforeEach(async () => {
    server = await startTestServer();
    server.clock.set(day(0));
    owner = await server.advisor('Olive Owner');
    manager = await server.advisor('Max Manager', 'manager');
    await server.repo.teams.create('North', [owner.record.id, manager.record.id], null);
  });
  afterEach(() => server.close());

  let count = 0;
  const create = async (api: Client['api'], extra: Record<string, unknown> = {}) => {
    count += 1;
    const res = await api.post('/api/v1/opportunities', referral(`Deal ${count}`, `c${count}@client.example`, extra));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.opportunity.id as number;
  };
  const at = (n: number) => server.clock.set(day(n));
  const version = async (id: number) =>
    (await manager.api.get(`/api/v1/opportunities/${id}`)).body.opportunity.version as number;
  const move = async (id: number, stage: string, api = owner.api) => {
    const res = await api.patch(`/api/v1/opportunities/${id}`, { stage }, { 'If-Match': `"${await version(id)}"` });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  };
  const close = async (id: number, outcome: 'won' | 'lost', api = owner.api) =>
    assert.equal((await api.post(`/api/v1/opportunities/${id}/close`, { outcome })).status, 200);
  const reopen = async (id: number, api = owner.api) =>
    assert.equal((await api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
  const funnel = async (query = 'scope=me', api = owner.api) => {
    const res = await api.get(`/api/v1/reports/funnel?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.stages as Row[];
  };
  const stage = (rows: Row[], name: string) => rows.find((row) => row.stage === name)!;
  const reached = async (query: string, api = owner.api) => (await funnel(query, api)).map((row) => row.reached);

  it('exact conversions, median and p90 days in stage, won and lost by the stage left', async () => {
    const a = await create(owner.api);
    const b = await create(owner.api);
    await create(owner.api); // c stays in qualify
    const d = await create(owner.api);
    at(1);
    await move(d, 'develop');
    at(2);
    await move(a, 'develop');
    at(4);
    await move(b, 'develop');
    at(5);
    await move(a, 'propose');
    at(6);
    await move(a, 'close');
    at(8);
    await close(a, 'won');
    at(10);
    await close(b, 'lost');
    at(12);
    // qualify: a 2, b 4, c 12, d 1 → median 3, p90 9.6; develop: a 3, b 6, d 11 → 6, 10; propose: a 1; close: a 2.
    assert.deepEqual(await funnel(), [
      {
        stage: 'qualify',
        reached: 4,
        skipped: 0,
        converted: 3,
        conversion: 0.75,
        stayed: 4,
        medianDays: 3,
        p90Days: 9.6,
        won: 0,
        lost: 0,
      },
      {
        stage: 'develop',
        reached: 3,
        skipped: 0,
        converted: 1,
        conversion: 0.333,
        stayed: 3,
        medianDays: 6,
        p90Days: 10,
        won: 0,
        lost: 1,
      },
      {
        stage: 'propose',
        reached: 1,
        skipped: 0,
        converted: 1,
        conversion: 1,
        stayed: 1,
        medianDays: 1,
        p90Days: 1,
        won: 0,
        lost: 0,
      },
      {
        stage: 'close',
        reached: 1,
        skipped: 0,
        converted: null,
        conversion: null,
        stayed: 1,
        medianDays: 2,
        p90Days: 2,
        won: 1,
        lost: 0,
      },
    ]);
  });

  it('time in stage to one decimal: an ongoing stay counts up to now', async () => {
    await create(owner.api);
    at(1.25);
    assert.equal(stage(await funnel(), 'qualify').medianDays, 1.3);
    at(3.04);
    assert.equal(stage(await funnel(), 'qualify').p90Days, 3);
  });

  it('skipped stage: counted as reached (and as skipped), with no time in it', async () => {
    const jumped = await create(owner.api);
    await create(owner.api, { stage: 'propose' }); // created past qualify and develop
    at(3);
    await move(jumped, 'propose');
    at(5);
    const rows = await funnel();
    assert.deepEqual(
      rows.map((row) => [row.stage, row.reached, row.skipped, row.stayed, row.medianDays]),
      [
        ['qualify', 2, 1, 1, 3],
        ['develop', 2, 2, 0, null],
        ['propose', 2, 0, 2, 3.5],
        ['close', 0, 0, 0, null],
      ],
    );
    assert.deepEqual(
      rows.map((row) => row.conversion),
      [1, 1, 0, null],
    );
  });

  it('reopened and revisited: counted once per stage reached; time across visits summed, the closed time left out', async () => {
    const g = await create(owner.api);
    at(2);
    await move(g, 'develop');
    at(3);
    await close(g, 'lost'); // 1 day in develop
    at(6);
    await reopen(g); // closed for 3 days: not counted
    at(8);
    await move(g, 'propose'); // 2 more days in develop
    at(9);
    await move(g, 'develop'); // back: 1 day in propose
    at(9.5);
    await move(g, 'propose'); // half a day more in develop
    at(10);
    await close(g, 'won'); // half a day more in propose
    at(20);
    assert.deepEqual(
      (await funnel()).map((row) => [row.stage, row.reached, row.stayed, row.medianDays, row.won, row.lost]),
      [
        ['qualify', 1, 1, 2, 0, 0],
        ['develop', 1, 1, 3.5, 0, 0],
        ['propose', 1, 1, 1.5, 1, 0],
        ['close', 0, 0, null, 0, 0],
      ],
    );
  });

  it('filters: campaign, referrer (advisor or contact), owner, team, and creation dates (inclusive)', async () => {
    const other = await server.advisor('Oscar Other');
    const south = await server.advisor('Sam South');
    await server.repo.teams.create('South', [south.record.id], null);
    const admin = await server.advisor('Ada Admin', 'admin');
    const rita = await server.advisor('Rita Referrer');
    const contact = await owner.api.post('/api/v1/contacts', { name: 'Carl Contact', email: 'carl@partner.example' });
    assert.equal(contact.status, 201);

    await create(owner.api, { campaignId: 2 });
    at(1);
    const referred = await create(owner.api, { referredBy: { advisorId: rita.record.id } });
    at(2);
    await create(owner.api, { referredBy: { contactId: contact.body.id } });
    at(3);
    await create(south.api);
    await create(other.api);
    await move(referred, 'develop');

    assert.deepEqual(await reached('scope=me&campaignId=2'), [1, 0, 0, 0]);
    assert.deepEqual(await reached(`scope=me&referrerAdvisorId=${rita.record.id}`), [1, 1, 0, 0]);
    assert.deepEqual(await reached(`scope=me&referrerContactId=${contact.body.id}`), [1, 0, 0, 0]);
    assert.deepEqual(await reached('scope=me&from=2026-11-03&to=2026-11-04'), [2, 1, 0, 0]);
    assert.deepEqual(await reached('scope=me&from=2026-11-04'), [1, 0, 0, 0]);
    assert.deepEqual(await reached('scope=me&to=2026-11-02'), [1, 0, 0, 0]);
    assert.deepEqual(await reached('scope=team', manager.api), [3, 1, 0, 0]);
    assert.deepEqual(await reached(`scope=team&ownerId=${owner.record.id}`, manager.api), [3, 1, 0, 0]);
    assert.deepEqual(await reached(`scope=team&ownerId=${manager.record.id}`, manager.api), [0, 0, 0, 0]);
    const northTeam = (await server.repo.teams.findByName('North'))!.id;
    const southTeam = (await server.repo.teams.findByName('South'))!.id;
    assert.deepEqual(await reached(`scope=team&teamId=${northTeam}`, manager.api), [3, 1, 0, 0]);
    assert.deepEqual(await reached('scope=all', admin.api), [5, 1, 0, 0]);
    assert.deepEqual(await reached(`scope=all&teamId=${southTeam}`, admin.api), [1, 0, 0, 0]);
    assert.deepEqual(await reached(`scope=all&ownerId=${other.record.id}`, admin.api), [1, 0, 0, 0]);
  });

  it('scopes: team only for managers, all only for admins; a filter outside the scope is 403 and says nothing more', async () => {
    const admin = await server.advisor('Ada Admin', 'admin');
    const south = await server.advisor('Sam South');
    await server.repo.teams.create('South', [south.record.id], null);
    const southTeam = (await server.repo.teams.findByName('South'))!.id;
    for (const [api, query] of [
      [owner.api, 'scope=team'],
      [owner.api, 'scope=all'],
      [manager.api, 'scope=all'],
      [admin.api, 'scope=team'],
      [owner.api, `scope=me&ownerId=${manager.record.id}`],
      [manager.api, `scope=team&ownerId=${south.record.id}`],
      [manager.api, `scope=team&teamId=${southTeam}`],
      [owner.api, `scope=me&teamId=${southTeam}`],
    ] as const) {
      for (const path of ['/api/v1/reports/funnel', '/api/v1/reports/funnel.csv']) {
        const res = await api.get(`${path}?${query}`);
        assert.equal(res.status, 403, `${path}?${query}`);
        assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
        assert.doesNotMatch(String(res.body.detail), /Sam|South|Max|Olive/, res.body.detail);
      }
    }
  });

  it('bad filters are 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-13-01', 'query.from'],
      ['to=yesterday', 'query.to'],
      ['from=2026-11-05&to=2026-11-04', 'query.to'],
      ['referrerAdvisorId=1&referrerContactId=2', 'query.referrerContactId'],
      ['ownerId=abc', 'query.ownerId'],
      ['scope=everyone', 'query.scope'],
    ]) {
      const res = await owner.api.get(`/api/v1/reports/funnel?${query}`);
      assert.equal(res.status, 400, query);
      assert.ok(
        (res.body.errors as { path: string }[]).some((error) => error.path === field),
        `${query}: ${JSON.stringify(res.body)}`,
      );
    }
  });

  it('CSV equals JSON: a header row, one row per stage, the same numbers; a dated attachment', async () => {
    const a = await create(owner.api);
    await create(owner.api);
    at(1.5);
    await move(a, 'develop');
    at(2);
    await close(a, 'lost');
    at(4.2);
    const json = await funnel('scope=team', manager.api);
    const res = await manager.api.get('/api/v1/reports/funnel.csv?scope=team');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="funnel-team-2026-11-06.csv"');
    const [header, ...lines] = (res.body as string).trimEnd().split('\r\n');
    const columns = header.split(',');
    assert.deepEqual(columns, Object.keys(json[0]));
    const parsed = lines.map((line) =>
      Object.fromEntries(
        line.split(',').map((cell, index) => {
          const column = columns[index];
          if (column === 'stage') return [column, cell];
          return [column, cell === '' ? null : Number(cell)];
        }),
      ),
    );
    assert.deepEqual(parsed, json);
  });

  it('CSV fields are escaped against formula injection and broken quoting', () => {
    assert.equal(csvField('=HYPERLINK("http://evil.example")'), `"'=HYPERLINK(""http://evil.example"")"`);
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('-2'), "'-2");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tx'), "'\tx");
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('line\nbreak'), '"line\nbreak"');
    assert.equal(csvField('qualify'), 'qualify');
    assert.equal(csvField(0.333), '0.333');
    assert.equal(csvField(null), '');
  });
});
