import assert from 'node:assert/strict';
import { seedVolume } from '../../bench/seed-volume';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { FunnelFilter, Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { describePlans, fullScans, recordStatements, SMALL_TABLES, type StatementPlan } from '../helpers/query-plans';

/**
 * Issue 15: the stage report and the funnel for me or my team start from the owners' rows and never read a whole
 * firm-sized table (EXPLAIN QUERY PLAN of every statement they run, on a seeded and ANALYZEd database).
 */
describe('query plans: stage report and funnel (issue 15)', () => {
  let db: Db;
  let repo: Repository;
  let plansOf: (call: () => Promise<unknown>) => Promise<StatementPlan[]>;
  const me = [3];
  const team = [2, 3, 4, 5, 6];

  before(async () => {
    db = openDatabase(':memory:');
    migrate(db);
    await seedVolume(db, { advisors: 20, contacts: 2000, opportunities: 5000, activities: 20000 });
    // As migrations 016 and 012 record them: one stage entry per opportunity, a close for each closed one.
    db.exec(`INSERT INTO stage_changes (opportunity_id, stage, from_stage, at)
               SELECT id, stage, NULL, stage_entered_at FROM opportunities;
             INSERT INTO opportunity_events (opportunity_id, kind, outcome, by_advisor_id, created_at)
               SELECT id, 'closed', status, owner_id, updated_at FROM opportunities WHERE status <> 'open';
             INSERT INTO teams (id, name, created_at) VALUES (1, 'North', '2026-01-01T00:00:00.000Z');
             INSERT INTO team_members (team_id, advisor_id) SELECT 1, value FROM json_each('[2, 3, 4, 5, 6]');`);
    db.exec('ANALYZE');
    const recorder = recordStatements(db);
    plansOf = (call) => recorder.plansOf(call);
    repo = createSqliteRepository(db);
  });
  after(() => db.close());

  const noFullScan = (plans: StatementPlan[]) => {
    assert.ok(plans.length > 0, 'the call ran statements');
    const scans = plans.flatMap((plan) => fullScans(plan, SMALL_TABLES));
    assert.deepEqual(scans, [], describePlans(plans));
  };
  const stageReport = (owners: number[] | null) => () => repo.work.stageReport(owners, new Date().toISOString());
  const funnel = (filter: FunnelFilter) => () => repo.funnel.summary(filter, new Date().toISOString(), [0.5, 0.9]);

  it('stage report for me: no full scan', async () => {
    noFullScan(await plansOf(stageReport(me)));
  });

  it('stage report for a team: no full scan', async () => {
    noFullScan(await plansOf(stageReport(team)));
  });

  it('funnel for me and for a team: no full scan, with and without filters', async () => {
    noFullScan(await plansOf(funnel({ ownerIds: me })));
    noFullScan(await plansOf(funnel({ ownerIds: team })));
    noFullScan(
      await plansOf(
        funnel({
          ownerIds: team,
          teamId: 1,
          campaignId: 2,
          referrerAdvisorId: 4,
          createdFrom: '2026-01-01T00:00:00.000Z',
          createdBefore: '2026-06-01T00:00:00.000Z',
        }),
      ),
    );
  });

  it("funnel, filtered: each opportunity's facts read by its id (migration 022), never its history", async () => {
    for (const ownerIds of [me, team, null]) {
      const plans = await plansOf(funnel({ ownerIds, campaignId: 2 }));
      const lines = plans.flatMap((plan) => plan.lines);
      assert.ok(
        lines.some((line) => /SEARCH x USING INTEGER PRIMARY KEY \(rowid=\?\)/.test(line)),
        describePlans(plans),
      );
      assert.ok(!lines.some((line) => /stage_changes|opportunity_events/.test(line)), describePlans(plans));
      if (ownerIds) noFullScan(plans);
    }
  });

  it("funnel, unfiltered (me, team, firm): the totals and periods by key (migration 028), the stays from index ranges, never an opportunity's facts", async () => {
    for (const ownerIds of [me, team, null]) {
      const plans = await plansOf(funnel({ ownerIds }));
      const lines = plans.flatMap((plan) => plan.lines);
      const firm = ownerIds === null;
      // The firm's totals and periods: rows per stage (and kind and day), whatever the firm's size.
      for (const plan of plans)
        assert.deepEqual(
          fullScans(plan, [...SMALL_TABLES, 'funnel_totals_firm', 'funnel_stay_periods_firm']),
          [],
          describePlans([plan]),
        );
      assert.ok(!lines.some((line) => /opportunity_funnel|\bx\b|opportunities/.test(line)), describePlans(plans));
      assert.ok(
        lines.some((line) =>
          firm ? /^\s*SCAN t$/.test(line) : /SEARCH t USING PRIMARY KEY \(owner_id=\?\)/.test(line),
        ),
        describePlans(plans),
      );
      const range = firm
        ? /SEARCH t USING COVERING INDEX funnel_stays_firm \(stage=\? AND running=\? AND key>\? AND key<\?\)/
        : /SEARCH t USING COVERING INDEX funnel_stays_owner \(owner_id=\? AND stage=\? AND running=\? AND key>\? AND key<\?\)/;
      assert.ok(
        lines.some((line) => range.test(line)),
        describePlans(plans),
      );
      assert.ok(
        lines.some((line) => /SEARCH funnel_stays USING COVERING INDEX funnel_stays_since \(since>\?\)/.test(line)),
        describePlans(plans),
      );
    }
  });

  it('stage report for the firm: the firm totals by key, days in stage from one day of one index range (no sort)', async () => {
    const plans = await plansOf(stageReport(null));
    const lines = plans.flatMap((plan) => plan.lines);
    for (const plan of plans) {
      // The firm's totals and its open entries counted per month: rows per stage, status and month, whatever its size.
      assert.deepEqual(
        fullScans(plan, [...SMALL_TABLES, 'stage_totals_firm', 'open_stage_months_firm']),
        [],
        describePlans([plan]),
      );
      assert.ok(!plan.lines.some((line) => /TEMP B-TREE/.test(line)), describePlans([plan]));
    }
    assert.ok(lines.some((line) => /SCAN open_stage_months_firm/.test(line)));
    assert.ok(
      lines.some((line) =>
        /SEARCH open_stage_days_firm USING PRIMARY KEY \(stage=\? AND day>\? AND day<\?\)/.test(line),
      ),
      describePlans(plans),
    );
    assert.ok(
      lines.some((line) =>
        /USING COVERING INDEX opportunities_stage \(status=\? AND stage=\? AND stage_entered_at>\? AND stage_entered_at<\?\)/.test(
          line,
        ),
      ),
      describePlans(plans),
    );
    assert.ok(!lines.some((line) => /\bopportunities o\b|SCAN opportunities/.test(line)), describePlans(plans));
  });

  it("stage report for me and a team: each owner's totals and months by key, one month of each owner's rows", async () => {
    for (const owners of [me, team]) {
      const plans = await plansOf(stageReport(owners));
      const lines = plans.flatMap((plan) => plan.lines);
      noFullScan(plans);
      assert.ok(
        lines.some((line) => /SEARCH t USING PRIMARY KEY \(owner_id=\?\)/.test(line)),
        describePlans(plans),
      );
      assert.ok(
        lines.some((line) => /SEARCH (m|open_stage_months) USING PRIMARY KEY \(owner_id=\?\)/.test(line)),
        describePlans(plans),
      );
      assert.ok(
        lines.some((line) =>
          /SEARCH (o|opportunities) USING COVERING INDEX opportunities_owner_stage \(owner_id=\? AND status=\? AND stage=\? AND stage_entered_at>\? AND stage_entered_at<\?\)/.test(
            line,
          ),
        ),
        describePlans(plans),
      );
    }
  });
});
