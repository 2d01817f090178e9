import assert from 'node:assert/strict';
import { seedVolume } from '../../bench/seed-volume';
import { ManualClock } from '../../server/clock';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { createServices, type Services } from '../../server/services';
import { boundLimits, describePlans, fullScans, recordStatements, type StatementPlan } from '../helpers/query-plans';

/**
 * What My Work and the pane open: an opportunity with its timeline, a page of its activities, suggestions for an
 * email's people, the pane context. Each statement starts from the opportunity's (or the email's) own rows, and a
 * timeline page reads its activities in the timeline's order from its index, the opportunity they regard once
 * (issue 15).
 */
describe('query plans: opportunity detail, suggestions and the pane context (issue 15)', function () {
  this.timeout(120_000);
  let db: Db;
  let repo: Repository;
  let services: Services;
  let recorder: ReturnType<typeof recordStatements>;
  const OWNER = 3;
  /** An open opportunity of OWNER's with more activities than a timeline page. */
  let busy: number;

  before(async () => {
    db = openDatabase(':memory:');
    migrate(db);
    await seedVolume(db, { advisors: 20, contacts: 2000, opportunities: 5000, activities: 40000 });
    db.exec(`
      INSERT INTO activity_participants (activity_id, role, email, name)
        SELECT id, 'from', 'client' || (id % 3000) || '@client.example', NULL FROM activities;
      INSERT INTO activity_participants (activity_id, role, email, name)
        SELECT id, 'to', 'advisor' || created_by_id || '@firm.example', NULL FROM activities;
      ANALYZE;
    `);
    busy = db
      .prepare(
        `SELECT o.id FROM opportunities o JOIN activities a ON a.regarding_opportunity_id = o.id
           WHERE o.owner_id = ? AND o.status = 'open' GROUP BY o.id ORDER BY count(*) DESC LIMIT 1`,
      )
      .pluck()
      .get(OWNER) as number;
    recorder = recordStatements(db);
    repo = createSqliteRepository(db);
    services = createServices({ repo, clock: new ManualClock(new Date('2026-11-02T10:00:00.000Z')) });
  });
  after(() => db.close());

  const caller = async () => (await repo.advisors.findById(OWNER))!;

  function assertNoFullScan(plans: StatementPlan[]) {
    assert.ok(plans.length > 0, 'the call ran statements');
    for (const plan of plans) assert.deepEqual(fullScans(plan), [], describePlans([plan]));
  }

  /** The statements that read activities rows (`FROM activities a`). */
  const activityReads = (plans: StatementPlan[]) => plans.filter((plan) => /\bFROM activities a\b/.test(plan.source));

  /**
   * A timeline page: its activities from activities_timeline in the timeline's order (no sort of the opportunity's
   * activities), and the opportunity they regard read once by primary key, not joined to every row.
   */
  function assertTimelinePage(plans: StatementPlan[]) {
    const text = describePlans(plans);
    const [timeline, ...others] = activityReads(plans);
    assert.equal(others.length, 0, text);
    assert.match(
      timeline.lines.join('\n'),
      /SEARCH a USING INDEX activities_timeline \(regarding_opportunity_id=\?/,
      text,
    );
    assert.doesNotMatch(timeline.lines.join('\n'), /TEMP B-TREE/, text);
    assert.doesNotMatch(timeline.source, /\bopportunities\b/, text);
    const regarding = plans.filter((plan) => /^SELECT o\.id, o\.topic/.test(plan.source.trim()));
    assert.equal(regarding.length, 1, text);
    assert.match(regarding[0].lines.join('\n'), /SEARCH o USING INTEGER PRIMARY KEY \(rowid=\?\)/, text);
    // The participants are read with each activity, in the same statement, by primary key (no sort).
    const participants = plans.filter((plan) => /FROM activity_participants/.test(plan.source));
    assert.deepEqual(participants, [timeline], text);
    assert.match(
      participants[0].lines.join('\n'),
      /SEARCH activity_participants USING PRIMARY KEY \(activity_id=\?\)/,
      text,
    );
  }

  it('the opportunity with its timeline: every part from the opportunity’s own rows, its activities in index order', async () => {
    const me = await caller();
    const plans = await recorder.plansOf(() => services.opportunities.detail(me, busy, { markRecent: false }));
    assertNoFullScan(plans);
    assertTimelinePage(plans);
    const text = describePlans(plans);
    // The opportunity itself (with its access check) is read once, by primary key.
    const opportunity = plans.filter(
      (plan) => /FROM opportunities o\b/.test(plan.source) && /o\.description/.test(plan.source),
    );
    assert.equal(opportunity.length, 1, text);
    assert.match(opportunity[0].lines.join('\n'), /SEARCH o USING INTEGER PRIMARY KEY \(rowid=\?\)/, text);
  });

  it('a page of its activities, the first and one further back: the access facts by key, then only that page from the timeline index', async () => {
    const me = await caller();
    const first = await services.opportunities.activityList(me, busy, { limit: 10 });
    assert.ok(first.nextCursor, 'the opportunity has more than a page of activities');
    for (const query of [{ limit: 10 }, { limit: 10, before: first.nextCursor }]) {
      const plans = await recorder.plansOf(() => services.opportunities.activityList(me, busy, query));
      assertNoFullScan(plans);
      assertTimelinePage(plans);
      // Its access check reads what the rule needs, by primary key, not the whole opportunity with its names.
      const text = describePlans(plans);
      assert.doesNotMatch(text, /o\.description/, text);
      const access = plans.filter((plan) =>
        /^SELECT status, owner_id, created_by_id, version FROM opportunities/.test(plan.source),
      );
      assert.equal(access.length, 1, text);
      assert.match(access[0].lines.join('\n'), /SEARCH opportunities USING INTEGER PRIMARY KEY \(rowid=\?\)/, text);
    }
  });

  it("the detail, its pages, people search and draft matching write their page's LIMIT into the statement: a bound one makes SQLite prepare it again on every run", async () => {
    const me = await caller();
    const calls: [string, () => Promise<unknown>, number][] = [
      // The detail reads four pages: its activities, notes, assignments and closes.
      ['detail', () => services.opportunities.detail(me, busy, { markRecent: false }), 4],
      ['activities', () => services.opportunities.activityList(me, busy, { limit: 10 }), 1],
      ['notes', () => services.opportunities.noteList(me, busy, { limit: 10 }), 1],
      ['assignments', () => services.opportunities.assignmentList(me, busy, { limit: 10 }), 1],
      ['events', () => services.opportunities.eventList(me, busy, { limit: 10 }), 1],
      ['advisors', () => services.people.searchAdvisors({ q: 'a', limit: 10, offset: 10 }), 1],
      ['teams', () => services.people.searchTeams({ limit: 10, offset: 0 }), 1],
      [
        'draft matching',
        () =>
          repo.activities.pendingDrafts(
            OWNER,
            {
              subject: 'Review',
              recipients: ['client1@client.example'],
              conversationId: null,
              linkedFrom: '2026-10-01T00:00:00.000Z',
              linkedTo: '2026-11-02T10:00:00.000Z',
            },
            6,
          ),
        1,
      ],
    ];
    for (const [name, call, pages] of calls) {
      const plans = await recorder.plansOf(call);
      const limited = plans.filter((plan) => /\bLIMIT\b/.test(plan.source));
      assert.ok(limited.length >= pages, `${name}: ${describePlans(plans)}`);
      assert.deepEqual(boundLimits(plans), [], `${name}: ${describePlans(boundLimits(plans))}`);
    }
  });

  it('suggestions start from the emails’ contacts and their open opportunities, by index', async () => {
    const me = await caller();
    const emails = db
      .prepare(
        `SELECT c.email FROM contacts c WHERE EXISTS
           (SELECT 1 FROM opportunities o WHERE o.customer_contact_id = c.id AND o.status = 'open') LIMIT 3`,
      )
      .pluck()
      .all() as string[];
    let found = 0;
    const plans = await recorder.plansOf(async () => {
      found = (await services.opportunities.suggestions(me, { email: emails, limit: 10 })).length;
    });
    assert.ok(found > 0, 'the emails have suggestions');
    assertNoFullScan(plans);
    const text = describePlans(plans);
    assert.match(text, /SEARCH contacts USING (COVERING )?INDEX sqlite_autoindex_contacts_1 \(email=\?\)/, text);
    assert.match(
      text,
      /SEARCH x USING (COVERING )?INDEX opportunities_contact \(customer_contact_id=\? AND status=\?\)/,
      text,
    );
  });

  it('the pane context (an email with its sender): the item by its identity, suggestions by index', async () => {
    const me = await caller();
    const message = db
      .prepare(
        `SELECT a.internet_message_id, p.email FROM activities a JOIN activity_participants p ON p.activity_id = a.id
           WHERE a.regarding_opportunity_id = ? AND p.role = 'from' LIMIT 1`,
      )
      .get(busy) as { internet_message_id: string; email: string };
    let activity: unknown = null;
    const plans = await recorder.plansOf(async () => {
      ({ activity } = await services.pane.context(me, {
        internetMessageId: message.internet_message_id,
        email: [message.email],
        limit: 10,
      }));
    });
    assert.ok(activity, 'the email is found');
    assertNoFullScan(plans);
    const text = describePlans(plans);
    assert.match(
      text,
      /SEARCH activities USING (COVERING )?INDEX sqlite_autoindex_activities_\d \(internet_message_id=\?\)/,
      text,
    );
    for (const read of activityReads(plans))
      assert.match(read.lines.join('\n'), /SEARCH a USING INTEGER PRIMARY KEY \(rowid=\?\)/, describePlans([read]));
  });
});
