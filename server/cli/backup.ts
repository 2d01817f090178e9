/** `npm run backup -- FILE`: a consistent copy of the live database, taken with SQLite's online backup. */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { restrictToOwner } from '../db/connection';
import { openConfiguredDatabase } from './database';

const program = new Command('backup')
  .description('Copy the database to FILE while the service keeps running (SQLite online backup).')
  .argument('<file>', 'where to write the backup; must not exist yet')
  .action(async (file: string) => {
    const target = path.resolve(file);
    if (fs.existsSync(target)) program.error(`${target} already exists; choose a new file name.`);
    const { config, db } = openConfiguredDatabase();
    restrictToOwner(target);
    await db.backup(target);
    db.close();
    console.log(`Backed up ${config.databaseFile} to ${target}.`);
  });

await program.parseAsync();
