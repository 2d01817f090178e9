import { loadConfig } from '../config';
import { openDatabase } from '../db/connection';
import { migrate } from '../db/migrate';
import { createSqliteRepository } from '../repository/sqlite';

/** The configured database, migrated, for the command-line tools. */
export function openConfiguredDatabase() {
  const config = loadConfig();
  const db = openDatabase(config.databaseFile);
  const { applied } = migrate(db, { log: process.stderr });
  return {
    config,
    db,
    repo: createSqliteRepository(db, {
      writeWaitMs: 10_000,
      checkpointer: { frames: config.walCheckpointPages },
      inProcessReads: true,
    }),
    applied,
  };
}
