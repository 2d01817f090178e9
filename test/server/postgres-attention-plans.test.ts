import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgres, type Postgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { postgresMigrations } from '../../server/db/postgres/migrations';
import { PostgresWorkStore } from '../../server/repository/postgres/work';
import { FACTS_DIFFERING } from '../helpers/attention-firm';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

interface AnalyzedNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: AnalyzedNode[];
}

const nodesOf = (node: AnalyzedNode): AnalyzedNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * Needs attention on PostgreSQL reads an owner's kept facts (migration 33) from one index range each, never an activity
 * or a note, and only the page's opportunities: a plan that probes each opportunity's activities again, walks every
 * owner's facts, or reads opportunities beyond the page, fails.
 * On a firm of 20,000 opportunities with 60,000 activities and 10,000 notes.
 */
describeOnPostgres('needs-attention plans on PostgreSQL (issues 15, 16)', function () {
  this.timeout(60_000);
  let database: { url: string; drop(): Promise<void> };
  let pool: Postgres;
  const sent: { text: string; values: unknown[] }[] = [];
  // The driver's own method, put back after (read as a property: it is called below with each client as `this`).
  const query = Object.getOwnPropertyDescriptor(pg.Client.prototype, 'query')!.value as (...args: unknown[]) => unknown;

  before(async () => {
    database = await freshPostgresDatabase();
    pool = openPostgres(database.url, { max: 2 });
    // The firm as it was before migration 33, which then fills the facts from its rows.
    await migratePostgres(
      pool,
      postgresMigrations.filter((migration) => migration.version < 33),
    );
    // 40 advisors; 20,000 opportunities (owner i % 40, one in five closed) assigned and created over 60 days; three
    // activities each (an email, a call ahead or behind, a task with or without a start; a third of them from before the
    // assignment) and a note on every second.
    // Loaded in bulk, triggers off (the opportunities' words are not read here).
    await pool.query(`
      SET session_replication_role = replica;
      INSERT INTO advisors (email, display_name, created_at)
        SELECT 'advisor' || i || '@firm.example', 'Advisor ' || i, now() FROM generate_series(1, 40) i;
      INSERT INTO contacts (name, email, created_at, updated_at)
        SELECT 'Client ' || i, 'client' || i || '@example.com', now(), now() FROM generate_series(1, 500) i;
      INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, status, owner_id, assigned_at,
                                 created_by_id, created_at, updated_at, estimated_close_date)
        SELECT 'Case ' || i, 1 + i % 500, (SELECT min(id) FROM campaigns), 'qualify', now(),
               CASE i % 10 WHEN 3 THEN 'won' WHEN 7 THEN 'lost' ELSE 'open' END, 1 + i % 40,
               now() - (i % 60) * interval '1 day', 1 + i % 40, now() - (i % 60) * interval '1 day',
               now() - i * interval '1 second', current_date + (i % 30 - 15)
          FROM generate_series(1, 20000) i;
      INSERT INTO activities (kind, subject, status, start_at, regarding_opportunity_id, created_by_id, created_at,
                              updated_at, internet_message_id)
        SELECT k.kind, k.kind || ' ' || o.id, CASE WHEN k.kind = 'email' OR o.id % 4 = 0 THEN 'completed' ELSE 'open' END,
               CASE k.kind WHEN 'email' THEN NULL WHEN 'task' THEN CASE WHEN o.id % 3 = 0 THEN NULL
                 ELSE now() + (o.id % 20 - 10) * interval '1 day' END
                 ELSE now() + (o.id % 14 - 7) * interval '1 day' END,
               o.id, o.owner_id, o.assigned_at + (o.id % 3 - 1) * interval '1 day', now(),
               CASE k.kind WHEN 'email' THEN '<' || o.id || '@mail.example>' END
          FROM opportunities o CROSS JOIN (VALUES ('email'), ('phone_call'), ('task')) k (kind);
      INSERT INTO notes (opportunity_id, author_id, body, created_at, updated_at)
        SELECT o.id, CASE WHEN o.id % 4 = 0 THEN o.owner_id ELSE 1 + (o.owner_id % 40) END, 'note', now(), now()
          FROM opportunities o WHERE o.id % 2 = 0;
      SET session_replication_role = origin;
    `);
    await migratePostgres(pool);
    await pool.query('VACUUM ANALYZE');
    // Every statement the store sends, from any connection of the pool (its reads run in one transaction).
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const [config, values] = args as [string | { text: string; values?: unknown[] }, unknown[] | undefined];
      if (typeof config === 'string') sent.push({ text: config, values: values ?? [] });
      else if (config && typeof config.text === 'string') sent.push({ text: config.text, values: config.values ?? [] });
      return query.apply(this, args);
    } as typeof pg.Client.prototype.query;
  });

  after(async () => {
    pg.Client.prototype.query = query as typeof pg.Client.prototype.query;
    await pool?.end();
    await database?.drop();
  });

  it("fills every open opportunity's facts from the rows when migration 33 runs on a firm", async () => {
    const { rows } = await pool.query(`
      SELECT (SELECT count(*) FROM opportunity_attention_facts) AS kept,
             (SELECT count(*) FROM opportunities WHERE status = 'open') AS open,
             (SELECT count(*) FROM (${FACTS_DIFFERING}) d) AS differing,
             (SELECT count(*) FROM opportunity_attention_facts WHERE touched) AS touched,
             (SELECT count(*) FROM opportunity_attention_facts WHERE undated_task) AS undated`);
    const counts = rows[0] as Record<string, number>;
    assert.equal(counts.kept, counts.open);
    assert.equal(counts.open, 16_000);
    assert.equal(counts.differing, 0);
    assert.ok(counts.touched > 0 && counts.touched < counts.kept, JSON.stringify(counts));
    assert.ok(counts.undated > 0 && counts.undated < counts.kept, JSON.stringify(counts));
  });

  for (const [label, owners] of [
    ['an advisor', [3]],
    ['a team of five', [3, 4, 5, 6, 7]],
  ] as const)
    for (const [limit, offset] of [
      [25, 0],
      [25, 400],
    ])
      it(`reads ${label}'s facts from one index range each, never an activity or a note (page ${limit}/${offset})`, async () => {
        sent.length = 0;
        const store = new PostgresWorkStore(pool);
        const found = await store.needingAttention([...owners], new Date().toISOString(), limit, offset);
        assert.ok(found.total > 0, 'the firm has opportunities that need attention');
        const reads = sent.filter((statement) => /opportunity_attention_facts/.test(statement.text));
        assert.equal(reads.length, offset >= found.total ? 2 : 1, 'the page (and the count past the end)');
        const open = Number(
          (
            await pool.query(
              `SELECT count(*) AS n FROM opportunities WHERE status = 'open' AND owner_id = ANY($1::bigint[])`,
              [owners],
            )
          ).rows[0].n,
        );
        for (const read of reads) {
          const { rows } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${read.text}`, read.values);
          const plan = (rows[0] as { 'QUERY PLAN': [{ Plan: AnalyzedNode }] })['QUERY PLAN'][0].Plan;
          const nodes = nodesOf(plan);
          const relations = new Set(nodes.map((node) => node['Relation Name']).filter(Boolean));
          assert.ok(relations.has('opportunity_attention_facts'), JSON.stringify(plan, null, 1));
          assert.ok(!relations.has('activities') && !relations.has('notes'), JSON.stringify(plan, null, 1));
          // The page's own rows, for their summaries (names of customer, campaign, owner, creator): by id, no more.
          const rowsRead = (relation: string) =>
            nodes
              .filter((node) => node['Relation Name'] === relation)
              .reduce(
                (sum, node) =>
                  sum + (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops'],
                0,
              );
          assert.ok(rowsRead('opportunities') <= limit, `${rowsRead('opportunities')} opportunities read`);
          const facts = nodes.filter((node) => node['Relation Name'] === 'opportunity_attention_facts');
          assert.ok(
            facts.every((node) => node['Index Name'] === 'opportunity_attention_facts_page'),
            JSON.stringify(plan, null, 1),
          );
          const factsRead = rowsRead('opportunity_attention_facts');
          assert.ok(factsRead <= open, `${factsRead} facts read for owners with ${open} open opportunities`);
        }
      });
});
