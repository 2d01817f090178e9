import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { registerFunctions } from './functions';

export type Db = Database.Database;

/** Read and write for the service's own user only: the file holds the firm's client data. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates the database file (and its folder) readable by its owner only, and narrows an existing one.
 * SQLite creates the WAL and shared-memory files with the database file's mode, so they follow.
 */
export function restrictToOwner(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const part of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(part)) fs.chmodSync(part, PRIVATE_FILE_MODE);
  }
}

/**
 * Opens the SQLite file with the settings every connection needs: WAL so readers never block the
 * writer, foreign keys enforced, FULL synchronous so an acknowledged write survives a crash, and a
 * 64 MB page cache; and the application functions the schema's triggers call.
 */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') restrictToOwner(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // SQLite's default page cache is 2 MB; the search index and hot tables of a firm's data are larger.
  db.pragma('cache_size = -65536');
  registerFunctions(db);
  return db;
}

const ANNOUNCED_CHECK_BYTES = 256 * 1024 * 1024;

/**
 * Refuses a database file with damaged pages (PRAGMA quick_check), so the service never starts and
 * reports itself healthy on data it would then misread or lose.
 */
export function assertIntact(
  db: Db,
  file: string,
  {
    log,
    announceFromBytes = ANNOUNCED_CHECK_BYTES,
  }: { log?: { write(line: string): unknown }; announceFromBytes?: number } = {},
): void {
  // The check reads every page: minutes for a firm's file on a cold disk, so a large file says what it is doing.
  const bytes = file === ':memory:' ? 0 : (fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0);
  const announce = log && bytes >= announceFromBytes;
  const began = Date.now();
  if (announce) log.write(`Checking ${file} (${(bytes / 1e9).toFixed(1)} GB) for damaged pages …\n`);
  let found: string[];
  try {
    const problems = db.pragma('quick_check(5)', { simple: false }) as { quick_check: string }[];
    found = problems.map((row) => row.quick_check).filter((line) => line !== 'ok');
  } catch (error) {
    // So damaged that SQLite cannot even walk it.
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !/^SQLITE_(CORRUPT|NOTADB)/.test(code)) throw error;
    found = [(error as Error).message];
  }
  if (announce) log.write(`… checked in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  if (found.length) {
    throw new Error(
      `The database file ${file} is damaged (SQLite's quick_check: ${found.join('; ')}). Stop here and ` +
        'restore the latest backup (see "npm run backup" in the README); do not keep writing to this file.',
    );
  }
}
