/**
 * `npm run backup -- FILE`: a consistent copy of the live database while the service keeps running. SQLite: its
 * online backup. PostgreSQL: pg_dump's custom format when pg_dump is installed; otherwise how to take one.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { restrictToOwner } from '../db/connection';
import { openConfiguredStorage } from './database';
import { splitPassword } from '../db/postgres/url';

/** Runs pg_dump with the password in its environment, never on a command line another user's `ps` shows. */
function pgDump(
  { url: bare, password }: NonNullable<ReturnType<typeof splitPassword>>,
  target: string,
): { ran: false } | { ran: true; ok: boolean; message: string } {
  const run = spawnSync('pg_dump', ['--format=custom', `--file=${target}`, `--dbname=${bare}`], {
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    encoding: 'utf8',
  });
  if (run.error && 'code' in run.error && run.error.code === 'ENOENT') return { ran: false };
  return { ran: true, ok: run.status === 0, message: (run.stderr || run.error?.message || '').trim() };
}

const program = new Command('backup')
  .description('Copy the database to FILE while the service keeps running (SQLite online backup, or pg_dump).')
  .argument('<file>', 'where to write the backup; must not exist yet')
  .action(async (file: string) => {
    const target = path.resolve(file);
    if (fs.existsSync(target)) program.error(`${target} already exists; choose a new file name.`);
    const storage = await openConfiguredStorage();
    try {
      restrictToOwner(target);
      if (storage.kind === 'sqlite') {
        await storage.db.backup(target);
        console.log(`Backed up ${storage.where} to ${target}.`);
        return;
      }
      const connection = splitPassword(storage.url);
      if (!connection) {
        fs.rmSync(target, { force: true });
        return program.error(
          "The password in DATABASE_URL could not be kept off pg_dump's command line, so pg_dump was not run: " +
            'percent-encode its special characters (@ / ? #), and give an sslpassword to pg_dump by other means.',
        );
      }
      const dump = pgDump(connection, target);
      if (!dump.ran) {
        fs.rmSync(target, { force: true });
        return program.error(
          'pg_dump is not installed. On PostgreSQL, back up with pg_dump from the postgresql-client package of the ' +
            "server's major version (or newer):\n" +
            `  pg_dump --format=custom --file=${target} "$DATABASE_URL"\n` +
            'and restore into an empty database with pg_restore --dbname="$DATABASE_URL" FILE. A managed service\'s ' +
            'own snapshots do the same.',
        );
      }
      if (!dump.ok) {
        fs.rmSync(target, { force: true });
        return program.error(`pg_dump failed: ${dump.message}`);
      }
      console.log(`Backed up ${storage.where} to ${target} (pg_dump custom format; restore with pg_restore).`);
    } finally {
      await storage.repo.close();
    }
  });

await program.parseAsync();
