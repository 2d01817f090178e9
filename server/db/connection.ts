import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the SQLite file with the settings every connection needs: WAL so readers never block the
 * writer, foreign keys enforced, FULL synchronous so an acknowledged write survives a crash, and a
 * 64 MB page cache.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MB; the search index and hot tables of a firm's data are larger.
  db.pragma('cache_size = -65536');
  return db;
}
