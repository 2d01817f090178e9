/**
 * Copies a firm's SQLite database (bench/seed-firm.ts, at schema version 31) into a fresh PostgreSQL database migrated
 * by migratePostgres, for the PostgreSQL benchmark (bench/postgres.ts, issue 16):
 *
 *   npx tsx bench/postgres-load.ts --db /tmp/firm-100k.db --url postgres://postgres@127.0.0.1:5432/postgres \
 *     [--database regarding_bench]
 *
 * --url names the server (and a database to connect to); --database (default regarding_bench) is dropped if it
 * exists, created, migrated and loaded. Table by table, every table of the PostgreSQL schema from the SQLite table of
 * the same name, the columns both have (SQLite's derived tables — search indexes, needs-attention due times, funnel
 * and stage totals — are not in the PostgreSQL schema and are not read), in batches of multi-row INSERTs (unnest of
 * one text array per column, cast to the column's type): 0/1 → boolean, ISO-8601 text → timestamptz, YYYY-MM-DD →
 * date, JSON text → jsonb; the indexes other than primary keys and unique constraints dropped before and built
 * after (the schema's own definitions, from pg_indexes). Triggers and foreign-key checks are off for the load (session_replication_role = replica;
 * the rows come from a database that checked them), so the trigger-kept columns are set here: an opportunity's words
 * computed in its INSERT by the trigger's own function (contacts and organizations are loaded before), an
 * organization's words by the trigger's function once its domains are in, activities.completed_at copied from SQLite
 * (whose migration 18 keeps it the same way), needs attention's facts from their view once every row is in. Generated
 * columns (contacts.words and phone_words, activities.counted_at) PostgreSQL computes. Then every identity sequence is set past the highest id, and ANALYZE. Row counts are checked.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openPostgres, type Postgres } from '../server/db/postgres/connection';
import { migratePostgres } from '../server/db/postgres/migrate';
import { ATTENTION_FACT_COLUMNS } from '../server/db/postgres/migrations/033_attention_facts';

/** PostgreSQL's own derived tables, filled from the loaded rows (SQLite derives others, which are not loaded). */
const DERIVED = ['opportunity_attention_facts'];

/** The PostgreSQL tables loaded first, in this order: an opportunity's words read its contact and organization. */
const FIRST = ['advisors', 'teams', 'organizations', 'organization_domains', 'contacts', 'campaigns', 'opportunities'];

/** Columns the load fills with an expression of the row's other columns (what the table's trigger would compute). */
const COMPUTED: Record<string, Record<string, string>> = {
  opportunities: { words: 'opportunity_words(topic, customer_contact_id, customer_organization_id)' },
};

/** Rows per INSERT. */
const BATCH = 5_000;

interface Column {
  name: string;
  /** PostgreSQL's udt_name: int8, int4, text, bool, timestamptz, date, float8, jsonb, tsvector. */
  type: string;
  generated: boolean;
}

export interface LoadReport {
  seconds: number;
  tables: { table: string; rows: number; seconds: number }[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A SQLite value as the text PostgreSQL reads for a column of `type` (null stays null). */
function toText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'bool') return value === 1 || value === 1n || value === '1' || value === true ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  throw new Error(`a ${Buffer.isBuffer(value) ? 'BLOB' : typeof value} where PostgreSQL has ${type}`);
}

async function columnsOf(pool: Postgres, table: string): Promise<Column[]> {
  const result = await pool.query<{ column_name: string; udt_name: string; is_generated: string }>(
    `SELECT column_name, udt_name, is_generated FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return result.rows.map((r) => ({ name: r.column_name, type: r.udt_name, generated: r.is_generated === 'ALWAYS' }));
}

/** Creates (dropping first) `database` on the server `url` names; returns the URL of the new database. */
export async function createDatabase(url: string, database: string): Promise<string> {
  const admin = openPostgres(url, { max: 1 });
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quote(database)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quote(database)} TEMPLATE template0 ENCODING 'UTF8' LC_CTYPE 'C.UTF-8'`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${database}`;
  return target.toString();
}

/**
 * Migrates the (empty) PostgreSQL database `url` names and copies the firm in `sqliteFile` into it (see the top of
 * this file). The SQLite file is only read.
 */
export async function loadFirmIntoPostgres(
  sqliteFile: string,
  url: string,
  log: (line: string) => void = () => undefined,
): Promise<LoadReport> {
  const began = Date.now();
  const sqlite = new Database(sqliteFile, { readonly: true });
  // Two connections: the loading session (triggers off) and one for the catalogue's questions.
  const pool = openPostgres(url, { max: 2 });
  const report: LoadReport = { seconds: 0, tables: [] };
  try {
    const version = sqlite.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
    await migratePostgres(pool);
    const pgVersion = (await pool.query<{ v: number }>('SELECT max(version) AS v FROM schema_migrations')).rows[0].v;
    if (version !== pgVersion)
      throw new Error(`${sqliteFile} is at schema version ${version}, the PostgreSQL schema at ${pgVersion}`);

    const pgTables = (
      await pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
           WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
             AND table_name NOT IN ('schema_migrations', ${DERIVED.map((t) => `'${t}'`).join(', ')})`,
      )
    ).rows.map((r) => r.table_name);
    const order = [...FIRST.filter((t) => pgTables.includes(t)), ...pgTables.filter((t) => !FIRST.includes(t)).sort()];
    const sqliteTables = new Set(
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
    const missing = order.filter((t) => !sqliteTables.has(t));
    if (missing.length)
      throw new Error(`tables of the PostgreSQL schema that ${sqliteFile} has not: ${missing.join(', ')}`);

    const client = await pool.connect();
    try {
      // No triggers, no foreign-key checks for this session: the rows were checked where they come from.
      await client.query('SET session_replication_role = replica');
      // The migration's own rows (campaigns, activity labels, the rules' and team version's single rows) are replaced.
      await client.query(`TRUNCATE ${[...order, ...DERIVED].map(quote).join(', ')}`);
      // Indexes other than primary keys and unique constraints are built once the rows are in (each in one pass,
      // instead of a million insertions each): a unique index among them checks the rows when it is built.
      const indexes = (
        await client.query<{ name: string; definition: string }>(
          `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
             WHERE i.schemaname = 'public' AND i.tablename <> 'schema_migrations'
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
        )
      ).rows;
      for (const index of indexes) await client.query(`DROP INDEX ${quote(index.name)}`);
      for (const table of order) {
        const tableBegan = Date.now();
        const sqliteColumns = new Set(
          (sqlite.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map((c) => c.name),
        );
        const computed = COMPUTED[table] ?? {};
        const all = await columnsOf(pool, table);
        // A column SQLite's table has not, kept by a trigger on PostgreSQL, must be computed here (COMPUTED) or below.
        const columns = all.filter((c) => !c.generated && !(c.name in computed) && sqliteColumns.has(c.name));
        const absent = all.filter(
          (c) => !c.generated && !(c.name in computed) && !sqliteColumns.has(c.name) && c.name !== 'words',
        );
        if (absent.length)
          throw new Error(`${table}: PostgreSQL columns SQLite has not: ${absent.map((c) => c.name).join(', ')}`);
        const names = columns.map((c) => quote(c.name));
        const insert =
          `INSERT INTO ${quote(table)} (${[...names, ...Object.keys(computed).map(quote)].join(', ')}) ` +
          `SELECT *${Object.values(computed)
            .map((expression) => `, ${expression}`)
            .join('')} FROM (SELECT ${columns
            .map((c, i) => `c${i}::${c.type} AS ${quote(c.name)}`)
            .join(', ')} FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${columns
            .map((_, i) => `c${i}`)
            .join(', ')})) AS s`;
        const rows = sqlite
          .prepare(`SELECT ${names.join(', ')} FROM ${quote(table)}`)
          .raw()
          .iterate() as IterableIterator<unknown[]>;
        let batch: (string | null)[][] = columns.map(() => []);
        let count = 0;
        let inBatch = 0;
        const flush = async () => {
          if (!inBatch) return;
          await client.query(insert, batch);
          batch = columns.map(() => []);
          inBatch = 0;
        };
        for (const row of rows) {
          for (let i = 0; i < columns.length; i++) batch[i].push(toText(row[i], columns[i].type));
          inBatch++;
          count++;
          if (inBatch === BATCH) await flush();
        }
        await flush();
        const seconds = (Date.now() - tableBegan) / 1000;
        report.tables.push({ table, rows: count, seconds });
        log(`${table}: ${count} rows in ${seconds.toFixed(1)} s`);
      }

      const indexesBegan = Date.now();
      await client.query("SET maintenance_work_mem = '256MB'");
      for (const index of indexes) await client.query(index.definition);
      log(`${indexes.length} indexes built in ${((Date.now() - indexesBegan) / 1000).toFixed(1)} s`);

      // An organization's words: its name's and its domains' (the trigger's own function, now that both are in).
      await client.query('SELECT organization_words_refresh(id) FROM organizations');
      // Needs attention's facts of each open opportunity (migration 33), as its triggers would have kept them.
      const facts = ATTENTION_FACT_COLUMNS.join(', ');
      await client.query(
        `INSERT INTO opportunity_attention_facts (${facts}) SELECT ${facts} FROM opportunity_attention_facts_source`,
      );

      // Identity columns: the next id past the highest loaded (an empty table starts at 1).
      const identities = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns
           WHERE table_schema = 'public' AND is_identity = 'YES'`,
      );
      for (const { table_name: table, column_name: column } of identities.rows)
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${quote(column)}) FROM ${quote(table)}), 0) + 1, false)`,
          [table, column],
        );
      await client.query('SET session_replication_role = origin');
    } finally {
      client.release();
    }

    // The load checked: every table's rows, and every opportunity and organization with its words.
    for (const { table, rows } of report.tables) {
      const there = (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table)}`)).rows[0].n;
      if (there !== rows) throw new Error(`${table}: ${rows} rows read from SQLite, ${there} in PostgreSQL`);
    }
    const wordless = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM opportunities WHERE words = ''::tsvector)
            + (SELECT count(*) FROM organizations WHERE words = ''::tsvector) AS n`,
    );
    if (wordless.rows[0].n) throw new Error(`${wordless.rows[0].n} opportunities or organizations without words`);
    const mismatched = await pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM opportunities
         WHERE words IS DISTINCT FROM opportunity_words(topic, customer_contact_id, customer_organization_id)`,
    );
    if (mismatched.rows[0].n)
      throw new Error(`${mismatched.rows[0].n} opportunities whose words are not the trigger's`);
    const factless = await pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM opportunities o
         WHERE o.status = 'open' AND NOT EXISTS (SELECT 1 FROM opportunity_attention_facts f WHERE f.opportunity_id = o.id)`,
    );
    if (factless.rows[0].n) throw new Error(`${factless.rows[0].n} open opportunities without needs-attention facts`);
    const analyzeBegan = Date.now();
    await pool.query('VACUUM (ANALYZE)');
    log(`VACUUM (ANALYZE) in ${((Date.now() - analyzeBegan) / 1000).toFixed(1)} s`);
  } finally {
    sqlite.close();
    await pool.end();
  }
  report.seconds = (Date.now() - began) / 1000;
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      url: { type: 'string' },
      database: { type: 'string', default: 'regarding_bench' },
    },
  });
  if (!values.db || !values.url) {
    process.stderr.write(
      'usage: tsx bench/postgres-load.ts --db <firm.db> --url postgres://… [--database regarding_bench]\n',
    );
    process.exit(2);
  }
  const target = await createDatabase(values.url, values.database);
  const loaded = await loadFirmIntoPostgres(values.db, target, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`Loaded ${values.db} into ${target} in ${loaded.seconds.toFixed(0)} s\n`);
}
