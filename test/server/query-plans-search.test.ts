import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { ListOpportunitiesOptions, Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { seedVolume } from '../../bench/seed-volume';
import { boundLimits, describePlans, fullScans, recordStatements, type StatementPlan } from '../helpers/query-plans';

/**
 * The plans of type-ahead, lists, suggestions and customer search on a seeded, analysed database: none reads a
 * whole firm-sized table, and an owner-scoped search starts from the owner's rows, never the firm's matches.
 */
describe('query plans: search and suggestions', function () {
  this.timeout(60_000);
  let db: Db;
  let repo: Repository;
  let recorder: ReturnType<typeof recordStatements>;
  let contactEmails: string[];

  before(async () => {
    db = openDatabase(':memory:');
    migrate(db);
    await seedVolume(db, { advisors: 20, contacts: 2000, opportunities: 5000, activities: 2000 });
    db.prepare(
      `INSERT OR IGNORE INTO opportunity_recent (advisor_id, opportunity_id, used_at)
         SELECT owner_id, id, updated_at FROM opportunities WHERE id % 7 = 0`,
    ).run();
    db.exec('ANALYZE');
    contactEmails = db
      .prepare(
        `SELECT c.email FROM contacts c WHERE EXISTS (SELECT 1 FROM opportunities o
           WHERE o.customer_contact_id = c.id AND o.status = 'open') LIMIT 3`,
      )
      .pluck()
      .all() as string[];
    recorder = recordStatements(db);
    repo = createSqliteRepository(db);
  });
  after(() => db.close());
  const plansOf = (call: () => unknown) => recorder.plansOf(call);

  const options = (view: ListOpportunitiesOptions['view'], q?: string): ListOpportunitiesOptions => ({
    view,
    advisorId: 3,
    ownerIds: view === 'team-open' || view === 'team-closed' ? [3, 4, 5] : [3],
    q,
    limit: 10,
    offset: 0,
  });

  function assertNoFullScan(plans: StatementPlan[]) {
    assert.ok(plans.length > 0, 'the call ran no SELECT');
    for (const plan of plans) assert.deepEqual(fullScans(plan), [], describePlans([plan]));
  }

  /** A sort of every row the view could show (ORDER BY over all of several owners' rows) rather than of their first pages. */
  function assertSortsOnlyFirstPages(plans: StatementPlan[]) {
    for (const plan of plans)
      if (plan.lines.some((line) => /USE TEMP B-TREE FOR ORDER BY/.test(line)))
        assert.ok(
          plan.lines.some((line) => /CORRELATED LIST SUBQUERY/.test(line)),
          `sorts every row of the view:\n${describePlans([plan])}`,
        );
  }

  /** Walking the firm's open (or closed) rows by status and filtering by owner afterwards. */
  function assertFromOwnersRows(plans: StatementPlan[]) {
    for (const plan of plans)
      assert.ok(
        !plan.lines.some((line) => /USING (COVERING )?INDEX opportunities_status\b/.test(line)),
        `walks the firm's rows by status:\n${describePlans([plan])}`,
      );
  }

  for (const view of ['my-open', 'team-open', 'all-open', 'recent', 'closed', 'team-closed'] as const) {
    it(`lists ${view} without a full scan, a walk of the firm's rows or a sort of every row`, async () => {
      const plans = await plansOf(() => repo.opportunities.choices(options(view)));
      assertNoFullScan(plans);
      assertSortsOnlyFirstPages(plans);
      if (view !== 'all-open') assertFromOwnersRows(plans);
      assertNoFullScan(await plansOf(() => repo.opportunities.list(options(view))));
    });

    it(`lists ${view} in its order from an index, sorting only the owners' first pages`, async () => {
      assertSortsOnlyFirstPages(await plansOf(() => repo.opportunities.list(options(view))));
    });

    it(`searches ${view} ("ret") without a full scan`, async () => {
      const plans = await plansOf(() => repo.opportunities.choices(options(view, 'ret')));
      assertNoFullScan(plans);
      assertNoFullScan(await plansOf(() => repo.opportunities.list(options(view, 'ret'))));
    });
  }

  for (const view of ['my-open', 'team-open', 'team-closed'] as const) {
    it(`searches ${view} from the owners' rows: the full-text match is scoped to them, not the firm's`, async () => {
      const plans = await plansOf(() => repo.opportunities.choices(options(view, 'ret')));
      const searches = plans.filter((plan) => /opportunity_search MATCH/.test(plan.source));
      assert.equal(searches.length, 1, describePlans(plans));
      const [search] = searches;
      const match = JSON.stringify(search.params);
      const owners = {
        'my-open': ['o3'],
        'team-open': ['o3', 'o4', 'o5'],
        'team-closed': ['c3', 'c4', 'c5', 'b3'],
      }[view];
      for (const token of owners) assert.match(match, new RegExp(`scope : \\(.*\\\\"${token}\\\\"`), match);
    });
  }

  for (const view of ['my-open', 'team-open', 'all-open', 'team-closed'] as const) {
    it(`searches ${view} newest first in the full-text index's forward order, never backwards or sorted`, async () => {
      const plans = await plansOf(() => repo.opportunities.choices(options(view, 'ret')));
      const [search] = plans.filter((plan) => /opportunity_search MATCH/.test(plan.source));
      // FTS5's plan number: 64 (FTS5_BI_ORDER_ROWID) when it returns rows in rowid order itself, +128 when descending.
      const scan = search.lines.map((line) => /^SCAN s VIRTUAL TABLE INDEX (\d+):/.exec(line)).find(Boolean);
      assert.ok(scan, describePlans([search]));
      const plan = Number(scan[1]);
      assert.ok(plan & 64 && !(plan & 128), `not a forward walk in rowid order:\n${describePlans([search])}`);
      assert.ok(!search.lines.some((line) => /TEMP B-TREE/.test(line)), describePlans([search]));
    });
  }

  it("searches Closed in the advisor's own rowid range of Closed's index, bound as an integer, newest first in forward order, stopping at the page", async () => {
    const plans = await plansOf(() => repo.opportunities.choices(options('closed', 'ret')));
    assertNoFullScan(plans);
    const searches = plans.filter((plan) => /MATCH/.test(plan.source));
    assert.equal(searches.length, 1, describePlans(plans));
    const [search] = searches;
    assert.match(
      search.source,
      /closed_search MATCH :words AND s\.rowid BETWEEN :closedFrom AND :closedFrom \+ 4294967295/,
    );
    const { closedFrom } = search.params[0] as { closedFrom: unknown };
    assert.equal(closedFrom, 3n * 2n ** 32n);
    assert.equal(db.prepare('SELECT typeof(?)').pluck().get(closedFrom), 'integer');
    // The outer loop is Closed's index, with both bounds of the range (">" and "<") and in rowid order (64, not 128).
    const scan = /^SCAN s VIRTUAL TABLE INDEX (\d+):M\d*(><|<>)/.exec(search.lines[0]);
    assert.ok(scan, describePlans([search]));
    const plan = Number(scan[1]);
    assert.ok(plan & 64 && !(plan & 128), `not a forward walk in rowid order:\n${describePlans([search])}`);
    assert.ok(!search.lines.some((line) => /TEMP B-TREE|opportunity_search/.test(line)), describePlans([search]));
  });

  for (const [list, advisorId] of [
    ['short', 3],
    ['long', 4],
  ] as const)
    it(`searches a ${list} Recent list in the advisor's own rowid range of Recent's index, bound as an integer, never the firm's matches`, async () => {
      db.prepare(
        `INSERT OR IGNORE INTO opportunity_recent (advisor_id, opportunity_id, used_at)
           SELECT 4, id, updated_at FROM opportunities WHERE id % 3 = 0`,
      ).run();
      const plans = await plansOf(() =>
        repo.opportunities.choices({ ...options('recent', 'ret'), advisorId, ownerIds: [advisorId] }),
      );
      const searches = plans.filter((plan) => /MATCH/.test(plan.source));
      assert.equal(searches.length, 1, describePlans(plans));
      const [search] = searches;
      assert.match(
        search.source,
        /recent_search MATCH :words AND rowid BETWEEN :recentFrom AND :recentFrom \+ 4294967295/,
      );
      // FTS5 uses a rowid bound only when it is an integer: a JS number binds as a REAL, which FTS5 ignores (it then
      // walks the typed words' matches in every advisor's Recent, and SQLite drops the others afterwards).
      const { recentFrom } = search.params[0] as { recentFrom: unknown };
      assert.equal(recentFrom, BigInt(advisorId) * 2n ** 32n);
      assert.equal(db.prepare('SELECT typeof(?)').pluck().get(recentFrom), 'integer');
      // FTS5 receives both bounds of the range (">" and "<" in its plan), so it seeks to the advisor's rows.
      assert.ok(
        search.lines.some((line) => /SCAN recent_search VIRTUAL TABLE INDEX \d+:M\d*(><|<>)/.test(line)),
        describePlans([search]),
      );
    });

  it('lists All Open from the status index in its order when ANALYZE ran before the stage index existed', async () => {
    // As on a database analysed at an older schema: no statistics for the indexes later migrations added, whose
    // default estimate made the stage report's index (status first as well) look cheaper, and every open row sorted.
    const newer = "idx IN ('opportunities_stage', 'opportunities_owner_stage')";
    const kept = db.prepare(`SELECT tbl, idx, stat FROM sqlite_stat1 WHERE ${newer}`).all();
    assert.equal(kept.length, 2, 'the seeded database was analysed');
    db.exec(`DELETE FROM sqlite_stat1 WHERE ${newer}`);
    db.exec('ANALYZE sqlite_schema');
    try {
      for (const offset of [0, 50]) {
        const plans = await plansOf(() => repo.opportunities.list({ ...options('all-open'), offset }));
        assert.ok(
          plans.some((plan) => plan.lines.some((line) => /USING (COVERING )?INDEX opportunities_status\b/.test(line))),
          describePlans(plans),
        );
        assertSortsOnlyFirstPages(plans);
      }
    } finally {
      const restore = db.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (:tbl, :idx, :stat)');
      for (const row of kept) restore.run(row);
      db.exec('ANALYZE sqlite_schema');
    }
  });

  it("binds the advisor of a view's page as an expression (+:me), so sqlite_stat4 never makes SQLite prepare it again on each request", async () => {
    for (const view of ['my-open', 'recent', 'closed', 'team-closed'] as const)
      for (const q of [undefined, 'ret']) {
        const plans = await plansOf(() => repo.opportunities.choices(options(view, q)));
        const page = plans.find((plan) => /:me\b/.test(plan.source));
        assert.ok(page, `${view} ${q}: ${describePlans(plans)}`);
        assert.doesNotMatch(page.source, /=\s*:me\b/, `${view} ${q}`);
        assert.match(page.source, /=\s*\+:me\b/, `${view} ${q}`);
      }
  });

  it("searches Recent from the advisor's recent list, not the firm's matches", async () => {
    const plans = await plansOf(() => repo.opportunities.choices(options('recent', 'ret')));
    assertNoFullScan(plans);
    // The outer loop (the first line at the top level) reads the advisor's recent rows, whichever index it picks.
    const [page] = plans.filter((plan) => /MATCH/.test(plan.source));
    const outer = page.lines.find((line) => /^(SCAN|SEARCH)/.test(line));
    assert.match(outer ?? '', /^SEARCH r USING .*INDEX opportunity_recent\w* \(.*advisor_id=\?/, describePlans(plans));
  });

  it('finds suggestions for contacts with open opportunities without a full scan, choosing the page from the contact index', async () => {
    assert.ok(contactEmails.length > 0);
    const plans = await plansOf(() => repo.opportunities.suggestions(contactEmails, 3, 10));
    assertNoFullScan(plans);
    // The page is chosen from the contact index alone, so only its rows are read and joined to their names.
    assert.ok(
      plans.some((plan) =>
        plan.lines.some((line) => /SEARCH \w+ USING COVERING INDEX opportunities_contact/.test(line)),
      ),
      describePlans(plans),
    );
  });

  describe('organization search by name', () => {
    before(() => {
      // Many organizations sharing a word (in mixed case, some names twice: the id decides) and a few with a rare one.
      const insert = db.prepare("INSERT INTO organizations (name, created_at) VALUES (?, '2026-11-01T00:00:00.000Z')");
      const cases = ['Quillon', 'quillon', 'QUILLON'];
      for (let i = 0; i < 400; i++) insert.run(`${cases[i % 3]} ${String.fromCharCode(97 + ((i * 7) % 26))}${i % 50}`);
      for (let i = 0; i < 3; i++) insert.run(`Zephyrine Holdings ${i % 2}`);
      insert.run('Zephyrus Partners');
      db.exec('ANALYZE');
    });

    /** Every match sorted by name, then the page: what the search answered before it walked the names. */
    const sortedEveryMatch = (q: string, limit: number, offset: number) =>
      db
        .prepare(
          `SELECT g.id FROM organizations g WHERE g.id IN (SELECT rowid FROM organization_search WHERE organization_search MATCH ?)
             ORDER BY g.name COLLATE NOCASE, g.id LIMIT ? OFFSET ?`,
        )
        .pluck()
        .all(`"${q}"*`, limit, offset) as number[];

    it('finds the same organizations in the same name order as sorting every match: few matches and many, any page', async () => {
      for (const q of ['quillon', 'quil', 'q', 'zephyrine', 'holdings', 'client', 'nothing'])
        for (const [limit, offset] of [
          [10, 0],
          [10, 10],
          [25, 390],
          [100, 0],
        ]) {
          const found = (await repo.contacts.searchOrganizations(q, limit, offset)).map((o) => o.id);
          assert.deepEqual(found, sortedEveryMatch(q, limit, offset), `${q} limit ${limit} offset ${offset}`);
        }
      assert.equal(sortedEveryMatch('quillon', 1000, 0).length, 400);
    });

    /** The statement that reads the page's organizations (the others find the words a prefix covers, or count). */
    const pageOf = (plans: StatementPlan[]) => {
      const pages = plans.filter((plan) => /organization_domains/.test(plan.source));
      assert.equal(pages.length, 1, describePlans(plans));
      return pages[0];
    };

    for (const q of ['quillon', 'zephyrine'])
      it(`reads the page of one word ("${q}") in name order from the word table, never sorting or walking the names`, async () => {
        const plans = await plansOf(() => repo.contacts.searchOrganizations(q, 10, 0));
        assertNoFullScan(plans);
        const page = pageOf(plans);
        assert.equal(page.lines[0], 'SEARCH x USING PRIMARY KEY (word=?)', describePlans([page]));
        assert.ok(!page.lines.some((line) => /TEMP B-TREE|organizations_name/.test(line)), describePlans([page]));
      });

    it('merges the first rows of each word a prefix covers, sorting only those', async () => {
      const plans = await plansOf(() => repo.contacts.searchOrganizations('zeph', 10, 0));
      assertNoFullScan(plans);
      const page = pageOf(plans);
      assert.ok(
        page.lines.some((line) => /^\s*CORRELATED LIST SUBQUERY/.test(line)) &&
          page.lines.some((line) => /SEARCH x USING PRIMARY KEY \(word=\?\)/.test(line)),
        describePlans([page]),
      );
    });

    it('walks the names in order and stops after the page when a prefix covers many words of many organizations', async () => {
      const page = pageOf(await plansOf(() => repo.contacts.searchOrganizations('q', 10, 0)));
      assert.ok(
        page.lines.some((line) => /^SCAN g USING INDEX organizations_name\b/.test(line)),
        describePlans([page]),
      );
      assert.ok(!page.lines.some((line) => /TEMP B-TREE/.test(line)), describePlans([page]));
    });

    it('searches several words, and a prefix covering many words of a few organizations, without a full scan', async () => {
      for (const q of ['quillon a1', 'zephyrine holdings', 'a1', 'quillon 1'])
        assertNoFullScan(await plansOf(() => repo.contacts.searchOrganizations(q, 10, 0)));
    });
  });

  it("writes the first page's LIMIT (and no OFFSET) of contact and organization search into the statement: a bound one makes SQLite prepare it again on every run", async () => {
    const searches = [
      ...['quillon', 'zeph', 'q', 'zephyrine holdings', 'zéphyr'].map(
        (q) => () => repo.contacts.searchOrganizations(q, 10, 0),
      ),
      ...['kim', 'jordan l'].map((q) => () => repo.contacts.search(q, 10, 0)),
    ];
    for (const search of searches) {
      const plans = await plansOf(search);
      // The page (the counts that choose a path bind theirs: they are not the page and not on the usual path).
      const pages = plans.filter((plan) => /\bLIMIT\b/.test(plan.source) && !/count\(\*\)/.test(plan.source));
      assert.ok(pages.length, describePlans(plans));
      for (const page of pages) assert.doesNotMatch(page.source, /\b(LIMIT|OFFSET)\s+[:?@$]/, describePlans([page]));
    }
  });

  it("writes the first page's depth of each owner's stream (team open, closed, team closed without words) into the statement", async () => {
    for (const view of ['team-open', 'closed', 'team-closed'] as const) {
      const plans = await plansOf(() => repo.opportunities.list(options(view)));
      assert.ok(
        plans.some((plan) => /LIMIT 10\)/.test(plan.source)),
        describePlans(plans),
      );
      assert.deepEqual(boundLimits(plans), [], describePlans(boundLimits(plans)));
    }
  });

  it('searches contacts and organizations without a full scan', async () => {
    for (const q of ['kim', 'jordan l', 'client12', '555-01'])
      assertNoFullScan(await plansOf(() => repo.contacts.search(q, 10, 0)));
    assertNoFullScan(await plansOf(() => repo.contacts.searchOrganizations('client', 10, 0)));
  });
});
