import assert from 'node:assert/strict';
import { seedVolume } from '../../bench/seed-volume';
import { ManualClock } from '../../server/clock';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { WorkService } from '../../server/services/work';
import { SORT_DUE_ROWS } from '../../server/repository/sqlite/attention-page';
import { boundLimits, describePlans, fullScans, recordStatements, type StatementPlan } from '../helpers/query-plans';

/**
 * My Work's hot statements start from the advisor's (or the team's) own rows: a regression to a walk of a
 * firm-sized table, or of every open opportunity with its activities, fails here (issue 15).
 */
describe('query plans: My Work (issue 15)', function () {
  this.timeout(120_000);
  let db: Db;
  let repo: Repository;
  let work: WorkService;
  let recorder: ReturnType<typeof recordStatements>;
  const OWNER = 3;
  const MANAGER = 4;

  before(async () => {
    db = openDatabase(':memory:');
    migrate(db);
    await seedVolume(db, { advisors: 20, contacts: 2000, opportunities: 5000, activities: 20000 });
    // Each opportunity assigned by its creator to its owner; a third handed on by their owner to another advisor.
    db.exec(`
      INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, created_at)
        SELECT id, NULL, owner_id, created_by_id, created_at FROM opportunities;
      INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, created_at)
        SELECT id, owner_id, 1 + (id % 7), owner_id, strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+1 day')
        FROM opportunities WHERE id % 3 = 0 AND owner_id <> 1 + (id % 7);
      UPDATE opportunities SET owner_id = 1 + (id % 7)
        WHERE id IN (SELECT opportunity_id FROM assignments WHERE from_advisor_id IS NOT NULL);
      UPDATE advisors SET role = 'manager' WHERE id = ${MANAGER};
      INSERT INTO teams (id, name, created_at) VALUES (1, 'Desk', '2026-01-01T00:00:00.000Z');
      INSERT INTO team_members (team_id, advisor_id) VALUES (1, ${MANAGER}), (1, ${OWNER}), (1, 5), (1, 6);
      ANALYZE;
    `);
    recorder = recordStatements(db);
    repo = createSqliteRepository(db);
    work = new WorkService({ repo, clock: new ManualClock(new Date('2026-11-02T10:00:00.000Z')) });
  });
  after(() => db.close());

  const caller = async (id: number) => (await repo.advisors.findById(id))!;

  function assertNoFullScan(plans: StatementPlan[]) {
    assert.ok(plans.length > 0, 'the call ran statements');
    for (const plan of plans) assert.deepEqual(fullScans(plan), [], describePlans([plan]));
  }

  /** Needs attention reads the precomputed due times, never the activities or notes of each open opportunity. */
  function assertReadsDueTimes(plans: StatementPlan[]) {
    const text = describePlans(plans);
    assert.match(text, /USING (COVERING )?INDEX opportunity_attention_due \(owner_id=\? AND attention_due<\?\)/, text);
    assert.doesNotMatch(text, /\b(activities|notes)\b/i, text);
  }

  /** The page's rows are joined for display by primary key: never every opportunity of the owners by an index. */
  function assertJoinsPageByKey(plans: StatementPlan[]) {
    const text = describePlans(plans);
    const opportunityReads = plans.flatMap((plan) => plan.lines).filter((line) => /\b(SCAN|SEARCH) o\b/.test(line));
    assert.ok(opportunityReads.length > 0, text);
    for (const line of opportunityReads) assert.match(line, /SEARCH o USING INTEGER PRIMARY KEY/, text);
  }

  it('needs attention joins only the page’s opportunities, by primary key', async () => {
    const me = await caller(OWNER);
    // The statistics of a firm whose advisors own thousands of rows each (a 100k database's): with them the planner
    // started from the advisors and walked every opportunity of each through opportunities_owner_stage.
    db.exec(`DELETE FROM sqlite_stat1 WHERE idx = 'opportunities_owner_stage';
      UPDATE sqlite_stat1 SET stat = '100000 2000 672 84' WHERE idx = 'opportunities_owner';
      UPDATE sqlite_stat1 SET stat = '69688 1394 1394' WHERE idx = 'opportunity_attention_due';
      UPDATE sqlite_stat1 SET stat = '20000 1' WHERE idx = 'sqlite_autoindex_contacts_1';
      UPDATE sqlite_stat1 SET stat = '50 1' WHERE idx = 'sqlite_autoindex_advisors_1';
      ANALYZE sqlite_schema;`);
    const plans = await recorder.plansOf(() => work.needsAttention(me, { scope: 'me', limit: 100, offset: 0 }));
    assertJoinsPageByKey(plans);
    const manager = await caller(MANAGER);
    assertJoinsPageByKey(
      await recorder.plansOf(() => work.needsAttention(manager, { scope: 'team', limit: 100, offset: 0 })),
    );
  });

  it('needs attention (me) is one range of the due-time index, reading no activity or note', async () => {
    const me = await caller(OWNER);
    const plans = await recorder.plansOf(() => work.needsAttention(me, { scope: 'me', limit: 25, offset: 0 }));
    assertNoFullScan(plans);
    assertReadsDueTimes(plans);
    const answer = await work.needsAttention(me, { scope: 'me', limit: 25, offset: 0 });
    assert.ok(answer.total > 25, `the owner has a page of exceptions to read (${answer.total})`);
  });

  it("needs attention (a manager's team) is one range of the due-time index per teammate", async () => {
    const manager = await caller(MANAGER);
    const plans = await recorder.plansOf(() => work.needsAttention(manager, { scope: 'team', limit: 25, offset: 50 }));
    assertNoFullScan(plans);
    assertReadsDueTimes(plans);
  });

  it('needs attention with more than SORT_DUE_ROWS due reads the page in order from opportunity_attention_page', async () => {
    const everyone = db.prepare('SELECT id FROM advisors').pluck().all() as number[];
    const plans = await recorder.plansOf(() => work.attentionOf(everyone, { limit: 25, offset: 50 }));
    const answer = await work.attentionOf(everyone, { limit: 25, offset: 50 });
    assert.ok(answer.total > SORT_DUE_ROWS, `the firm has ${answer.total} due rows`);
    assertNoFullScan(plans);
    assertJoinsPageByKey(plans);
    const text = describePlans(plans);
    assert.match(text, /SEARCH t USING INDEX opportunity_attention_page \(owner_id=\?\)/, text);
    assert.doesNotMatch(text, /\b(activities|notes)\b/i, text);
  });

  it('new for me starts from the advisor’s assignments by others (assignments_to_by_others)', async () => {
    const me = await caller(OWNER);
    for (const since of [null, '2026-06-01T00:00:00.000Z']) {
      const plans = await recorder.plansOf(() => work.newForMe({ ...me, workSeenAt: since }, { limit: 25, offset: 0 }));
      assertNoFullScan(plans);
      const text = describePlans(plans);
      assert.match(text, /SEARCH s USING INDEX assignments_to_by_others \(to_advisor_id=\?/, text);
      const answer = await work.newForMe({ ...me, workSeenAt: since }, { limit: 25, offset: 0 });
      assert.ok(answer.items.length > 0, 'the advisor has assignments by others to read');
    }
  });

  it("needs attention and new for me write their page's LIMIT into the statement: a bound one makes SQLite prepare it again on every run", async () => {
    const me = await caller(OWNER);
    const everyone = db.prepare('SELECT id FROM advisors').pluck().all() as number[];
    const pages = [
      () => work.needsAttention(me, { scope: 'me', limit: 25, offset: 0 }),
      () => work.needsAttention(me, { scope: 'me', limit: 25, offset: 25 }),
      () => work.attentionOf(everyone, { limit: 25, offset: 50 }),
      () => work.newForMe({ ...me, workSeenAt: null }, { limit: 25, offset: 0 }),
      () => work.newForMe({ ...me, workSeenAt: null }, { limit: 10, offset: 10 }),
    ];
    for (const page of pages) {
      const plans = await recorder.plansOf(page);
      assert.ok(
        plans.some((plan) => /\bLIMIT\b/.test(plan.source)),
        describePlans(plans),
      );
      assert.deepEqual(boundLimits(plans), [], describePlans(boundLimits(plans)));
    }
  });

  it('My Work lists read summaries: the page’s opportunities by primary key, never their whole details', async () => {
    const me = await caller(OWNER);
    const attention = await recorder.plansOf(() => work.needsAttention(me, { scope: 'me', limit: 25, offset: 0 }));
    const fresh = await recorder.plansOf(() => work.newForMe({ ...me, workSeenAt: null }, { limit: 25, offset: 0 }));
    for (const plans of [attention, fresh]) {
      assertNoFullScan(plans);
      assertJoinsPageByKey(plans);
      for (const plan of plans) assert.doesNotMatch(plan.source, /o\.description|o\.close_reason/, plan.source);
    }
    const text = describePlans(fresh);
    assert.match(text, /SEARCH v USING INDEX notes_opportunity \(opportunity_id=\?\)/, text);
  });
});
