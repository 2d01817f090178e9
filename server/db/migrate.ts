import type { Db } from './connection';
import type { MigrationProgress } from './migration-steps';
import { migrations } from './migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rows a migration moves, after `sql` and in the same transaction, in steps that report progress
   * (see inIdRanges), so a long migration never runs silently inside start-up.
   */
  run?: (db: Db, progress: MigrationProgress) => void;
}

/** Where `migrate` prints what it does (process.stderr in the server and the command-line tools). */
export interface MigrationLog {
  write(text: string): unknown;
}

/** Progress lines of one migration are printed at most this often. */
export const PROGRESS_EVERY_MS = 2000;

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * Applies, in order and each in its own transaction, the migrations the database has not had yet
 * (only those up to version `to` when given: tests build a database as an older release left it).
 * With `log`, prints a line before and after each one and, for a data-moving one, its progress at
 * most every `progressEveryMs`; without, it is silent (tests).
 */
export function migrate(
  db: Db,
  {
    to = Infinity,
    log,
    progressEveryMs = PROGRESS_EVERY_MS,
  }: { to?: number; log?: MigrationLog; progressEveryMs?: number } = {},
): { applied: Migration[] } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const newest = Math.max(0, ...done);
  const known = Math.max(...migrations.map((m) => m.version));
  if (newest > known) {
    throw new Error(
      `The database is at schema version ${newest}, newer than this version of Regarding knows (${known}): a newer ` +
        'release migrated it. Run that release again, or restore a backup taken before the upgrade.',
    );
  }
  const applied: Migration[] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version) || migration.version > to) continue;
    const number = String(migration.version).padStart(3, '0');
    const started = performance.now();
    log?.write(`Applying migration ${number} (${migration.name}) …\n`);
    let printed = started;
    const progress: MigrationProgress = (label, rows, total) => {
      const now = performance.now();
      if (!log || now - printed < progressEveryMs) return;
      printed = now;
      log.write(`  ${label}: ${rows.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}\n`);
    };
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db, progress);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    log?.write(`… migration ${number} done in ${seconds(started)}\n`);
    applied.push(migration);
  }
  return { applied };
}
