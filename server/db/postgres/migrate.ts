import type { Postgres } from './connection';
import { transaction } from './connection';
import { postgresMigrations } from './migrations';

export interface PostgresMigration {
  /** The same number as the SQLite migration that brings the schema to the same level (server/db/migrations). */
  version: number;
  name: string;
  sql: string;
}

/**
 * Any number that no other use of advisory locks in this database takes: the lock that lets one instance migrate
 * while the others starting at the same moment wait, then find nothing left to do.
 */
const MIGRATION_LOCK = 0x5245_4744; // "REGD"

/**
 * Brings the database to the newest version, each migration in its own transaction with its record in
 * schema_migrations. Instances started together take turns (a transaction-level advisory lock), so each migration runs
 * once. Returns the versions this call applied.
 */
export async function migratePostgres(pool: Postgres, migrations = postgresMigrations): Promise<number[]> {
  const applied: number[] = [];
  const known = Math.max(...migrations.map((migration) => migration.version));
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const ran = await transaction(pool, async (client) => {
      // No statement timeout here: a migration may rebuild a big table, and another instance waits for the lock
      // as long as that takes.
      await client.query('SET LOCAL statement_timeout = 0');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const newest = (await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as {
        v: number;
      };
      if (newest.v > known)
        throw new Error(
          `The database is at schema version ${newest.v}, newer than this version of Regarding knows (${known}): a ` +
            'newer release migrated it. Run that release again, or restore a backup taken before the upgrade.',
        );
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount) return false;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}

/** The newest version recorded, 0 for an empty database. */
export async function postgresSchemaVersion(pool: Postgres): Promise<number> {
  const exists = await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!(exists.rows[0] as { present: boolean }).present) return 0;
  const row = await pool.query('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
  return (row.rows[0] as { version: number }).version;
}
