import assert from 'node:assert/strict';
import { FUNNEL_FACTS_BACKFILL } from '../../server/db/migrations/022_funnel_facts';
import { FUNNEL_STAYS_BACKFILL } from '../../server/db/migrations/028_funnel_totals';
import { funnelFromTotals } from '../../server/repository/sqlite/funnel-totals';
import { percentile } from '../../server/services/funnel';
import { STAGES, type Stage } from '../../shared/schemas/opportunities';
import type { Funnel, FunnelStage } from '../../shared/schemas/reports';
import type { StageReport } from '../../shared/schemas/work';
import { patchOpportunity, referral, startTestServer, type TestServer } from '../helpers/test-server';
import { deleteOpportunity } from '../helpers/delete-opportunity';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

/** SQLite's funnel facts go with a deleted opportunity by their foreign key (ON DELETE CASCADE), tested so. */
const CASCADED = ['opportunity_funnel'];

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-04T15:30:00.000Z');

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows inserted a few hundred to a statement (`?` placeholders, on either backend); the rows RETURNING gives. */
async function insertRows(server: TestServer, head: string, rows: unknown[][], returning = '') {
  const returned: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const values = chunk.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
    returned.push(...(await server.rows(`${head} VALUES ${values}${returning}`, ...chunk.flat())));
  }
  return returned;
}

/**
 * Random histories written as the service writes them: created in a stage, then stage changes (forward, skips and
 * back), closes won or lost and reopens, across days, some on the same millisecond; the opportunity row ends in the
 * stage, stage_entered_at and status its history says. A few have no history at all (as a restore could leave).
 * Written on either backend: the opportunities first, then each one's history in its order (SQLite's triggers fold
 * it entry by entry), the n-th entries of every history in one statement per table.
 */
async function seedHistories(server: TestServer, owners: number[], count: number, seed: number) {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const iso = (ms: number) => new Date(ms).toISOString();
  const contact = await server.value<number>(
    "INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('Client', 'c@client.example', ?, ?) RETURNING id",
    iso(NOW - 400 * DAY),
    iso(NOW - 400 * DAY),
  );
  type Step = { kind: 'stage' | 'closed' | 'reopened'; value: string | null; from: Stage | null; when: string };
  const opportunities: unknown[][] = [];
  const histories: { owner: number; steps: Step[]; withoutHistory: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    const owner = pick(owners);
    // Whole seconds or the same instant as the one before: ties in stage_entered_at on purpose.
    const created = NOW - Math.floor((rand() * 120 * DAY) / 1000) * 1000;
    let at = created;
    let stage: Stage = pick(STAGES);
    let status: 'open' | 'won' | 'lost' = 'open';
    const steps: Step[] = [];
    const record = (kind: 'stage' | 'closed' | 'reopened', value: string | null, from: Stage | null) =>
      steps.push({ kind, value, from, when: iso(at) });
    record('stage', stage, null);
    let enteredAt = at;
    const moves = Math.floor(rand() * 6);
    for (let m = 0; m < moves && at < NOW - DAY; m++) {
      at = Math.min(NOW - 1000, at + (rand() < 0.15 ? 0 : Math.floor((rand() * 20 * DAY) / 1000) * 1000));
      const roll = rand();
      if (status === 'open' && roll < 0.2) {
        status = rand() < 0.5 ? 'won' : 'lost';
        record('closed', status, null);
      } else if (status !== 'open' && roll < 0.6) {
        status = 'open';
        record('reopened', null, null);
      } else if (status === 'open') {
        const next = pick(STAGES.filter((s) => s !== stage));
        record('stage', next, stage);
        stage = next;
        enteredAt = at;
      }
    }
    const value = rand() < 0.1 ? null : Math.round(rand() * 5_000_000) / 100;
    // The draws in the order the rows were always made (campaign, actual value, referrer, then the history).
    const campaign = 1 + Math.floor(rand() * 3);
    const actual = status === 'open' ? null : Math.round(rand() * 100_000) / 100;
    const referrer = rand() < 0.3 ? pick(owners) : null;
    opportunities.push([
      `Deal ${i}`,
      contact,
      campaign,
      stage,
      iso(enteredAt),
      status,
      owner,
      iso(created),
      owner,
      value,
      actual,
      iso(created),
      iso(at),
      referrer,
    ]);
    histories.push({ owner, steps, withoutHistory: rand() < 0.03 });
  }
  const returned = await insertRows(
    server,
    `INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, status, owner_id,
       assigned_at, created_by_id, estimated_value, actual_value, created_at, updated_at, referred_by_advisor_id)`,
    opportunities,
    ' RETURNING id, topic',
  );
  const idOf = new Map(returned.map((row) => [row.topic as string, Number(row.id)]));
  const ids = opportunities.map((row) => idOf.get(row[0] as string)!);
  assert.equal(new Set(ids).size, count);
  for (let n = 0; histories.some((history) => history.steps.length > n); n++) {
    const changes: unknown[][] = [];
    const events: unknown[][] = [];
    histories.forEach(({ owner, steps, withoutHistory }, i) => {
      const step = steps[n];
      if (!step) return;
      if (step.kind === 'stage') {
        if (!withoutHistory) changes.push([ids[i], step.value, step.from, step.when, owner]);
      } else events.push([ids[i], step.kind, step.value, owner, step.when]);
    });
    await insertRows(
      server,
      'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id)',
      changes,
    );
    await insertRows(
      server,
      'INSERT INTO opportunity_events (opportunity_id, kind, outcome, by_advisor_id, created_at)',
      events,
    );
  }
}

interface OpportunityRow {
  id: number;
  owner_id: number;
  campaign_id: number;
  referred_by_advisor_id: number | null;
  created_at: string;
  stage: Stage;
  status: 'open' | 'won' | 'lost';
  stage_entered_at: string;
  estimated_value: number | null;
  actual_value: number | null;
}

/** The opportunities' rows as they are now, on either backend. */
const opportunityRows = (server: TestServer) =>
  server.rows<OpportunityRow>(
    `SELECT id, owner_id, campaign_id, referred_by_advisor_id, created_at, stage, status, stage_entered_at,
       estimated_value, actual_value FROM opportunities`,
  );

/**
 * Today's stage report (before issue 15), kept as the reference: every row in scope read and reduced here, counts and
 * values by stage and status, values summed to the cent (migration 25: whole cents add up exactly, where a sum of
 * fractions drifts in the last digit), days in stage of every open entry.
 */
async function referenceStageReport(
  server: TestServer,
  ownerIds: number[] | null,
  scope: string,
): Promise<StageReport> {
  const inScope = (await opportunityRows(server)).filter((row) => ownerIds === null || ownerIds.includes(row.owner_id));
  const groups = new Map<string, { stage: Stage; status: string; count: number; estimated: number; actual: number }>();
  for (const row of inScope) {
    const key = `${row.stage} ${row.status}`;
    const group = groups.get(key) ?? { stage: row.stage, status: row.status, count: 0, estimated: 0, actual: 0 };
    group.count += 1;
    if (row.estimated_value !== null) group.estimated += Math.round(row.estimated_value * 100);
    if (row.actual_value !== null) group.actual += Math.round(row.actual_value * 100);
    groups.set(key, group);
  }
  const rows = [...groups.values()].map(({ stage, status, count, estimated, actual }) => ({
    stage,
    status,
    count,
    estimatedValue: estimated / 100,
    actualValue: actual / 100,
  })) as StageReport['rows'];
  const entries = inScope.filter((row) => row.status === 'open');
  const median = (values: number[]) => {
    if (values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);
  const daysInStage = STAGES.map((stage) => {
    const days = entries
      .filter((entry) => entry.stage === stage)
      .map((entry) => (NOW - Date.parse(entry.stage_entered_at)) / DAY);
    return {
      stage,
      open: days.length,
      medianDays: round1(median(days)),
      maxDays: round1(days.length ? days.reduce((max, day) => Math.max(max, day), -Infinity) : null),
    };
  });
  rows.sort((a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.status.localeCompare(b.status));
  return { scope: scope as StageReport['scope'], asOf: new Date(NOW).toISOString(), rows, daysInStage };
}

interface Filter {
  ownerIds: number[] | null;
  campaignId?: number;
  referrerAdvisorId?: number;
  createdFrom?: string;
  createdBefore?: string;
}

/** An entry of an opportunity's history: a stage entered, or a close or reopen. */
interface HistoryEntry {
  kind: 'stage' | 'closed' | 'reopened';
  stage: Stage | null;
  at: number;
  /** Stage changes before a close or reopen at the same moment, then in the order written (ids). */
  source: 0 | 1;
  id: number;
}

/** The opportunities' rows and each one's history in time order, as they are now, on either backend. */
async function readHistories(server: TestServer) {
  const opportunities = await opportunityRows(server);
  const changes = await server.rows<{ id: number; opportunity_id: number; stage: Stage; at: string }>(
    'SELECT id, opportunity_id, stage, at FROM stage_changes',
  );
  const events = await server.rows<{ id: number; opportunity_id: number; kind: 'closed' | 'reopened'; at: string }>(
    "SELECT id, opportunity_id, kind, created_at AS at FROM opportunity_events WHERE kind IN ('closed', 'reopened')",
  );
  const history = new Map<number, HistoryEntry[]>(opportunities.map((row) => [row.id, []]));
  for (const change of changes)
    history
      .get(change.opportunity_id)!
      .push({ kind: 'stage', stage: change.stage, at: Date.parse(change.at), source: 0, id: change.id });
  for (const event of events)
    history
      .get(event.opportunity_id)!
      .push({ kind: event.kind, stage: null, at: Date.parse(event.at), source: 1, id: event.id });
  for (const entries of history.values()) entries.sort((a, b) => a.at - b.at || a.source - b.source || a.id - b.id);
  return { opportunities, history };
}

/**
 * An opportunity's history walked: the milliseconds spent in each stage it entered until `now` (a stay ends at the
 * next stage change or a close; a reopen starts the clock again), and the stay going on (open, in a stage) with when
 * it began.
 */
function walk(entries: HistoryEntry[], now: number) {
  const totals = new Map<Stage, number>();
  let stage: Stage | null = null;
  let open = true;
  let since = 0;
  const stop = (at: number) => {
    if (stage && open) totals.set(stage, totals.get(stage)! + Math.max(0, at - since));
    since = at;
  };
  for (const entry of entries) {
    if (entry.kind === 'stage') {
      stop(entry.at);
      stage = entry.stage!;
      totals.set(stage, totals.get(stage) ?? 0);
    } else if (entry.kind === 'closed') {
      stop(entry.at);
      open = false;
    } else {
      open = true;
      since = entry.at;
    }
  }
  const running = stage && open ? { stage, since } : null;
  stop(now);
  return { totals, running };
}

/**
 * Today's funnel (before issue 15), kept as the reference, from the rows read back: per opportunity in the filter,
 * the furthest stage and the stages its history entered, the stage it was in when last closed (the latest stage
 * entered at or before its last close, else the stage on its row), and its stays walked.
 */
async function referenceFunnel(server: TestServer, filter: Filter, now = NOW): Promise<FunnelStage[]> {
  const { opportunities, history } = await readHistories(server);
  const f = opportunities.filter(
    (o) =>
      (filter.ownerIds === null || filter.ownerIds.includes(o.owner_id)) &&
      (filter.campaignId === undefined || o.campaign_id === filter.campaignId) &&
      (filter.referrerAdvisorId === undefined || o.referred_by_advisor_id === filter.referrerAdvisorId) &&
      (filter.createdFrom === undefined || Date.parse(o.created_at) >= Date.parse(filter.createdFrom)) &&
      (filter.createdBefore === undefined || Date.parse(o.created_at) < Date.parse(filter.createdBefore)),
  );
  const counts = STAGES.map(() => ({ reached: 0, entered: 0, won: 0, lost: 0 }));
  const days = new Map<Stage, number[]>(STAGES.map((stage) => [stage, []]));
  for (const o of f) {
    const entries = history.get(o.id)!;
    const stagesEntered = entries.filter((entry) => entry.kind === 'stage');
    if (stagesEntered.length) {
      const furthest = Math.max(...stagesEntered.map((entry) => STAGES.indexOf(entry.stage!)));
      for (let r = 0; r <= furthest; r++) counts[r].reached += 1;
      for (const stage of new Set(stagesEntered.map((entry) => entry.stage!)))
        counts[STAGES.indexOf(stage)].entered += 1;
    }
    if (o.status !== 'open') {
      const closes = entries.filter((entry) => entry.kind === 'closed').map((entry) => entry.at);
      const lastClose = closes.length ? Math.max(...closes) : null;
      const before =
        lastClose === null
          ? []
          : stagesEntered.filter((entry) => entry.at <= lastClose).sort((a, b) => b.at - a.at || b.id - a.id);
      counts[STAGES.indexOf(before[0]?.stage ?? o.stage)][o.status] += 1;
    }
    for (const [entered, ms] of walk(entries, now).totals) days.get(entered)!.push(ms / DAY);
  }
  const round = (value: number | null, places: number) =>
    value === null ? null : Math.round(value * 10 ** places) / 10 ** places;
  return STAGES.map((stage, index) => {
    const count = counts[index];
    const next = index + 1 < STAGES.length ? counts[index + 1] : null;
    const sorted = days.get(stage)!.sort((a, b) => a - b);
    return {
      stage,
      reached: count.reached,
      skipped: count.reached - count.entered,
      converted: next ? next.reached : null,
      conversion: next && count.reached > 0 ? round(next.reached / count.reached, 3) : null,
      stayed: sorted.length,
      medianDays: round(percentile(sorted, 0.5), 1),
      p90Days: round(percentile(sorted, 0.9), 1),
      won: count.won,
      lost: count.lost,
    };
  });
}

/** When the latest stay going on began (a stage entered or a reopen of an open opportunity), from the histories. */
async function latestRunningStart(server: TestServer): Promise<number> {
  const { history } = await readHistories(server);
  let latest = -Infinity;
  for (const entries of history.values()) {
    const { running } = walk(entries, NOW);
    if (running) latest = Math.max(latest, running.since);
  }
  return latest;
}

/**
 * Issue 15: the stage report and the funnel computed in SQL from the owners' rows give exactly the numbers today's
 * algorithm gives (kept above as the reference), for me, team and the firm and with every filter. The funnel's facts
 * kept by triggers are SQLite's (on PostgreSQL, the funnel is computed from the history on each read): there, only the
 * answers are compared with the reference.
 */
describe('report facts: SQL answers equal the reference (issue 15)', () => {
  let server: TestServer;
  let admin: Client;
  let manager: Client;
  let advisors: Client[];
  let teamId: number;

  before(async () => {
    server = await startTestServer();
    server.clock.set(new Date(NOW).toISOString());
    admin = await server.advisor('Ada Admin', 'admin');
    manager = await server.advisor('Max Manager', 'manager');
    advisors = [];
    for (const name of ['Olive', 'Pete', 'Quinn', 'Rosa', 'Sam']) advisors.push(await server.advisor(name));
    teamId = (
      await server.repo.teams.create('North', [advisors[0].record.id, advisors[1].record.id, manager.record.id], null)
    ).id;
    const owners = [...advisors.map((a) => a.record.id), manager.record.id, admin.record.id];
    await seedHistories(server, owners, 1500, 15);
  });
  after(() => server.close());

  const get = async (api: Client['api'], path: string) => {
    const res = await api.get(path);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as unknown;
  };

  it('stage report: counts, values and days in stage equal the reference for me, team and all', async () => {
    for (const advisor of advisors)
      assert.deepEqual(
        await get(advisor.api, '/api/v1/reports/stages?scope=me'),
        await referenceStageReport(server, [advisor.record.id], 'me'),
      );
    assert.deepEqual(
      await get(manager.api, '/api/v1/reports/stages?scope=team'),
      await referenceStageReport(server, (await server.repo.advisors.teammateIds(manager.record.id)).sort(), 'team'),
    );
    const all = (await get(admin.api, '/api/v1/reports/stages?scope=all')) as StageReport;
    assert.deepEqual(all, await referenceStageReport(server, null, 'all'));
    // The data reaches every case: even and odd counts, several stages, closed ones.
    assert.ok(all.daysInStage.some((row) => row.open % 2 === 0 && row.open > 0));
    assert.ok(all.daysInStage.some((row) => row.open % 2 === 1));
    assert.ok(all.rows.some((row) => row.status === 'won') && all.rows.some((row) => row.status === 'lost'));
  });

  it('stage report: an even count of one open opportunity each side of the middle, and none open, as the reference', async () => {
    const [owner] = advisors.slice(4);
    await server.rows(
      "UPDATE opportunities SET status = 'lost' WHERE owner_id = ? AND stage = 'close'",
      owner.record.id,
    );
    const ids = (
      await server.rows<{ id: number }>(
        "SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' AND stage = 'develop' ORDER BY id",
        owner.record.id,
      )
    ).map((row) => row.id);
    if (ids.length % 2) await server.rows("UPDATE opportunities SET status = 'won' WHERE id = ?", ids[0]);
    const report = (await get(owner.api, '/api/v1/reports/stages?scope=me')) as StageReport;
    assert.deepEqual(report, await referenceStageReport(server, [owner.record.id], 'me'));
    assert.deepEqual(
      report.daysInStage.find((row) => row.stage === 'close'),
      {
        stage: 'close',
        open: 0,
        medianDays: null,
        maxDays: null,
      },
    );
  });

  it('funnel: reached, skipped, conversions, stays (median, p90), won and lost equal the reference', async () => {
    const funnel = async (api: Client['api'], query: string) =>
      ((await get(api, `/api/v1/reports/funnel?${query}`)) as Funnel).stages;
    for (const advisor of advisors.slice(0, 3))
      assert.deepEqual(
        await funnel(advisor.api, 'scope=me'),
        await referenceFunnel(server, { ownerIds: [advisor.record.id] }),
      );
    const teamIds = await server.repo.advisors.teammateIds(manager.record.id);
    assert.deepEqual(await funnel(manager.api, 'scope=team'), await referenceFunnel(server, { ownerIds: teamIds }));
    const all = await funnel(admin.api, 'scope=all');
    assert.deepEqual(all, await referenceFunnel(server, { ownerIds: null }));
    assert.ok(
      all.every((row) => row.reached > 0 && row.stayed > 0),
      'every stage is reached and stayed in',
    );
    assert.ok(all.some((row) => row.skipped > 0) && all.some((row) => row.won > 0 && row.lost > 0));
  });

  it('funnel: every filter (owner, campaign, referrer, creation dates) equals the reference', async () => {
    const funnel = async (query: string) =>
      ((await get(admin.api, `/api/v1/reports/funnel?${query}`)) as Funnel).stages;
    const from = new Date(NOW - 60 * DAY).toISOString().slice(0, 10);
    const to = new Date(NOW - 20 * DAY).toISOString().slice(0, 10);
    const dates = {
      createdFrom: `${from}T00:00:00.000Z`,
      createdBefore: new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY).toISOString(),
    };
    const owner = advisors[2].record.id;
    const referrer = advisors[3].record.id;
    const cases: [string, Filter][] = [
      [`scope=all&ownerId=${owner}`, { ownerIds: [owner] }],
      ['scope=all&campaignId=2', { ownerIds: null, campaignId: 2 }],
      [`scope=all&referrerAdvisorId=${referrer}`, { ownerIds: null, referrerAdvisorId: referrer }],
      [`scope=all&from=${from}&to=${to}`, { ownerIds: null, ...dates }],
      [`scope=all&ownerId=${owner}&campaignId=1&from=${from}&to=${to}`, { ownerIds: [owner], campaignId: 1, ...dates }],
    ];
    for (const [query, filter] of cases)
      assert.deepEqual(await funnel(query), await referenceFunnel(server, filter), query);
    const teamQuery = await funnel(`scope=all&teamId=${teamId}`);
    assert.deepEqual(
      teamQuery,
      await referenceFunnel(server, { ownerIds: await server.repo.advisors.teammateIds(manager.record.id) }),
    );
  });

  /** SQLite's facts the triggers kept, and the same computed afresh from the history by the migration's backfill. */
  const factsKeptAndRecomputed = () => {
    const read = () => server.db.prepare('SELECT * FROM opportunity_funnel ORDER BY opportunity_id').all();
    const kept = read();
    server.db.transaction(() => {
      server.db.exec('DELETE FROM opportunity_funnel');
      server.db.prepare(FUNNEL_FACTS_BACKFILL).run({ from: 0, to: Number.MAX_SAFE_INTEGER });
    })();
    return { kept, recomputed: read() };
  };

  it('funnel facts: what the triggers keep equals the backfill and the reference after stage changes, close, reopen, reassignment and deletes', async () => {
    const [olive, pete] = advisors;
    const funnelOf = async (who: Client) => ((await get(who.api, '/api/v1/reports/funnel?scope=me')) as Funnel).stages;
    const now = () => server.clock.now().getTime();
    const agree = async (step: string) => {
      if (server.backend === 'sqlite') {
        const { kept, recomputed } = factsKeptAndRecomputed();
        assert.ok(kept.length > 1000, step);
        assert.deepEqual(kept, recomputed, step);
      }
      for (const who of [olive, pete])
        assert.deepEqual(
          await funnelOf(who),
          await referenceFunnel(server, { ownerIds: [who.record.id] }, now()),
          step,
        );
      assert.deepEqual(
        ((await get(admin.api, '/api/v1/reports/funnel?scope=all')) as Funnel).stages,
        await referenceFunnel(server, { ownerIds: null }, now()),
        step,
      );
    };
    await agree('seeded');
    const later = (hours: number) => server.clock.set(new Date(NOW + hours * 3_600_000).toISOString());
    const created = await olive.api.post('/api/v1/opportunities', {
      topic: 'Facts',
      customer: { newContact: { name: 'Fay Facts', email: 'fay@client.example' } },
    });
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    const move = async (stage: string) => assert.equal((await patchOpportunity(olive.api, id, { stage })).status, 200);
    later(5);
    await move('propose');
    later(30);
    await move('develop');
    await agree('after stage changes (a skip, then back)');
    later(50);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' })).status, 200);
    await agree('after a close');
    later(80);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    later(81);
    await move('close');
    later(90);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
    await agree('after reopen, a stage change and a second close');
    later(100);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: pete.record.id })).status, 200);
    const peteFunnel = await funnelOf(pete);
    await agree('after reassignment: the facts count for the new owner');
    assert.notDeepEqual(await funnelOf(pete), await funnelOf(olive), 'the reassigned one moved');
    assert.equal(peteFunnel.find((row) => row.stage === 'close')!.stayed > 0, true);
    // Opportunities are never deleted through the API; a row deleted with its history takes its facts with it.
    const gone = await server.value<number>(
      "SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' ORDER BY id LIMIT 1",
      pete.record.id,
    );
    assert.ok(gone);
    await deleteOpportunity(server, gone, CASCADED);
    assert.equal(await server.value('SELECT count(*) FROM opportunities WHERE id = ?', gone), 0);
    if (server.backend === 'sqlite')
      assert.equal(await server.value('SELECT count(*) FROM opportunity_funnel WHERE opportunity_id = ?', gone), 0);
    await agree('after a delete');
    later(0);
  });
});

/**
 * Issue 15, migration 027: an owner-scoped funnel (me, team) is reused while its owners' funnel versions are
 * unchanged. With a cache of an hour and a clock standing still, a reused answer equals the computed one only if every
 * kind of change the funnel reads bumped the versions of the owners it touched, and no one else's. The versions and
 * the reuse are SQLite's (PostgreSQL reads every funnel afresh): there, the answers after each change are compared
 * with the reference.
 */
describe('funnel owner versions: a reused owner-scoped funnel equals the reference (issue 15)', () => {
  let server: TestServer;
  let manager: Client;
  let olive: Client;
  let pete: Client;
  let quinn: Client;
  let north: number;

  before(async () => {
    server = await startTestServer({ REPORT_CACHE_SECONDS: '3600' });
    server.clock.set(new Date(NOW).toISOString());
    manager = await server.advisor('Max Manager', 'manager');
    [olive, pete, quinn] = [await server.advisor('Olive'), await server.advisor('Pete'), await server.advisor('Quinn')];
    north = (await server.repo.teams.create('North', [olive.record.id, pete.record.id, manager.record.id], null)).id;
    await server.repo.teams.create('South', [quinn.record.id, manager.record.id], null);
    await seedHistories(
      server,
      [olive, pete, quinn, manager].map((who) => who.record.id),
      400,
      27,
    );
  });
  after(() => server.close());

  const stages = async (who: Client, query: string) => {
    const res = await who.api.get(`/api/v1/reports/funnel?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as Funnel).stages;
  };
  /** SQLite's funnel versions of the owners (none on PostgreSQL). */
  const versions = async () =>
    new Map(
      server.backend === 'sqlite'
        ? (
            await server.rows<{ owner_id: number; version: number }>(
              'SELECT owner_id, version FROM funnel_owner_versions',
            )
          ).map((row) => [row.owner_id, row.version])
        : [],
    );

  it('after a create, stage changes, close, reopen, reassignment, a team change, a filter column and a delete, reused me and team funnels equal the reference, and only the owners touched were bumped', async () => {
    const team = [olive, pete, quinn, manager].map((who) => who.record.id);
    const northMembers = async () =>
      (await server.rows<{ advisor_id: number }>('SELECT advisor_id FROM team_members WHERE team_id = ?', north)).map(
        (row) => row.advisor_id,
      );
    let before = await versions();
    const agree = async (step: string, touched: Client[]) => {
      if (server.backend === 'sqlite') {
        const now = await versions();
        const bumped = team.filter((id) => (now.get(id) ?? 0) !== (before.get(id) ?? 0));
        assert.deepEqual(
          bumped,
          touched.map((who) => who.record.id).sort((a, b) => a - b),
          `${step}: owners bumped`,
        );
        before = now;
      }
      for (const who of [olive, pete, quinn])
        assert.deepEqual(
          await stages(who, 'scope=me'),
          await referenceFunnel(server, { ownerIds: [who.record.id] }),
          step,
        );
      assert.deepEqual(await stages(manager, 'scope=team'), await referenceFunnel(server, { ownerIds: team }), step);
      const members = await northMembers();
      assert.deepEqual(
        await stages(manager, `scope=team&teamId=${north}`),
        await referenceFunnel(server, { ownerIds: team.filter((id) => members.includes(id)) }),
        `${step} (team filter)`,
      );
      assert.deepEqual(
        await stages(manager, 'scope=team&campaignId=2'),
        await referenceFunnel(server, { ownerIds: team, campaignId: 2 }),
        `${step} (campaign filter)`,
      );
    };
    await agree('seeded', []);
    const created = await olive.api.post('/api/v1/opportunities', referral('Versions', 'vera@client.example'));
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    await agree('after a create', [olive]);
    const move = async (stage: string) => assert.equal((await patchOpportunity(olive.api, id, { stage })).status, 200);
    await move('propose');
    await agree('after a stage change', [olive]);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
    await agree('after a close', [olive]);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    await agree('after a reopen', [olive]);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: pete.record.id })).status, 200);
    await agree('after a reassignment: both owners', [olive, pete]);
    await server.repo.teams.addMember(north, quinn.record.id, null);
    await agree('after a team change', [quinn]);
    // History written alone (as an import or another writer might): only the funnel's facts change.
    await server.rows(
      'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES (?, ?, ?, ?, ?)',
      id,
      'close',
      'propose',
      new Date(NOW).toISOString(),
      pete.record.id,
    );
    await agree('after history written alone', [pete]);
    await server.rows('UPDATE opportunities SET campaign_id = 2 WHERE id = ?', id);
    await agree('after a filter column changed', [pete]);
    const gone = await server.value<number>(
      'SELECT id FROM opportunities WHERE owner_id = ? AND id <> ? ORDER BY id LIMIT 1',
      quinn.record.id,
      id,
    );
    assert.ok(gone);
    await deleteOpportunity(server, gone, CASCADED);
    await agree('after a delete', [quinn]);
  });
});

/**
 * Issue 15, migration 028: an unfiltered funnel (me, team, firm) is read from totals and periods of stays kept by
 * triggers, and only the stays at the percentiles' positions. After every kind of change, what the triggers kept
 * equals what the backfill makes afresh, and the answers equal the reference, read from the totals (not the fallback).
 * The stays and totals are SQLite's (PostgreSQL computes the funnel from the history on each read): there, the answers
 * are compared with the reference.
 */
describe('funnel totals: the precomputed funnel equals the computed one (issue 15)', () => {
  let server: TestServer;
  let admin: Client;
  let manager: Client;
  let olive: Client;
  let pete: Client;
  let quinn: Client;
  let north: number;

  before(async () => {
    server = await startTestServer();
    server.clock.set(new Date(NOW).toISOString());
    admin = await server.advisor('Ada Admin', 'admin');
    manager = await server.advisor('Max Manager', 'manager');
    [olive, pete, quinn] = [await server.advisor('Olive'), await server.advisor('Pete'), await server.advisor('Quinn')];
    north = (await server.repo.teams.create('North', [olive.record.id, pete.record.id, manager.record.id], null)).id;
    await seedHistories(
      server,
      [olive, pete, quinn, manager, admin].map((who) => who.record.id),
      900,
      28,
    );
  });
  after(() => server.close());

  const now = () => server.clock.now().getTime();
  const later = (hours: number) => server.clock.set(new Date(NOW + hours * 3_600_000).toISOString());
  const stages = async (who: Client, query: string) => {
    const res = await who.api.get(`/api/v1/reports/funnel?${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return (res.body as Funnel).stages;
  };

  /** SQLite's rows the triggers kept, the same made afresh by the backfill (rolled back), and the totals of the rows. */
  const keptAndRecomputed = () => {
    const stays = () => server.db.prepare('SELECT * FROM funnel_stays ORDER BY opportunity_id, stage').all();
    const kept = stays();
    let recomputed: unknown[] = [];
    try {
      server.db.transaction(() => {
        server.db.exec('DELETE FROM funnel_stays');
        server.db.prepare(FUNNEL_STAYS_BACKFILL).run({ from: 0, to: Number.MAX_SAFE_INTEGER });
        recomputed = stays();
        throw new Error('rolled back');
      })();
    } catch (error) {
      assert.equal((error as Error).message, 'rolled back');
    }
    const rows = (text: string) => server.db.prepare(text).all();
    const W = 'key IS NOT NULL';
    const totals = [
      [
        rows('SELECT * FROM funnel_totals WHERE reached + entered + won + lost > 0 ORDER BY owner_id, stage'),
        rows(`SELECT owner_id, stage, sum(reached) AS reached, sum(entered) AS entered, sum(won) AS won,
                sum(lost) AS lost FROM funnel_stays GROUP BY 1, 2 ORDER BY 1, 2`),
      ],
      [
        rows('SELECT * FROM funnel_totals_firm WHERE reached + entered + won + lost > 0 ORDER BY stage'),
        rows(`SELECT stage, sum(reached) AS reached, sum(entered) AS entered, sum(won) AS won, sum(lost) AS lost
                FROM funnel_stays GROUP BY 1 ORDER BY 1`),
      ],
      [
        rows('SELECT * FROM funnel_stay_periods WHERE count > 0 ORDER BY owner_id, stage, running, period'),
        rows(`SELECT owner_id, stage, running, key / ${30 * DAY} AS period, count(*) AS count FROM funnel_stays
                WHERE ${W} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`),
      ],
      [
        rows('SELECT * FROM funnel_stay_periods_firm WHERE count > 0 ORDER BY stage, running, period'),
        rows(`SELECT stage, running, key / ${DAY} AS period, count(*) AS count FROM funnel_stays
                WHERE ${W} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`),
      ],
    ];
    return { kept, recomputed, totals };
  };

  const agree = async (step: string) => {
    const teamIds = await server.repo.advisors.teammateIds(manager.record.id);
    if (server.backend === 'sqlite') {
      const { kept, recomputed, totals } = keptAndRecomputed();
      assert.ok(kept.length > 1000, step);
      assert.deepEqual(kept, recomputed, `${step}: stays kept = backfill`);
      for (const [keptTotals, fromStays] of totals) assert.deepEqual(keptTotals, fromStays, `${step}: totals`);
      for (const owners of [[olive.record.id], [pete.record.id], [quinn.record.id], teamIds, null])
        assert.ok(
          funnelFromTotals(server.db, owners, new Date(now()).toISOString(), [0.5, 0.9]),
          `${step}: from totals`,
        );
    }
    for (const who of [olive, pete, quinn])
      assert.deepEqual(
        await stages(who, 'scope=me'),
        await referenceFunnel(server, { ownerIds: [who.record.id] }, now()),
        `${step}: me`,
      );
    assert.deepEqual(
      await stages(manager, 'scope=team'),
      await referenceFunnel(server, { ownerIds: teamIds }, now()),
      `${step}: team`,
    );
    const all = await stages(admin, 'scope=all');
    assert.deepEqual(all, await referenceFunnel(server, { ownerIds: null }, now()), `${step}: all`);
    assert.ok(all.every((row) => row.stayed > 1 && row.medianDays !== null && row.p90Days !== null));
  };

  it('precomputed funnel = computed after create, stage change, close won and lost, reopen, reassign, team membership change, delete', async () => {
    await agree('seeded');
    const created = await olive.api.post('/api/v1/opportunities', referral('Totals', 'tia@client.example'));
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    await agree('after a create');
    const move = async (stage: string) => assert.equal((await patchOpportunity(olive.api, id, { stage })).status, 200);
    later(3);
    await move('propose');
    later(30);
    await move('develop');
    await agree('after stage changes (a skip, then back)');
    later(40);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
    await agree('after a close won');
    later(50);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    await agree('after a reopen');
    later(60);
    await move('close');
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' })).status, 200);
    await agree('after a close lost');
    later(70);
    assert.equal((await olive.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    assert.equal(
      (await olive.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: quinn.record.id })).status,
      200,
    );
    await agree('after a reassignment');
    await server.repo.teams.addMember(north, quinn.record.id, null);
    await agree('after a team membership change');
    later(24 * 40);
    await agree('forty days later: running stays moved to later periods of value');
    await deleteOpportunity(server, id, CASCADED);
    assert.equal(await server.value('SELECT count(*) FROM opportunities WHERE id = ?', id), 0);
    if (server.backend === 'sqlite')
      assert.equal(await server.value('SELECT count(*) FROM funnel_stays WHERE opportunity_id = ?', id), 0);
    await agree('after a delete');
  });

  it('a running stay that started after now (a clock set back): the funnel is computed from every stay, as the reference', async () => {
    const started = await latestRunningStart(server);
    if (server.backend === 'sqlite')
      assert.equal(await server.value('SELECT max(since) FROM funnel_stays WHERE running = 1'), started);
    server.clock.set(new Date(started - 3_600_000).toISOString());
    if (server.backend === 'sqlite')
      assert.equal(funnelFromTotals(server.db, null, new Date(now()).toISOString(), [0.5, 0.9]), null);
    assert.deepEqual(await stages(admin, 'scope=all'), await referenceFunnel(server, { ownerIds: null }, now()));
    assert.deepEqual(
      await stages(olive, 'scope=me'),
      await referenceFunnel(server, { ownerIds: [olive.record.id] }, now()),
    );
  });
});
