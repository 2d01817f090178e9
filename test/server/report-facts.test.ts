import assert from 'node:assert/strict';
import type { Db } from '../../server/db/connection';
import { FUNNEL_FACTS_BACKFILL } from '../../server/db/migrations/022_funnel_facts';
import { FUNNEL_STAYS_BACKFILL } from '../../server/db/migrations/028_funnel_totals';
import { funnelFromTotals } from '../../server/repository/sqlite/funnel-totals';
import { percentile } from '../../server/services/funnel';
import { STAGES, type Stage } from '../../shared/schemas/opportunities';
import type { Funnel, FunnelStage } from '../../shared/schemas/reports';
import type { StageReport } from '../../shared/schemas/work';
import { patchOpportunity, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

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

/**
 * Random histories written as the service writes them: created in a stage, then stage changes (forward, skips and
 * back), closes won or lost and reopens, across days, some on the same millisecond; the opportunity row ends in the
 * stage, stage_entered_at and status its history says. A few have no history at all (as a restore could leave).
 */
function seedHistories(db: Db, owners: number[], count: number, seed: number) {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const iso = (ms: number) => new Date(ms).toISOString();
  const contact = Number(
    db
      .prepare("INSERT INTO contacts (name, email, created_at, updated_at) VALUES ('Client', 'c@client.example', ?, ?)")
      .run(iso(NOW - 400 * DAY), iso(NOW - 400 * DAY)).lastInsertRowid,
  );
  const insert = db.prepare(
    `INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, status, owner_id,
       assigned_at, created_by_id, estimated_value, actual_value, created_at, updated_at, referred_by_advisor_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const stageChange = db.prepare(
    'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES (?, ?, ?, ?, ?)',
  );
  const event = db.prepare(
    'INSERT INTO opportunity_events (opportunity_id, kind, outcome, by_advisor_id, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const owner = pick(owners);
      // Whole seconds or the same instant as the one before: ties in stage_entered_at on purpose.
      const created = NOW - Math.floor((rand() * 120 * DAY) / 1000) * 1000;
      let at = created;
      let stage: Stage = pick(STAGES);
      let status: 'open' | 'won' | 'lost' = 'open';
      const steps: { kind: 'stage' | 'closed' | 'reopened'; value: string | null; from: Stage | null; when: string }[] =
        [];
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
      const id = Number(
        insert.run(
          `Deal ${i}`,
          contact,
          1 + Math.floor(rand() * 3),
          stage,
          iso(enteredAt),
          status,
          owner,
          iso(created),
          owner,
          value,
          status === 'open' ? null : Math.round(rand() * 100_000) / 100,
          iso(created),
          iso(at),
          rand() < 0.3 ? pick(owners) : null,
        ).lastInsertRowid,
      );
      const withoutHistory = rand() < 0.03;
      for (const step of steps) {
        if (step.kind === 'stage') {
          if (!withoutHistory) stageChange.run(id, step.value, step.from, step.when, owner);
        } else event.run(id, step.kind, step.value, owner, step.when);
      }
    }
  })();
}

/**
 * Today's stage report (before issue 15), kept as the reference: every open entry read and reduced in JS; values
 * summed to the cent (migration 25: whole cents add up exactly, where a sum of fractions drifts in the last digit).
 */
function referenceStageReport(db: Db, ownerIds: number[] | null, scope: string): StageReport {
  const params = { all: ownerIds === null ? 1 : 0, owners: JSON.stringify(ownerIds ?? []) };
  const rows = db
    .prepare(
      `SELECT stage, status, count(*) AS count, coalesce(sum(round(estimated_value * 100)), 0) / 100 AS estimatedValue,
           coalesce(sum(round(actual_value * 100)), 0) / 100 AS actualValue
         FROM opportunities WHERE (:all OR owner_id IN (SELECT value FROM json_each(:owners)))
         GROUP BY stage, status`,
    )
    .all(params) as StageReport['rows'];
  const entries = db
    .prepare(
      `SELECT stage, stage_entered_at AS stageEnteredAt FROM opportunities
         WHERE status = 'open' AND (:all OR owner_id IN (SELECT value FROM json_each(:owners)))`,
    )
    .all(params) as { stage: Stage; stageEnteredAt: string }[];
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
      .map((entry) => (NOW - Date.parse(entry.stageEnteredAt)) / DAY);
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

/** Today's funnel (before issue 15), kept as the reference: counts by today's statement, stays walked in JS. */
function referenceFunnel(db: Db, filter: Filter, now = NOW): FunnelStage[] {
  const params = {
    all: filter.ownerIds === null ? 1 : 0,
    owners: JSON.stringify(filter.ownerIds ?? []),
    campaign: filter.campaignId ?? null,
    referrerAdvisor: filter.referrerAdvisorId ?? null,
    createdFrom: filter.createdFrom ?? null,
    createdBefore: filter.createdBefore ?? null,
  };
  const FILTERED = `f AS (
    SELECT o.id, o.status, o.stage FROM opportunities o
    WHERE (:all OR o.owner_id IN (SELECT value FROM json_each(:owners)))
      AND (:campaign IS NULL OR o.campaign_id = :campaign)
      AND (:referrerAdvisor IS NULL OR o.referred_by_advisor_id = :referrerAdvisor)
      AND (:createdFrom IS NULL OR o.created_at >= :createdFrom)
      AND (:createdBefore IS NULL OR o.created_at < :createdBefore))`;
  const counts = db
    .prepare(
      `WITH ${FILTERED}, ranks (stage, r) AS (VALUES ('qualify', 0), ('develop', 1), ('propose', 2), ('close', 3)),
       furthest AS (
         SELECT f.id, max(ranks.r) AS r FROM f
           JOIN stage_changes sc ON sc.opportunity_id = f.id JOIN ranks ON ranks.stage = sc.stage
         GROUP BY f.id),
       entered AS (
         SELECT sc.stage, count(DISTINCT sc.opportunity_id) AS n FROM f JOIN stage_changes sc ON sc.opportunity_id = f.id
         GROUP BY sc.stage),
       left_at AS (
         SELECT f.status, coalesce(
           (SELECT sc.stage FROM stage_changes sc WHERE sc.opportunity_id = f.id
              AND sc.at <= (SELECT max(e.created_at) FROM opportunity_events e WHERE e.opportunity_id = f.id AND e.kind = 'closed')
            ORDER BY sc.at DESC, sc.id DESC LIMIT 1),
           f.stage) AS stage
         FROM f WHERE f.status <> 'open')
       SELECT ranks.stage,
         (SELECT count(*) FROM furthest WHERE furthest.r >= ranks.r) AS reached,
         coalesce((SELECT n FROM entered WHERE entered.stage = ranks.stage), 0) AS entered,
         (SELECT count(*) FROM left_at WHERE left_at.stage = ranks.stage AND left_at.status = 'won') AS won,
         (SELECT count(*) FROM left_at WHERE left_at.stage = ranks.stage AND left_at.status = 'lost') AS lost
       FROM ranks ORDER BY ranks.r`,
    )
    .all(params) as { stage: Stage; reached: number; entered: number; won: number; lost: number }[];
  const history = db
    .prepare(
      `WITH ${FILTERED}
       SELECT opportunity_id AS id, kind, stage, at FROM (
         SELECT sc.opportunity_id, 'stage' AS kind, sc.stage, sc.at, 0 AS source, sc.id
           FROM f JOIN stage_changes sc ON sc.opportunity_id = f.id
         UNION ALL
         SELECT e.opportunity_id, e.kind, NULL, e.created_at, 1, e.id
           FROM f JOIN opportunity_events e ON e.opportunity_id = f.id WHERE e.kind IN ('closed', 'reopened'))
       ORDER BY opportunity_id, at, source, id`,
    )
    .all(params) as { id: number; kind: string; stage: Stage | null; at: string }[];
  const days = new Map<Stage, number[]>(STAGES.map((stage) => [stage, []]));
  for (let i = 0; i < history.length;) {
    const id = history[i].id;
    const totals = new Map<Stage, number>();
    let stage: Stage | null = null;
    let open = true;
    let since = 0;
    const stop = (at: number) => {
      if (stage && open) totals.set(stage, totals.get(stage)! + Math.max(0, at - since));
      since = at;
    };
    for (; i < history.length && history[i].id === id; i++) {
      const entry = history[i];
      const at = Date.parse(entry.at);
      if (entry.kind === 'stage') {
        stop(at);
        stage = entry.stage!;
        totals.set(stage, totals.get(stage) ?? 0);
      } else if (entry.kind === 'closed') {
        stop(at);
        open = false;
      } else {
        open = true;
        since = at;
      }
    }
    stop(now);
    for (const [entered, ms] of totals) days.get(entered)!.push(ms / DAY);
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

/**
 * Issue 15: the stage report and the funnel computed in SQL from the owners' rows give exactly the numbers today's
 * algorithm gives (kept above as the reference), for me, team and the firm and with every filter.
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
    seedHistories(server.db, owners, 1500, 15);
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
        referenceStageReport(server.db, [advisor.record.id], 'me'),
      );
    assert.deepEqual(
      await get(manager.api, '/api/v1/reports/stages?scope=team'),
      referenceStageReport(server.db, (await server.repo.advisors.teammateIds(manager.record.id)).sort(), 'team'),
    );
    const all = (await get(admin.api, '/api/v1/reports/stages?scope=all')) as StageReport;
    assert.deepEqual(all, referenceStageReport(server.db, null, 'all'));
    // The data reaches every case: even and odd counts, several stages, closed ones.
    assert.ok(all.daysInStage.some((row) => row.open % 2 === 0 && row.open > 0));
    assert.ok(all.daysInStage.some((row) => row.open % 2 === 1));
    assert.ok(all.rows.some((row) => row.status === 'won') && all.rows.some((row) => row.status === 'lost'));
  });

  it('stage report: an even count of one open opportunity each side of the middle, and none open, as the reference', async () => {
    const [owner] = advisors.slice(4);
    server.db
      .prepare("UPDATE opportunities SET status = 'lost' WHERE owner_id = ? AND stage = 'close'")
      .run(owner.record.id);
    const ids = server.db
      .prepare("SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' AND stage = 'develop' ORDER BY id")
      .pluck()
      .all(owner.record.id) as number[];
    if (ids.length % 2) server.db.prepare("UPDATE opportunities SET status = 'won' WHERE id = ?").run(ids[0]);
    const report = (await get(owner.api, '/api/v1/reports/stages?scope=me')) as StageReport;
    assert.deepEqual(report, referenceStageReport(server.db, [owner.record.id], 'me'));
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
        referenceFunnel(server.db, { ownerIds: [advisor.record.id] }),
      );
    const teamIds = await server.repo.advisors.teammateIds(manager.record.id);
    assert.deepEqual(await funnel(manager.api, 'scope=team'), referenceFunnel(server.db, { ownerIds: teamIds }));
    const all = await funnel(admin.api, 'scope=all');
    assert.deepEqual(all, referenceFunnel(server.db, { ownerIds: null }));
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
      assert.deepEqual(await funnel(query), referenceFunnel(server.db, filter), query);
    const teamQuery = await funnel(`scope=all&teamId=${teamId}`);
    assert.deepEqual(
      teamQuery,
      referenceFunnel(server.db, { ownerIds: await server.repo.advisors.teammateIds(manager.record.id) }),
    );
  });

  /** The facts the triggers kept, and the same computed afresh from the history by the migration's backfill. */
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
      const { kept, recomputed } = factsKeptAndRecomputed();
      assert.ok(kept.length > 1000, step);
      assert.deepEqual(kept, recomputed, step);
      for (const who of [olive, pete])
        assert.deepEqual(await funnelOf(who), referenceFunnel(server.db, { ownerIds: [who.record.id] }, now()), step);
      assert.deepEqual(
        ((await get(admin.api, '/api/v1/reports/funnel?scope=all')) as Funnel).stages,
        referenceFunnel(server.db, { ownerIds: null }, now()),
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
    const gone = server.db
      .prepare("SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' ORDER BY id LIMIT 1")
      .pluck()
      .get(pete.record.id) as number;
    deleteOpportunity(server.db, gone);
    assert.equal(
      server.db.prepare('SELECT count(*) FROM opportunity_funnel WHERE opportunity_id = ?').pluck().get(gone),
      0,
    );
    await agree('after a delete');
    later(0);
  });
});

/**
 * Issue 15, migration 027: an owner-scoped funnel (me, team) is reused while its owners' funnel versions are
 * unchanged. With a cache of an hour and a clock standing still, a reused answer equals the computed one only if every
 * kind of change the funnel reads bumped the versions of the owners it touched, and no one else's.
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
    seedHistories(
      server.db,
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
  const versions = () =>
    new Map(
      (
        server.db.prepare('SELECT owner_id, version FROM funnel_owner_versions').all() as {
          owner_id: number;
          version: number;
        }[]
      ).map((row) => [row.owner_id, row.version]),
    );

  it('after a create, stage changes, close, reopen, reassignment, a team change, a filter column and a delete, reused me and team funnels equal the reference, and only the owners touched were bumped', async () => {
    const team = [olive, pete, quinn, manager].map((who) => who.record.id);
    const northMembers = () =>
      server.db.prepare('SELECT advisor_id FROM team_members WHERE team_id = ?').pluck().all(north) as number[];
    let before = versions();
    const agree = async (step: string, touched: Client[]) => {
      const now = versions();
      const bumped = team.filter((id) => (now.get(id) ?? 0) !== (before.get(id) ?? 0));
      assert.deepEqual(
        bumped,
        touched.map((who) => who.record.id).sort((a, b) => a - b),
        `${step}: owners bumped`,
      );
      before = now;
      for (const who of [olive, pete, quinn])
        assert.deepEqual(
          await stages(who, 'scope=me'),
          referenceFunnel(server.db, { ownerIds: [who.record.id] }),
          step,
        );
      assert.deepEqual(await stages(manager, 'scope=team'), referenceFunnel(server.db, { ownerIds: team }), step);
      assert.deepEqual(
        await stages(manager, `scope=team&teamId=${north}`),
        referenceFunnel(server.db, { ownerIds: team.filter((id) => northMembers().includes(id)) }),
        `${step} (team filter)`,
      );
      assert.deepEqual(
        await stages(manager, 'scope=team&campaignId=2'),
        referenceFunnel(server.db, { ownerIds: team, campaignId: 2 }),
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
    server.db
      .prepare(
        'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES (?, ?, ?, ?, ?)',
      )
      .run(id, 'close', 'propose', new Date(NOW).toISOString(), pete.record.id);
    await agree('after history written alone', [pete]);
    server.db.prepare('UPDATE opportunities SET campaign_id = 2 WHERE id = ?').run(id);
    await agree('after a filter column changed', [pete]);
    const gone = server.db
      .prepare('SELECT id FROM opportunities WHERE owner_id = ? AND id <> ? ORDER BY id LIMIT 1')
      .pluck()
      .get(quinn.record.id, id) as number;
    deleteOpportunity(server.db, gone);
    await agree('after a delete', [quinn]);
  });
});

/**
 * Issue 15, migration 028: an unfiltered funnel (me, team, firm) is read from totals and periods of stays kept by
 * triggers, and only the stays at the percentiles' positions. After every kind of change, what the triggers kept
 * equals what the backfill makes afresh, and the answers equal the reference, read from the totals (not the fallback).
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
    seedHistories(
      server.db,
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

  /** The rows the triggers kept, the same made afresh by the backfill (rolled back), and the totals of the rows. */
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
    const { kept, recomputed, totals } = keptAndRecomputed();
    assert.ok(kept.length > 1000, step);
    assert.deepEqual(kept, recomputed, `${step}: stays kept = backfill`);
    for (const [keptTotals, fromStays] of totals) assert.deepEqual(keptTotals, fromStays, `${step}: totals`);
    const teamIds = await server.repo.advisors.teammateIds(manager.record.id);
    for (const owners of [[olive.record.id], [pete.record.id], [quinn.record.id], teamIds, null])
      assert.ok(funnelFromTotals(server.db, owners, new Date(now()).toISOString(), [0.5, 0.9]), `${step}: from totals`);
    for (const who of [olive, pete, quinn])
      assert.deepEqual(
        await stages(who, 'scope=me'),
        referenceFunnel(server.db, { ownerIds: [who.record.id] }, now()),
        `${step}: me`,
      );
    assert.deepEqual(
      await stages(manager, 'scope=team'),
      referenceFunnel(server.db, { ownerIds: teamIds }, now()),
      `${step}: team`,
    );
    const all = await stages(admin, 'scope=all');
    assert.deepEqual(all, referenceFunnel(server.db, { ownerIds: null }, now()), `${step}: all`);
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
    deleteOpportunity(server.db, id);
    assert.equal(server.db.prepare('SELECT count(*) FROM funnel_stays WHERE opportunity_id = ?').pluck().get(id), 0);
    await agree('after a delete');
  });

  it('a running stay that started after now (a clock set back): the funnel is computed from every stay, as the reference', async () => {
    const started = server.db.prepare('SELECT max(since) FROM funnel_stays WHERE running = 1').pluck().get() as number;
    server.clock.set(new Date(started - 3_600_000).toISOString());
    assert.equal(funnelFromTotals(server.db, null, new Date(now()).toISOString(), [0.5, 0.9]), null);
    assert.deepEqual(await stages(admin, 'scope=all'), referenceFunnel(server.db, { ownerIds: null }, now()));
    assert.deepEqual(
      await stages(olive, 'scope=me'),
      referenceFunnel(server.db, { ownerIds: [olive.record.id] }, now()),
    );
  });
});

/** Deletes an opportunity as a firm's clean-up would (the service never does): whatever refers to it goes first. */
function deleteOpportunity(db: Db, id: number): void {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
  db.transaction(() => {
    // The funnel's facts go with the opportunity, by their foreign key (ON DELETE CASCADE).
    for (const table of tables.filter((name) => name !== 'opportunity_funnel'))
      for (const key of db.pragma(`foreign_key_list(${table})`) as { table: string; from: string }[])
        if (key.table === 'opportunities') db.prepare(`DELETE FROM ${table} WHERE ${key.from} = ?`).run(id);
    db.prepare('DELETE FROM opportunities WHERE id = ?').run(id);
  })();
}
