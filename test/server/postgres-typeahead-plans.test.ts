import assert from 'node:assert/strict';
import { openLookupPool, openPostgres, type Postgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { NEWEST_WALKED, PostgresOpportunityStore } from '../../server/repository/postgres/opportunities';
import type { ListOpportunitiesOptions } from '../../server/repository/repository';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

interface AnalyzedNode extends PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: AnalyzedNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** A statement the store sent, with its name when it was named (prepared on its connection). */
interface Statement {
  text: string;
  values: unknown[];
  name?: string;
}

/** `pool`, recording into `into` each statement sent through it. */
function recording(pool: Postgres, into: Statement[]): Postgres {
  const recorded = Object.create(pool) as Postgres;
  recorded.query = ((query: Statement) => {
    into.push(query);
    return pool.query(query);
  }) as Postgres['query'];
  return recorded;
}

/** A value as a literal for EXECUTE (the test's own values: numbers, words, arrays of them). */
const literal = (value: unknown): string =>
  Array.isArray(value)
    ? `'{${value.map((item) => (typeof item === 'number' ? item : `"${String(item)}"`)).join(',')}}'`
    : typeof value === 'number'
      ? String(value)
      : `'${String(value).replaceAll("'", "''")}'`;

/** The indexes that start from an owner's or a creator's rows. */
const OWNERS_ROWS = [
  'opportunities_owner_newest',
  'opportunities_creator_newest',
  'opportunities_owner',
  'opportunities_created_by',
];

/**
 * Owner-scoped type-ahead on PostgreSQL reads only the owners' (and the creator's) rows, from their indexes, and the
 * page's rows by id: never the firm's matches of a typed word from the words' GIN index, never a walk of every
 * opportunity. On a firm where every opportunity has the typed word, half of them, and none. Each page is also
 * checked against the view's rows read plainly.
 */
describeOnPostgres('type-ahead plans on PostgreSQL (issue 16)', function () {
  this.timeout(60_000);
  let database: { url: string; drop(): Promise<void> };
  let pool: Postgres;
  /** The lookup pool's one connection (openLookupPool's settings), where the named lookups run. */
  let lookups: Postgres;
  let store: PostgresOpportunityStore;
  const statements: Statement[] = [];

  before(async () => {
    database = await freshPostgresDatabase();
    pool = openPostgres(database.url, { max: 2 });
    await migratePostgres(pool);
    // 40 advisors; 20,000 opportunities, every topic with "Smith", half with "Rollover", each with a word of its own
    // ("case<i>"); owner i % 40, and one in seven created by the next advisor; one in five closed (won or lost).
    await pool.query(`
      INSERT INTO advisors (email, display_name, created_at)
        SELECT 'advisor' || i || '@firm.example', 'Advisor ' || i, now() FROM generate_series(1, 40) i;
      INSERT INTO contacts (name, email, created_at, updated_at)
        SELECT 'Client ' || i, 'client' || i || '@example.com', now(), now() FROM generate_series(1, 500) i;
      INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, status, owner_id,
                                 assigned_at, created_by_id, created_at, updated_at)
        SELECT 'Smith ' || CASE WHEN i % 2 = 0 THEN 'rollover ' ELSE 'estate ' END || 'case' || i, 1 + i % 500,
               (SELECT min(id) FROM campaigns), 'qualify', now(),
               CASE i % 10 WHEN 3 THEN 'won' WHEN 7 THEN 'lost' ELSE 'open' END,
               1 + i % 40, now(), CASE WHEN i % 7 = 0 THEN 1 + (i + 1) % 40 ELSE 1 + i % 40 END,
               now(), now() - i * interval '1 second'
          FROM generate_series(1, 20000) i;
      ANALYZE;
    `);
    lookups = openPostgres(database.url, { max: 1, planOnce: true });
    store = new PostgresOpportunityStore(recording(pool, statements), recording(lookups, statements));
  });

  after(async () => {
    await pool?.end();
    await lookups?.end();
    await database?.drop();
  });

  /**
   * The plan a statement ran with: a named one's from the lookup pool's connection, where it is prepared (EXECUTE
   * shows the plan for every value that connection uses), an unnamed one's planned for its values.
   */
  const planOf = async ({ text, values, name }: Statement, analyze = false) => {
    const options = analyze ? '(ANALYZE, FORMAT JSON)' : '(FORMAT JSON)';
    const { rows } = name
      ? await lookups.query(`EXPLAIN ${options} EXECUTE "${name}"(${values.map(literal).join(', ')})`)
      : await pool.query(`EXPLAIN ${options} ${text}`, values);
    return (rows[0] as { 'QUERY PLAN': [{ Plan: AnalyzedNode }] })['QUERY PLAN'][0].Plan;
  };

  /** Rows an analyzed plan read from the opportunities (each node's rows and those it filtered out, every loop). */
  const rowsRead = (plan: AnalyzedNode) =>
    (nodesOf(plan) as AnalyzedNode[])
      .filter((node) => node['Relation Name'] === 'opportunities')
      .reduce(
        (sum, node) => sum + (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'],
        0,
      );

  // Streams: the (advisor, status) index walks whose first rows hold the page.
  const views: [ListOpportunitiesOptions['view'], number[], string, number][] = [
    ['my-open', [3], "status = 'open' AND owner_id = 3", 1],
    ['team-open', [3, 4, 5], "status = 'open' AND owner_id IN (3, 4, 5)", 3],
    ['closed', [3], "status <> 'open' AND (owner_id = 3 OR created_by_id = 3)", 4],
    ['team-closed', [4, 5], "status <> 'open' AND (owner_id IN (3, 4, 5) OR created_by_id = 3)", 8],
  ];

  for (const [view, ownerIds, rows, streams] of views)
    for (const [typed, words] of [
      ['smi', "'smi':*"],
      ['rollover sm', "'rollover':* & 'sm':*"],
      ['zzq', "'zzq':*"],
      // Every opportunity has a word starting so, each word its own: no statistic tells the planner how many.
      ['case', "'case':*"],
    ])
      it(`${view}, typed "${typed}": reads only the owners' rows, and its lookup and list page as the view's rows read plainly`, async () => {
        for (const offset of [0, 10, 95]) {
          statements.length = 0;
          const options = { view, advisorId: 3, ownerIds, q: typed, limit: 10, offset };
          const page = await store.choices(options);
          const expected = await pool.query(
            `SELECT id FROM opportunities WHERE ${rows} AND words @@ $1::tsquery ORDER BY id DESC LIMIT 10 OFFSET $2`,
            [words, offset],
          );
          assert.deepEqual(
            page.map((line) => line.id),
            expected.rows.map((row: { id: number }) => row.id),
          );
          assert.equal(statements.length, 1, 'one statement a keystroke');
          const [lookup] = statements;
          assert.ok(lookup.name, 'named: planned once on the lookup pool');
          // The list's page (chosen first, then named) is the same rows in the same order.
          assert.deepEqual(
            (await store.list(options)).map((summary) => summary.id),
            expected.rows.map((row: { id: number }) => row.id),
          );
          const plan = await planOf(lookup, true);
          const described = JSON.stringify(plan, null, 1);
          assert.doesNotMatch(
            described,
            /search_prefixes|to_tsquery/,
            `the words' query worked out once a run:\n${described}`,
          );
          // Each stream's first rows and those rows again by id when every opportunity has the word ("smi"); else at
          // most the view's rows, twice.
          const inView = Number((await pool.query(`SELECT count(*) AS n FROM opportunities WHERE ${rows}`)).rows[0].n);
          const bound = 2 * streams * (offset + 20) + (typed === 'smi' ? 0 : 2 * inView);
          assert.ok(rowsRead(plan) <= bound, `${rowsRead(plan)} rows read, more than ${bound}:\n${described}`);
          const reads = nodesOf(plan).filter(
            (node) => node['Relation Name'] === 'opportunities' || node['Index Name']?.startsWith('opportunities_'),
          );
          for (const read of reads)
            if (read['Index Name'] === 'opportunities_pkey')
              assert.ok(read['Index Cond'], `the opportunities were walked whole:\n${described}`);
            else if (read['Node Type'] !== 'Bitmap Heap Scan')
              assert.ok(
                OWNERS_ROWS.includes(read['Index Name'] ?? ''),
                `${read['Node Type']} ${read['Index Name'] ?? ''}: not the owners' rows:\n${described}`,
              );
        }
      });

  // The newest 2,000 open are ids 17,501–20,000 here. Offsets: a page within them, one exactly filling them (1990),
  // one straddling their end (1995) and one past it (2500), whose rows only the words' index gives.
  for (const [typed, words, offsets] of [
    ['smi', "'smi':*", [0, 10, 1990, 1995, 2500]],
    ['rollover sm', "'rollover':* & 'sm':*", [0, 95, 995, 1000]],
    ['zzq', "'zzq':*", [0]],
    // One opportunity has it, among the newest: the walk newest first never filled its page and read the whole firm.
    ['case19999', "'case19999':*", [0]],
    // Its 1,111 matches are all older than the newest 2,000 open.
    ['case9', "'case9':*", [0, 10, 1105]],
    ['case1', "'case1':*", [0, 95]],
  ] as const)
    it(`all-open, typed "${typed}": walks at most the ${NEWEST_WALKED} newest open, then the word's own matches, never the firm newest first, and its pages as read plainly`, async () => {
      const inWindow = Number(
        (
          await pool.query(
            `SELECT count(*) AS n FROM (SELECT words FROM opportunities WHERE status = 'open' ORDER BY id DESC LIMIT $2) w
              WHERE words @@ $1::tsquery`,
            [words, NEWEST_WALKED],
          )
        ).rows[0].n,
      );
      for (const offset of offsets) {
        statements.length = 0;
        const options = { view: 'all-open' as const, advisorId: 3, q: typed, limit: 10, offset };
        const page = await store.choices(options);
        const ran = [...statements];
        const expected = (
          await pool.query(
            `SELECT id FROM opportunities WHERE status = 'open' AND words @@ $1::tsquery ORDER BY id DESC LIMIT 10 OFFSET $2`,
            [words, offset],
          )
        ).rows.map((row: { id: number }) => row.id);
        assert.deepEqual(
          page.map((line) => line.id),
          expected,
        );
        assert.deepEqual(
          (await store.list(options)).map((summary) => summary.id),
          expected,
        );
        assert.equal(
          ran.length,
          offset + 10 <= inWindow ? 1 : 2,
          "one statement when the newest hold the page, else the words' index too",
        );
        // The first statement walks the newest open opportunities and stops; the second, only when the first came back
        // short, takes the word's matches (from the words' index, or on a table as small as this one the planner may
        // read it whole) and never walks the firm newest first.
        for (const [i, lookup] of ran.entries()) {
          assert.ok(lookup.name, 'named');
          const plan = await planOf(lookup, true);
          assert.doesNotMatch(
            JSON.stringify(plan),
            /search_prefixes|to_tsquery/,
            "the words' query worked out once a run",
          );
          const reads = (nodesOf(plan) as AnalyzedNode[]).filter((node) => node['Relation Name'] === 'opportunities');
          const described = JSON.stringify(plan, null, 1);
          if (i === 0) {
            const read = rowsRead(plan);
            // The newest open and the closed between them (one in five here), not the firm's 20,000.
            assert.ok(read <= 2 * NEWEST_WALKED, `${read} rows walked:\n${described}`);
          } else
            for (const read of reads)
              assert.ok(
                read['Index Name'] !== 'opportunities_pkey' || read['Index Cond'],
                `the firm walked newest first:\n${described}`,
              );
        }
      }
    });

  // With nothing typed, a lookup is the last changed first, planned for its values on the main pool (a plan for every
  // value would guess its LIMIT at a tenth of the rows), and stops at the page.
  for (const [view, ownerIds, rows, streams] of [
    ...views,
    ['all-open', [3], "status = 'open'", 1] as (typeof views)[number],
  ])
    it(`${view}, nothing typed: its lookup, planned for its values, reads the page's rows last changed first, as read plainly`, async () => {
      for (const offset of [0, 10, 95]) {
        statements.length = 0;
        const page = await store.choices({ view, advisorId: 3, ownerIds: [...ownerIds], limit: 10, offset });
        const expected = await pool.query(
          `SELECT id FROM opportunities WHERE ${rows} ORDER BY updated_at DESC, id DESC LIMIT 10 OFFSET $1`,
          [offset],
        );
        assert.deepEqual(
          page.map((line) => line.id),
          expected.rows.map((row: { id: number }) => row.id),
        );
        assert.equal(statements.length, 1);
        assert.equal(statements[0].name, undefined, 'planned for its values');
        const plan = await planOf(statements[0], true);
        const read = rowsRead(plan);
        // Each stream's first rows, and the same rows again by id: not the firm's 20,000.
        const bound = 2 * streams * (offset + 20);
        assert.ok(read <= bound, `${read} rows read, more than ${bound}:\n${JSON.stringify(plan, null, 1)}`);
      }
    });

  it("prepares a view's lookup once per connection of the lookup pool and plans it once, whatever the typed text, the page size and the offset; lookups by referrer and the lists are not prepared", async () => {
    const one = openPostgres(database.url, { max: 1, statementTimeoutMs: 4000 });
    const lookupPool = openLookupPool(one);
    try {
      const store = new PostgresOpportunityStore(one, lookupPool);
      const count = async (on: Postgres) =>
        Number((await on.query('SELECT count(*) AS n FROM pg_prepared_statements')).rows[0].n);
      const prepared = () => count(lookupPool);
      assert.equal(await count(one), 0);
      const setting = async (on: Postgres, name: string) =>
        ((await on.query(`SELECT current_setting('${name}') AS value`)).rows[0] as { value: string }).value;
      assert.deepEqual(
        [await setting(lookupPool, 'plan_cache_mode'), await setting(lookupPool, 'jit')],
        ['force_generic_plan', 'off'],
        'the lookup pool plans once and never compiles',
      );
      assert.equal(await setting(one, 'plan_cache_mode'), 'auto', 'the main pool plans as PostgreSQL chooses');
      assert.deepEqual(
        [await setting(one, 'statement_timeout'), await setting(lookupPool, 'statement_timeout')],
        ['4s', '4s'],
        'the lookup pool keeps the statement timeout of the pool it serves',
      );
      const before = await prepared();
      for (const q of ['smi', 'rollover sm', 'zzq'])
        for (const [limit, offset] of [
          [10, 0],
          [26, 10],
          [1, 95],
        ]) {
          const options = { view: 'my-open' as const, advisorId: 3, q, limit, offset };
          await store.choices(options);
          await store.list(options);
        }
      assert.equal(await prepared(), before + 1, 'one statement for the lookup');
      await store.choices({ view: 'team-open', advisorId: 3, ownerIds: [4, 5], q: 'smi', limit: 10, offset: 0 });
      assert.equal(await prepared(), before + 2, 'and one more for another view');
      await store.choices({ view: 'closed', advisorId: 3, q: 'smi', limit: 10, offset: 0 });
      await store.choices({ view: 'team-closed', advisorId: 3, ownerIds: [4, 5], q: 'smi', limit: 10, offset: 0 });
      assert.equal(await prepared(), before + 4, 'Closed and Team Closed too');
      await store.choices({ view: 'my-open', advisorId: 3, q: 'smi', limit: 10, offset: 0, referredByAdvisorId: 4 });
      await store.choices({ view: 'closed', advisorId: 3, q: 'smi', limit: 10, offset: 0, referredByContactId: 7 });
      assert.equal(await prepared(), before + 4, 'by referrer: planned for its values each time');
      assert.equal(await count(one), 0, 'nothing prepared on the main pool');
      const plans = (
        await lookupPool.query(
          'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1',
          ['%ts_match_vq%'],
        )
      ).rows as { generic_plans: number; custom_plans: number }[];
      assert.deepEqual(
        plans.map((row) => [row.generic_plans > 0, Number(row.custom_plans)]),
        [
          [true, 0],
          [true, 0],
          [true, 0],
          [true, 0],
        ],
        'each run with the plan for every value',
      );
    } finally {
      await one.end();
      await lookupPool.end();
    }
  });
});
