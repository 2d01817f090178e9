import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { random, seedVolume } from '../../bench/seed-volume';
import { MOMENTS, setUpAttentionFirm, START, type Advisor } from '../helpers/attention-firm';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { pino } from 'pino';
import { createApp } from '../../server/app';
import { ManualClock } from '../../server/clock';
import { ZONE_INLINE_ROWS } from '../../server/db/migrations/023_attention_recompute';
import { FIRST_BATCH_ROWS, MAX_BATCH_ROWS } from '../../server/services/attention-recompute';
import { SORT_DUE_ROWS } from '../../server/repository/sqlite/attention-page';
import { referenceNeedsAttention, type ReferenceReason } from '../helpers/attention-reference';
import { Interleaver } from '../helpers/interleave';
import type { TestClient } from '../helpers/api-client';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';
import { runAdminCli } from '../helpers/admin-cli';

const HOUR = 3_600_000;

/**
 * Needs attention is read from due times kept with each open opportunity (migration 019). This holds that answer
 * to the one computed from the facts at `now` (test/helpers/attention-reference.ts, the statement the service used
 * before), on random data made through the API, at moments around DST changes and holidays.
 */
describe('needs attention: precomputed due times equal the computed answer (issue 15)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: Advisor;
  let manager: Advisor;
  let owners: Advisor[];

  interface Item {
    opportunity: { id: number };
    reasons: ReferenceReason[];
  }

  /** Every owner's list and the manager's team list, at the clock's time, through the API and the reference. */
  async function assertAgree(label: string) {
    const now = server.clock.now();
    const scopes: [Advisor, 'me' | 'team', number[]][] = [
      ...owners.map((owner): [Advisor, 'me', number[]] => [owner, 'me', [owner.record.id]]),
      [manager, 'team', [manager.record.id, ...owners.slice(0, 3).map((owner) => owner.record.id)]],
    ];
    for (const [advisor, scope, ownerIds] of scopes) {
      for (const [limit, offset] of [
        [100, 0],
        [4, 3],
      ]) {
        const res = await advisor.api.get(
          `/api/v1/work/needs-attention?scope=${scope}&limit=${limit}&offset=${offset}`,
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const expected = referenceNeedsAttention(server.db, ownerIds, now, limit, offset);
        const where = `${label} at ${now.toISOString()}, ${advisor.record.displayName} ${scope} ${limit}/${offset}`;
        assert.equal(res.body.total, expected.total, `total, ${where}`);
        assert.deepEqual(
          (res.body.items as Item[]).map((item) => ({ id: item.opportunity.id, reasons: item.reasons })),
          expected.items,
          where,
        );
      }
    }
  }

  /** Every stored row equals the row its view computes from the facts now, updated_at included (migration 024). */
  function assertRowsAsComputed(label: string) {
    const differing = server.db
      .prepare(
        `SELECT a.opportunity_id FROM opportunity_attention a FULL JOIN opportunity_attention_source s USING (opportunity_id)
         WHERE a.owner_id IS NOT s.owner_id OR a.untouched_due IS NOT s.untouched_due
           OR a.no_activity_due IS NOT s.no_activity_due OR a.no_next_step_due IS NOT s.no_next_step_due
           OR a.past_close_due IS NOT s.past_close_due OR a.updated_at IS NOT s.updated_at`,
      )
      .pluck()
      .all();
    assert.deepEqual(differing, [], `stored rows that differ from the computed ones, ${label}`);
  }

  async function assertAgreeAtEveryMoment(label: string) {
    assertRowsAsComputed(label);
    for (const moment of MOMENTS) {
      server.clock.set(moment);
      await assertAgree(label);
    }
  }

  before(async () => {
    server = await startTestServer({}, { clock: new ManualClock(new Date(START)) });
    ({ admin, manager, owners } = await setUpAttentionFirm(server));
    await seedRandomly();
  });
  after(() => server.close());

  /** Opportunities, emails, calls, tasks, appointments, notes, reassignments, close dates, closes and reopens. */
  async function seedRandomly() {
    const rand = random(7);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
    const open: { id: number; owner: Advisor }[] = [];
    const closed: { id: number; owner: Advisor }[] = [];
    const activities: { id: number; owner: Advisor; kind: string }[] = [];
    const counts = new Map<string, number>();
    const done = (what: string, status: number, body: unknown) => {
      assert.ok(status < 300, `${what}: ${status} ${JSON.stringify(body)}`);
      counts.set(what, (counts.get(what) ?? 0) + 1);
    };
    const dateAround = (days: number) =>
      new Date(server.clock.now().getTime() + (rand() - 0.5) * 2 * days * 24 * HOUR).toISOString().slice(0, 10);
    const instantAround = (days: number) =>
      new Date(Math.floor(server.clock.now().getTime() + (rand() - 0.3) * days * 24 * HOUR)).toISOString();

    for (let step = 0; step < 160; step++) {
      server.clock.advance(Math.floor(rand() * 3 * HOUR));
      const action = open.length < 6 ? 0 : Math.floor(rand() * 11);
      const target = open.length ? pick(open) : undefined;
      if (action === 0 || !target) {
        const owner = pick(owners);
        const by = rand() < 0.5 ? owner : pick(owners);
        const res = await by.api.post('/api/v1/opportunities', {
          ...referral(`Opportunity ${step}`, `client${step}@client.example`),
          ...(by === owner ? {} : { ownerId: owner.record.id }),
          ...(rand() < 0.6 ? { estimatedCloseDate: dateAround(10) } : {}),
          ...(rand() < 0.3 ? { note: { body: 'from the referrer' } } : {}),
        });
        done('create', res.status, res.body);
        open.push({ id: res.body.opportunity.id as number, owner });
      } else if (action === 1) {
        const res = await target.owner.api.post('/api/v1/activities/regarding', {
          item: emailItem(`<step-${step}@mail.example>`, { sentAt: instantAround(2) }),
          opportunityId: target.id,
        });
        done('email', res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind: 'email' });
      } else if (action === 2) {
        const res = await target.owner.api.post('/api/v1/activities/regarding', {
          item: { kind: 'appointment', itemId: `appt-${step}`, subject: 'Review', startAt: instantAround(6) },
          opportunityId: target.id,
        });
        done('appointment', res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind: 'appointment' });
      } else if (action === 3) {
        const kind = rand() < 0.5 ? 'phone_call' : 'task';
        const startAt = kind === 'task' && rand() < 0.3 ? undefined : instantAround(6);
        const res = await target.owner.api.post('/api/v1/activities', {
          kind,
          opportunityId: target.id,
          subject: `${kind} ${step}`,
          ...(startAt ? { startAt } : {}),
        });
        done(kind, res.status, res.body);
        activities.push({ id: res.body.id as number, owner: target.owner, kind });
      } else if (action === 4 && activities.some((a) => a.kind === 'phone_call' || a.kind === 'task')) {
        const activity = pick(activities.filter((a) => a.kind === 'phone_call' || a.kind === 'task'));
        const change =
          rand() < 0.4
            ? { status: pick(['canceled', 'open']) }
            : { startAt: activity.kind === 'task' && rand() < 0.3 ? null : instantAround(6) };
        const res = await activity.owner.api.patch(`/api/v1/activities/${activity.id}`, change);
        if (res.status < 300) done('activity change', res.status, res.body);
      } else if (action === 5) {
        const by = rand() < 0.6 ? target.owner : pick(owners.filter((o) => o !== target.owner));
        const res = await by.api.post(`/api/v1/opportunities/${target.id}/notes`, { body: `note ${step}` });
        if (res.status < 300) done(by === target.owner ? 'owner note' : 'other note', res.status, res.body);
      } else if (action === 6) {
        const to = pick(owners.filter((o) => o !== target.owner));
        const res = await target.owner.api.post(`/api/v1/opportunities/${target.id}/assign`, { ownerId: to.record.id });
        done('reassign', res.status, res.body);
        target.owner = to;
      } else if (action === 7) {
        const current = await target.owner.api.get(`/api/v1/opportunities/${target.id}`);
        const res = await target.owner.api.patch(
          `/api/v1/opportunities/${target.id}`,
          { estimatedCloseDate: rand() < 0.2 ? null : dateAround(10) },
          { 'If-Match': `"${current.body.opportunity.version}"` },
        );
        done('close date', res.status, res.body);
      } else if (action === 8) {
        const res = await target.owner.api.post(`/api/v1/opportunities/${target.id}/close`, {
          outcome: pick(['won', 'lost']),
        });
        done('close', res.status, res.body);
        open.splice(open.indexOf(target), 1);
        closed.push(target);
      } else if (action === 9 && closed.length) {
        const again = pick(closed);
        const res = await again.owner.api.post(`/api/v1/opportunities/${again.id}/reopen`, {});
        done('reopen', res.status, res.body);
        closed.splice(closed.indexOf(again), 1);
        open.push(again);
      } else if (action === 10 && activities.length) {
        const activity = pick(activities);
        const res = await activity.owner.api.delete(`/api/v1/activities/${activity.id}/regarding`);
        if (res.status < 300) done('unlink', res.status, res.body);
      }
    }
    // The data exercises every kind of write (a changed seed that skipped one would weaken the test).
    for (const what of ['create', 'email', 'appointment', 'phone_call', 'task', 'activity change', 'owner note'])
      assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
    for (const what of ['other note', 'reassign', 'close date', 'close', 'reopen', 'unlink'])
      assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
  }

  it('agrees at moments around DST changes and holidays (items, reasons, dues, total, pages)', async () => {
    await assertAgreeAtEveryMoment('seeded');
    const flagged = referenceNeedsAttention(server.db, [owners[1].record.id], server.clock.now(), 100, 0);
    assert.ok(flagged.total > 0, 'the data has exceptions to compare');
  });

  it('agrees after opportunities are edited (updated_at alone changes: the order of the list)', async () => {
    // The least recently changed open opportunities, edited by their owners: each moves to the top of its list.
    const stale = server.db
      .prepare("SELECT id, owner_id FROM opportunities WHERE status = 'open' ORDER BY updated_at, id LIMIT 6")
      .all() as { id: number; owner_id: number }[];
    assert.equal(stale.length, 6);
    for (const [index, { id, owner_id }] of stale.entries()) {
      server.clock.advance(HOUR);
      const owner = owners.find((candidate) => candidate.record.id === owner_id)!;
      const current = await owner.api.get(`/api/v1/opportunities/${id}`);
      const change = index % 2 ? { topic: `Edited ${id}` } : { stage: 'develop' };
      const res = await owner.api.patch(`/api/v1/opportunities/${id}`, change, {
        'If-Match': `"${current.body.opportunity.version}"`,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    await assertAgreeAtEveryMoment('edited');
  });

  it('agrees after the rules change, one switched off and thresholds moved', async () => {
    const res = await admin.api.put('/api/v1/exception-rules', {
      untouched: { on: true, businessDays: 3 },
      noActivity: { on: true, businessDays: 2 },
      noNextStep: { on: false },
      pastCloseDate: { on: true },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await assertAgreeAtEveryMoment('rules changed');
  });

  it('agrees after holidays are added and removed', async () => {
    assert.equal((await admin.api.post('/api/v1/holidays', { date: '2027-03-19', name: 'Added' })).status, 201);
    assert.equal((await admin.api.delete('/api/v1/holidays/2027-03-17')).status, 200);
    await assertAgreeAtEveryMoment('holidays changed');
  });

  it("agrees after an owner's time zone changes", async () => {
    const res = await admin.api.patch(`/api/v1/advisors/${owners[0].record.id}`, { timeZone: 'Pacific/Chatham' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const moved = await owners[2].api.patch('/api/v1/me/preferences', { timeZone: 'America/Los_Angeles' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await assertAgreeAtEveryMoment('zones changed');
  });
});

/**
 * A rules change (or the zone change of an owner with thousands of rows) is recomputed in batches, a transaction
 * each, with the event loop free between them (migration 023): a batch is held (Interleaver) to look in between.
 */
describe('needs attention: the recompute after a rules or zone change, in batches (issue 15)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let interleaver: Interleaver;
  let admin: Advisor;
  const OWNERS = 6;
  const owners: { id: number; api: TestClient }[] = [];
  type Answer = Map<number, ReferenceReason[]>;

  before(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    // More open opportunities than the largest batch takes (about 70% are open), a third with an activity: the
    // batch size grows from test to test (it follows the time a batch takes), and every test holds a second batch.
    await seedVolume(server.db, { advisors: OWNERS, contacts: 300, opportunities: 13_000, activities: 4000 });
    const open = server.db.prepare("SELECT count(*) FROM opportunities WHERE status = 'open'").pluck().get() as number;
    assert.ok(open > MAX_BATCH_ROWS, `${open} open opportunities`);
    admin = await server.advisor('Ada Admin', 'admin');
    for (let id = 1; id <= OWNERS; id++) {
      const { token } = await issueAccessToken(server.repo, id, 'test', server.clock.now());
      owners.push({ id, api: server.client.as(token) });
    }
  });
  after(() => server.close());

  /** Every owner's whole list through the API, page by page: reasons by opportunity. */
  async function apiAnswer(): Promise<Answer> {
    const answer: Answer = new Map();
    for (const owner of owners) {
      for (let offset = 0; ; offset += 100) {
        const res = await owner.api.get(`/api/v1/work/needs-attention?scope=me&limit=100&offset=${offset}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const items = res.body.items as { opportunity: { id: number }; reasons: ReferenceReason[] }[];
        for (const item of items) answer.set(item.opportunity.id, item.reasons);
        if (res.body.nextOffset === null) break;
      }
    }
    return answer;
  }

  /** The answer computed from the facts and the rules as they are now (test/helpers/attention-reference.ts). */
  function referenceAnswer(): Answer {
    const ids = owners.map((owner) => owner.id);
    const { items } = referenceNeedsAttention(server.db, ids, server.clock.now(), 1_000_000, 0);
    return new Map(items.map((item) => [item.id, item.reasons]));
  }

  /** Each opportunity answers as by the old rules or as by the new, never a mix; how many of each differ. */
  function assertOldOrNew(during: Answer, before: Answer, after: Answer) {
    let old = 0;
    let updated = 0;
    for (const id of new Set([...during.keys(), ...before.keys(), ...after.keys()])) {
      const now = JSON.stringify(during.get(id) ?? null);
      const [was, will] = [JSON.stringify(before.get(id) ?? null), JSON.stringify(after.get(id) ?? null)];
      assert.ok(now === was || now === will, `opportunity ${id}: ${now}, neither ${was} nor ${will}`);
      if (was !== will) {
        if (now === was) old += 1;
        else updated += 1;
      }
    }
    return { old, updated };
  }

  const pending = () =>
    server.db.prepare('SELECT owner_id, after_id FROM attention_recompute').all() as {
      owner_id: number;
      after_id: number;
    }[];

  /** The recompute goes on by itself in the background: waits (no timing asserted) until nothing is pending. */
  async function recomputeDone() {
    for (let turns = 0; pending().length; turns++) {
      assert.ok(turns < 6000, `the recompute never ended: ${JSON.stringify(pending())}`);
      await sleep(10);
    }
  }

  /** Holds the second batch of the next recompute (the first is the change's request's); returns its pause. */
  async function holdSecondBatch(change: () => Promise<{ status: number; body: unknown }>) {
    const first = interleaver.pauseNext('work', 'recomputeAttentionBatch');
    const answered = change();
    await first.reached;
    first.release();
    const second = interleaver.pauseNext('work', 'recomputeAttentionBatch');
    await second.reached;
    const res = await answered;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return second;
  }

  it('pages read in order from opportunity_attention_page (more than SORT_DUE_ROWS due) equal the computed pages', async () => {
    const now = server.clock.now();
    for (const ids of [[1], [2, 3, 4]]) {
      const whole = referenceNeedsAttention(server.db, ids, now, 1_000_000, 0);
      assert.ok(whole.total > SORT_DUE_ROWS, `owners ${ids.join(', ')}: ${whole.total} due`);
      for (const [limit, offset] of [
        [26, 0],
        [26, 26],
        [101, 400],
        [26, whole.total - 10],
        [26, whole.total],
      ]) {
        const found = await server.repo.work.needingAttention(ids, now.toISOString(), limit, offset);
        assert.equal(found.total, whole.total);
        assert.deepEqual(
          found.candidates.map((candidate) => candidate.opportunity.id),
          whole.items.slice(offset, offset + limit).map((item) => item.id),
          `owners ${ids.join(', ')}, ${limit} from ${offset}`,
        );
      }
    }
    const res = await owners[0].api.get('/api/v1/work/needs-attention?scope=me&limit=100&offset=200');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const items = res.body.items as { opportunity: { id: number }; reasons: ReferenceReason[] }[];
    assert.deepEqual(
      items.map((item) => ({ id: item.opportunity.id, reasons: item.reasons })),
      referenceNeedsAttention(server.db, [owners[0].id], now, 100, 200).items,
    );
  });

  it('a rules change answers after its first batch; while the next is held, requests are answered and each opportunity is by the old rules or the new', async () => {
    const before = referenceAnswer();
    const held = await holdSecondBatch(() =>
      admin.api.put('/api/v1/exception-rules', {
        untouched: { on: true, businessDays: 3 },
        noActivity: { on: true, businessDays: 5 },
        noNextStep: { on: true },
        pastCloseDate: { on: true },
      }),
    );
    const after = referenceAnswer();
    // The server answers while a recompute is under way (a batch held between two transactions).
    const health = await server.client.get('/healthz');
    assert.equal(health.status, 200);
    const during = await apiAnswer();
    const { old, updated } = assertOldOrNew(during, before, after);
    assert.ok(old > 0 && updated > 0, `part recomputed: ${updated} by the new rules, ${old} by the old`);
    assert.deepEqual(pending(), [{ owner_id: 0, after_id: pending()[0]?.after_id }]);
    held.release();
    await recomputeDone();
    assert.deepEqual(await apiAnswer(), after, 'every opportunity by the new rules once done');
  });

  it('a second change while the first is under way: every opportunity ends by the last rules', async () => {
    const before = referenceAnswer();
    const held = await holdSecondBatch(() =>
      admin.api.put('/api/v1/exception-rules', {
        untouched: { on: true, businessDays: 3 },
        noActivity: { on: true, businessDays: 8 },
        noNextStep: { on: true },
        pastCloseDate: { on: true },
      }),
    );
    const middle = referenceAnswer();
    assertOldOrNew(await apiAnswer(), before, middle);
    // The second change lands while the first's second batch is held: it merges and starts over.
    const second = await admin.api.put('/api/v1/exception-rules', {
      untouched: { on: false, businessDays: 3 },
      noActivity: { on: true, businessDays: 8 },
      noNextStep: { on: true },
      pastCloseDate: { on: true },
    });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    held.release();
    await recomputeDone();
    assert.deepEqual(await apiAnswer(), referenceAnswer(), 'every opportunity by the last rules');
  });

  it('switching one rule recomputes that rule’s due times only', async () => {
    // A marker in another rule's column of one row: recomputing only past_close_due leaves it.
    const id = server.db.prepare('SELECT min(opportunity_id) FROM opportunity_attention').pluck().get() as number;
    const marker = '2000-01-01T00:00:00.000Z';
    server.db.prepare('UPDATE opportunity_attention SET untouched_due = ? WHERE opportunity_id = ?').run(marker, id);
    server.db.prepare("UPDATE opportunities SET estimated_close_date = '2026-11-01' WHERE id = ?").run(id);
    const res = await admin.api.put('/api/v1/exception-rules', {
      untouched: { on: false, businessDays: 3 },
      noActivity: { on: true, businessDays: 8 },
      noNextStep: { on: true },
      pastCloseDate: { on: false },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await recomputeDone();
    const row = server.db
      .prepare('SELECT untouched_due, past_close_due FROM opportunity_attention WHERE opportunity_id = ?')
      .get(id) as { untouched_due: string | null; past_close_due: string | null };
    assert.deepEqual(row, { untouched_due: marker, past_close_due: null });
    // Put the row right again (its facts unchanged, every rule).
    server.db
      .prepare(
        `INSERT OR REPLACE INTO opportunity_attention
           (opportunity_id, owner_id, untouched_due, no_activity_due, no_next_step_due, past_close_due, updated_at)
         SELECT * FROM opportunity_attention_source WHERE opportunity_id = ?`,
      )
      .run(id);
    assert.deepEqual(await apiAnswer(), referenceAnswer());
  });

  it('a close date changed alone recomputes past_close_due only, unless a recompute is pending', async () => {
    const rules = {
      untouched: { on: true, businessDays: 2 },
      noActivity: { on: true, businessDays: 5 },
      noNextStep: { on: true },
      pastCloseDate: { on: true },
    };
    assert.equal((await admin.api.put('/api/v1/exception-rules', rules)).status, 200);
    await recomputeDone();
    const id = server.db.prepare('SELECT max(opportunity_id) FROM opportunity_attention').pluck().get() as number;
    const dues = server.db.prepare(
      'SELECT no_activity_due, past_close_due FROM opportunity_attention WHERE opportunity_id = ?',
    );
    const marker = '2000-01-01T00:00:00.000Z';
    server.db.prepare('UPDATE opportunity_attention SET no_activity_due = ? WHERE opportunity_id = ?').run(marker, id);
    server.db.prepare("UPDATE opportunities SET estimated_close_date = '2026-11-16' WHERE id = ?").run(id);
    const zone = server.db
      .prepare('SELECT time_zone FROM advisors a JOIN opportunities o ON o.owner_id = a.id WHERE o.id = ?')
      .pluck()
      .get(id) as string;
    const end = server.db.prepare('SELECT local_day_end(?, ?)').pluck();
    assert.deepEqual(dues.get(id), { no_activity_due: marker, past_close_due: end.get('2026-11-16', zone) });
    // With a recompute pending, the whole row (a column of newer rules never sits beside older ones).
    server.db.exec('INSERT INTO attention_recompute VALUES (0, 1, 0, 0, 0, 0)');
    server.db.prepare("UPDATE opportunities SET estimated_close_date = '2026-11-17' WHERE id = ?").run(id);
    const refreshed = dues.get(id) as { no_activity_due: string | null };
    assert.notEqual(refreshed.no_activity_due, marker);
    // Nothing queued that entry, so nothing runs it: the test does, through the repository.
    while (await server.repo.work.recomputeAttentionBatch(FIRST_BATCH_ROWS));
    assert.deepEqual(await apiAnswer(), referenceAnswer());
  });

  it('a recompute left half-way by a stopped server goes on when the server starts', async () => {
    const id = server.db.prepare('SELECT max(opportunity_id) FROM opportunity_attention').pluck().get() as number;
    server.db
      .prepare(
        "UPDATE opportunity_attention SET no_next_step_due = '2000-01-01T00:00:00.000Z' WHERE opportunity_id = ?",
      )
      .run(id);
    // As a server stopped after the first batches left it: the cursor before that row.
    server.db.prepare('INSERT INTO attention_recompute VALUES (0, 0, 0, 1, 0, ?)').run(id - 1);
    createApp({ config: server.config, repo: server.repo, clock: server.clock, logger: pino({ level: 'silent' }) });
    await recomputeDone();
    const dues = (table: string) =>
      server.db.prepare(`SELECT no_next_step_due FROM ${table} WHERE opportunity_id = ?`).pluck().get(id);
    assert.notEqual(dues('opportunity_attention'), '2000-01-01T00:00:00.000Z');
    assert.equal(dues('opportunity_attention'), dues('opportunity_attention_source'));
    assert.deepEqual(await apiAnswer(), referenceAnswer());
  });

  it('the zone change of an owner with thousands of rows is recomputed in batches, each row in one zone or the other', async () => {
    // Owner 1 takes every open opportunity: more rows than a zone change recomputes in its write, and more than
    // the first batch takes however large the earlier tests' recomputes have grown it.
    server.db.exec("UPDATE opportunities SET owner_id = 1 WHERE status = 'open'");
    const count = server.db.prepare('SELECT count(*) FROM opportunity_attention WHERE owner_id = 1').pluck();
    const rows = count.get() as number;
    assert.ok(rows > Math.max(ZONE_INLINE_ROWS, MAX_BATCH_ROWS), `owner 1 has ${rows} rows`);
    const before = referenceAnswer();
    const held = await holdSecondBatch(() => admin.api.patch('/api/v1/advisors/1', { timeZone: 'Pacific/Auckland' }));
    const after = referenceAnswer();
    assert.deepEqual(
      pending().map((entry) => entry.owner_id),
      [1],
    );
    const { old, updated } = assertOldOrNew(await apiAnswer(), before, after);
    assert.ok(old > 0 && updated > 0, `part recomputed: ${updated} in the new zone, ${old} in the old`);
    held.release();
    await recomputeDone();
    assert.deepEqual(await apiAnswer(), after);
  });
  it('a zone change made with the admin CLI for an owner with thousands of rows is finished before the CLI exits', async () => {
    const rows = server.db.prepare('SELECT count(*) FROM opportunity_attention WHERE owner_id = 1').pluck().get();
    assert.ok((rows as number) > ZONE_INLINE_ROWS, `owner 1 has ${String(rows)} rows`);
    // Another process: no server learns of the change, so the CLI itself must leave nothing half-way.
    const cli = await runAdminCli(
      server.config.databaseFile,
      'advisor',
      'set',
      '--email',
      'advisor1@firm.example',
      '--time-zone',
      'America/Chicago',
    );
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(pending(), []);
    const differing = server.db
      .prepare(
        `SELECT count(*) FROM opportunity_attention a JOIN opportunity_attention_source s USING (opportunity_id)
         WHERE a.owner_id = 1 AND (a.untouched_due IS NOT s.untouched_due OR a.no_activity_due IS NOT s.no_activity_due
           OR a.no_next_step_due IS NOT s.no_next_step_due OR a.past_close_due IS NOT s.past_close_due
           OR a.updated_at IS NOT s.updated_at)`,
      )
      .pluck()
      .get();
    assert.equal(differing, 0);
  });
});

describe('needs attention: a close date far in the future (issue 15)', function () {
  let server: TestServer;
  after(() => server.close());

  it('a close date of 9999-12-31 is never past, stored or computed (due times order as text only to year 9999)', async () => {
    server = await startTestServer({}, { clock: new ManualClock(new Date('2027-03-01T12:00:00Z')) });
    const owner = await server.advisor('Olive Owner');
    const far = await owner.api.post('/api/v1/opportunities', {
      ...referral('Far 9999', 'far@example.org'),
      estimatedCloseDate: '9999-12-31',
    });
    assert.equal(far.status, 201, JSON.stringify(far.body));
    const near = await owner.api.post('/api/v1/opportunities', {
      ...referral('Near 2027', 'near@example.org'),
      estimatedCloseDate: '2027-02-01',
    });
    assert.equal(near.status, 201, JSON.stringify(near.body));
    const res = await owner.api.get('/api/v1/work/needs-attention?scope=me&limit=100');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const pastClose = (res.body.items as { opportunity: { id: number }; reasons: { code: string }[] }[])
      .filter((item) => item.reasons.some((reason) => reason.code === 'past-close-date'))
      .map((item) => item.opportunity.id);
    assert.deepEqual(pastClose, [near.body.opportunity.id]);
    const reference = referenceNeedsAttention(server.db, [owner.record.id], server.clock.now(), 100, 0);
    const referencePastClose = reference.items
      .filter((item) => item.reasons.some((reason) => reason.code === 'past-close-date'))
      .map((item) => item.id);
    assert.deepEqual(referencePastClose, [near.body.opportunity.id]);
  });
});
