import assert from 'node:assert/strict';
import { findPersonas, seedFirmDatabase } from '../../bench/seed-firm';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';

const STAGES = ['qualify', 'develop', 'propose', 'close'];

describe('the benchmark firm generator (bench/seed-firm.ts)', function () {
  this.timeout(120_000);
  const now = Date.parse('2026-11-20T12:00:00Z');
  let db: Db;
  const value = (query: string, ...params: unknown[]) =>
    db
      .prepare(query)
      .pluck()
      .get(...params) as number;

  before(() => {
    db = openDatabase(':memory:');
    seedFirmDatabase(db, '2k', { now });
  });
  after(() => db.close());

  it('puts back every index and trigger the migrations made, and fills the search indexes', () => {
    const fresh = openDatabase(':memory:');
    migrate(fresh);
    const schema = (of: Db) =>
      of.prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name").all();
    assert.deepEqual(schema(db), schema(fresh));
    fresh.close();
    assert.equal(value('SELECT count(*) FROM opportunity_search'), value('SELECT count(*) FROM opportunities'));
    assert.equal(value('SELECT count(*) FROM contact_search'), value('SELECT count(*) FROM contacts'));
    assert.equal(value('SELECT count(*) FROM organization_search'), value('SELECT count(*) FROM organizations'));
    assert.equal(
      value("SELECT count(*) FROM opportunity_search WHERE opportunity_search MATCH 'topic:retirement'"),
      value("SELECT count(*) FROM opportunities WHERE topic LIKE '%retirement%'"),
    );
    assert.equal(
      value("SELECT count(*) FROM activities WHERE status = 'completed' AND completed_at IS NULL"),
      0,
      'completed_at as the trigger writes it',
    );
  });

  it('skews the books from a handful of opportunities to many times the median', () => {
    const books = (
      db.prepare('SELECT count(*) FROM opportunities GROUP BY owner_id ORDER BY 1').pluck().all() as number[]
    ).filter((n) => n > 0);
    const median = books[Math.floor(books.length / 2)];
    assert.ok(books[0] < 20, `smallest book ${books[0]}`);
    assert.ok(books[books.length - 1] >= 4 * median, `biggest ${books[books.length - 1]}, median ${median}`);
    const personas = findPersonas(db);
    assert.ok(personas.smallOwner.book < 20);
    assert.equal(personas.bigOwner.book, books[books.length - 1]);
  });

  it('has teams with managers, and advisors in several time zones', () => {
    assert.ok(value("SELECT count(*) FROM advisors WHERE role = 'manager'") >= 2);
    assert.equal(
      value(
        "SELECT count(*) FROM teams t WHERE NOT EXISTS (SELECT 1 FROM team_members m JOIN advisors a ON a.id = m.advisor_id WHERE m.team_id = t.id AND a.role = 'manager')",
      ),
      0,
    );
    assert.ok(value('SELECT count(DISTINCT time_zone) FROM advisors') >= 3);
  });

  it('gives most contacts on emails an open opportunity', () => {
    const share = value(
      `SELECT avg(EXISTS (SELECT 1 FROM contacts c JOIN opportunities o ON o.customer_contact_id = c.id
         WHERE c.email = p.email AND o.status = 'open')) FROM (SELECT DISTINCT email FROM activity_participants) p`,
    );
    assert.ok(share > 0.6, `${share}`);
    const personas = findPersonas(db);
    assert.ok(personas.emailsWithHits.length > 50);
    for (const email of personas.emailsWithHits.slice(0, 20))
      assert.ok(
        value(
          "SELECT count(*) FROM opportunities o JOIN contacts c ON c.id = o.customer_contact_id WHERE c.email = ? AND o.status = 'open'",
          email,
        ) > 0,
      );
    assert.ok(value('SELECT count(*) FROM organizations') > 0);
    assert.ok(value('SELECT count(*) FROM opportunities WHERE customer_organization_id IS NOT NULL') > 0);
  });

  it('records stage history as the funnel does: from qualify, consistent with the current stage, some skips and reopens', () => {
    const changes = db
      .prepare('SELECT opportunity_id, stage, from_stage, at FROM stage_changes ORDER BY opportunity_id, at, id')
      .all() as { opportunity_id: number; stage: string; from_stage: string | null; at: string }[];
    const current = new Map(
      (
        db.prepare('SELECT id, stage, stage_entered_at FROM opportunities').all() as {
          id: number;
          stage: string;
          stage_entered_at: string;
        }[]
      ).map((o) => [o.id, o]),
    );
    const byOpportunity = new Map<number, typeof changes>();
    for (const change of changes)
      byOpportunity.set(change.opportunity_id, [...(byOpportunity.get(change.opportunity_id) ?? []), change]);
    assert.equal(byOpportunity.size, current.size);
    let skips = 0;
    let backwards = 0;
    for (const [id, rows] of byOpportunity) {
      assert.equal(rows[0].stage, 'qualify');
      assert.equal(rows[0].from_stage, null);
      rows.slice(1).forEach((row, k) => {
        assert.equal(row.from_stage, rows[k].stage);
        const step = STAGES.indexOf(row.stage) - STAGES.indexOf(rows[k].stage);
        if (step > 1) skips++;
        if (step < 0) backwards++;
      });
      const last = rows[rows.length - 1];
      assert.equal(last.stage, current.get(id)!.stage, `opportunity ${id}`);
      assert.equal(last.at, current.get(id)!.stage_entered_at, `opportunity ${id}`);
    }
    assert.ok(skips > 0 && backwards > 0, `${skips} skips, ${backwards} steps back`);
    assert.equal(
      value(
        "SELECT count(*) FROM opportunities o WHERE o.status <> 'open' AND NOT EXISTS (SELECT 1 FROM opportunity_events e WHERE e.opportunity_id = o.id AND e.kind = 'closed' AND e.outcome = o.status)",
      ),
      0,
    );
    assert.ok(value("SELECT count(*) FROM opportunity_events WHERE kind = 'reopened'") > 0);
  });

  it('has every kind of activity, future appointments as next steps, open and completed tasks', () => {
    const at = new Date(now).toISOString();
    assert.deepEqual(db.prepare('SELECT DISTINCT kind FROM activities ORDER BY kind').pluck().all(), [
      'appointment',
      'email',
      'phone_call',
      'task',
    ]);
    assert.ok(
      value("SELECT count(*) FROM activities WHERE kind = 'appointment' AND status = 'open' AND start_at > ?", at) > 0,
    );
    assert.ok(value("SELECT count(*) FROM activities WHERE kind = 'task' AND status = 'open'") > 0);
    assert.ok(value("SELECT count(*) FROM activities WHERE kind = 'task' AND status = 'completed'") > 0);
    assert.ok(value('SELECT count(*) FROM note_shares') > 0);
    const activities = value('SELECT count(*) FROM activities');
    assert.ok(activities > 8 * 2_000 && activities < 12 * 2_000, `${activities} activities`);
  });

  it('names referrers (advisors and contacts) with their events, and has assignment history', () => {
    assert.ok(value('SELECT count(*) FROM opportunities WHERE referred_by_advisor_id IS NOT NULL') > 0);
    assert.ok(value('SELECT count(*) FROM opportunities WHERE referred_by_contact_id IS NOT NULL') > 0);
    assert.equal(
      value(
        "SELECT count(*) FROM opportunities o WHERE (referred_by_advisor_id IS NOT NULL OR referred_by_contact_id IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM opportunity_events e WHERE e.opportunity_id = o.id AND e.kind = 'referred')",
      ),
      0,
    );
    assert.equal(
      value(
        'SELECT count(*) FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM assignments s WHERE s.opportunity_id = o.id)',
      ),
      0,
    );
    assert.ok(
      value(
        'SELECT count(*) FROM assignments s JOIN advisors a ON a.id = s.to_advisor_id WHERE s.from_advisor_id IS NOT NULL AND s.created_at > a.work_seen_at',
      ) > 0,
      'reassignments new for their advisor',
    );
  });
});
