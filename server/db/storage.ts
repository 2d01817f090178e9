import type { Config } from '../config';
import type { Repository } from '../repository/repository';
import { createPostgresRepository } from '../repository/postgres';
import { createSqliteRepository } from '../repository/sqlite';
import { assertIntact, openDatabase, type Db } from './connection';
import { migrate, type MigrationLog } from './migrate';
import { openPostgres } from './postgres/connection';
import { migratePostgres, postgresSchemaVersion } from './postgres/migrate';
import { postgresMigrations } from './postgres/migrations';
import { withoutPassword } from './postgres/url';

/** The configured storage, migrated, with its repository: the SQLite file, or PostgreSQL with DATABASE_URL. */
export type Storage = {
  repo: Repository;
  applied: { version: number; name: string }[];
  where: string;
  schemaVersion: () => Promise<number>;
} & ({ kind: 'sqlite'; db: Db } | { kind: 'postgres'; url: string });

/**
 * Opens and migrates the storage `config` names. `purpose`: the service (checks the SQLite file's integrity, reports
 * and My Work's reads in workers) or a command-line tool (one job: waits longer for a lock, reads in process).
 */
export async function openStorage(
  config: Config,
  purpose: 'service' | 'command',
  log?: MigrationLog,
): Promise<Storage> {
  if (config.databaseUrl) {
    const pool = openPostgres(config.databaseUrl, {
      max: config.databasePoolSize,
      // The service's requests only: a command run by hand (the admin CLI, migrate) has no request to protect.
      statementTimeoutMs: purpose === 'service' ? config.databaseStatementTimeoutMs : 0,
    });
    try {
      const applied = await migratePostgres(pool);
      const names = new Map(postgresMigrations.map((m) => [m.version, m.name]));
      return {
        kind: 'postgres',
        url: config.databaseUrl,
        where: withoutPassword(config.databaseUrl),
        repo: createPostgresRepository(pool, {
          reportCacheMs: purpose === 'service' ? config.reportCacheSeconds * 1000 : 0,
          stampMaxAgeMs: purpose === 'service' ? config.signInReuseMs : 0,
        }),
        applied: applied.map((version) => ({ version, name: names.get(version) ?? '' })),
        schemaVersion: () => postgresSchemaVersion(pool),
      };
    } catch (error) {
      await pool.end().catch(() => undefined);
      const reason = error instanceof Error ? error.message || (error as { code?: string }).code : String(error);
      throw new Error(`PostgreSQL at ${withoutPassword(config.databaseUrl)}: ${reason}`, { cause: error });
    }
  }
  const db = openDatabase(config.databaseFile);
  if (purpose === 'service') assertIntact(db, config.databaseFile, { log: process.stderr });
  const { applied } = migrate(db, { log });
  const repo = createSqliteRepository(
    db,
    purpose === 'service'
      ? {
          writeWaitMs: config.writeWaitMs,
          checkpointer: { frames: config.walCheckpointPages },
          reportWorker: { cacheMs: config.reportCacheSeconds * 1000 },
        }
      : { writeWaitMs: 10_000, checkpointer: { frames: config.walCheckpointPages }, inProcessReads: true },
  );
  return {
    kind: 'sqlite',
    db,
    where: config.databaseFile,
    repo,
    applied: applied.map(({ version, name }) => ({ version, name })),
    schemaVersion: () =>
      Promise.resolve(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number),
  };
}
