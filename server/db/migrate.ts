import type { Db } from './connection';
import { migrations } from './migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Applies, in order and each in its own transaction, the migrations the database has not had yet
 * (only those up to version `to` when given: tests build a database as an older release left it).
 */
export function migrate(db: Db, { to = Infinity }: { to?: number } = {}): { applied: Migration[] } {
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
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
    applied.push(migration);
  }
  return { applied };
}
