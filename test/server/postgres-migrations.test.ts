import assert from 'node:assert/strict';
import { openPostgres, type Postgres } from '../../server/db/postgres/connection';
import { migratePostgres, postgresSchemaVersion } from '../../server/db/postgres/migrate';
import { postgresMigrations } from '../../server/db/postgres/migrations';
import { migrations as sqliteMigrations } from '../../server/db/migrations';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

const versions = postgresMigrations.map((migration) => migration.version);
const newest = Math.max(...versions);

describeOnPostgres('PostgreSQL migrations', function () {
  this.timeout(60_000);
  let database: { url: string; drop(): Promise<void> };
  const pools: Postgres[] = [];
  const pool = (max = 4) => {
    const opened = openPostgres(database.url, { max });
    pools.push(opened);
    return opened;
  };

  beforeEach(async () => {
    database = await freshPostgresDatabase();
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((opened) => opened.end()));
    await database.drop();
  });

  it('numbers every PostgreSQL migration as the SQLite migration of the same schema level', () => {
    const sqliteVersions = new Set(sqliteMigrations.map((migration) => migration.version));
    for (const migration of postgresMigrations)
      assert.ok(sqliteVersions.has(migration.version), `PostgreSQL migration ${migration.version} has no SQLite twin`);
    assert.equal(
      Math.max(...postgresMigrations.map((migration) => migration.version)),
      Math.max(...sqliteMigrations.map((migration) => migration.version)),
      'PostgreSQL reaches the same newest version as SQLite',
    );
  });

  it('brings an empty database to the newest version once, and a second run applies nothing', async () => {
    const db = pool();
    assert.equal(await postgresSchemaVersion(db), 0);
    assert.deepEqual(await migratePostgres(db), versions);
    assert.equal(await postgresSchemaVersion(db), newest);
    assert.deepEqual(await migratePostgres(db), []);
  });

  it('applies each migration once when several instances start together', async () => {
    const instances = [pool(), pool(), pool(), pool()];
    const applied = await Promise.all(instances.map((db) => migratePostgres(db)));
    assert.deepEqual(applied.flat().sort(), versions, 'one instance applied each, the others found it done');
    const rows = await instances[0].query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.rows.map((row: { version: number }) => row.version),
      versions,
    );
  });

  it('refuses a database a newer release migrated, and changes nothing', async () => {
    const db = pool();
    await migratePostgres(db);
    await db.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
    await assert.rejects(
      migratePostgres(db),
      new RegExp(`schema version 99, newer than this version of Regarding knows \\(${newest}\\)`),
    );
    assert.equal(await postgresSchemaVersion(db), 99);
  });

  it('refuses a database whose character type would leave letters outside ASCII alone, and creates nothing', async () => {
    await database.drop();
    database = await freshPostgresDatabase({ locale: 'C' });
    const db = pool();
    await assert.rejects(migratePostgres(db), /needs a UTF8 database with a UTF-8 character type .* LC_CTYPE C/);
    assert.equal(await postgresSchemaVersion(db), 0);
    assert.equal((await db.query("SELECT to_regclass('advisors') AS t")).rows[0].t, null);
  });

  it("keeps an advisor's email unique whatever its case, and answers ids as numbers and times as ISO text", async () => {
    const db = pool();
    await migratePostgres(db);
    const at = '2026-11-24T09:30:00.123Z';
    const inserted = await db.query(
      "INSERT INTO advisors (email, display_name, created_at) VALUES ('Olive@Firm.example', 'Olive', $1) RETURNING id, created_at, active",
      [at],
    );
    assert.deepEqual(inserted.rows[0], { id: 1, created_at: at, active: true });
    await assert.rejects(
      db.query("INSERT INTO advisors (email, display_name, created_at) VALUES ('olive@firm.EXAMPLE', 'Again', $1)", [
        at,
      ]),
      (error: { code?: string }) => error.code === '23505',
    );
  });

  it("keeps type-ahead's query of any typed text when migration 32 makes search_prefixes() one expression", async () => {
    const db = pool();
    await migratePostgres(
      db,
      postgresMigrations.filter((migration) => migration.version === 31),
    );
    const typed = [
      'smi',
      'Smi  jo-hn',
      'ÉLODIE Ærø',
      'o’brien',
      "d'angelo",
      '  --  ',
      '',
      '42 rue: 7',
      'one two three four five six seven eight nine ten',
      'straße 東京 naïve',
      'a\\b',
    ];
    const queries = async () =>
      (await db.query('SELECT t, search_prefixes(t)::text AS q FROM unnest($1::text[]) t', [typed])).rows;
    const before = await queries();
    assert.equal(before.length, typed.length);
    assert.ok(
      before.some((row: { q: string }) => row.q.includes('&')),
      'the texts have several words',
    );
    await migratePostgres(db);
    assert.equal(await postgresSchemaVersion(db), newest);
    assert.deepEqual(await queries(), before);
  });
});
