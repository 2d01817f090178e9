import { loadConfig } from '../config';
import { openStorage } from '../db/storage';

/** The configured storage (the SQLite file, or PostgreSQL with DATABASE_URL), migrated, for the command-line tools. */
export async function openConfiguredStorage() {
  const config = loadConfig();
  return { config, ...(await openStorage(config, 'command', process.stderr)) };
}
