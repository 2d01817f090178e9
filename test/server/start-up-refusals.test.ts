import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertIntact, openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { startChildServer } from '../helpers/child-server';

/** A migrated database with a few hundred rows, checkpointed and closed. */
function databaseWithData(dir: string): string {
  const file = path.join(dir, 'regarding.db');
  const db = openDatabase(file);
  migrate(db);
  const insert = db.prepare('INSERT INTO teams (name, created_at) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 400; i++) insert.run(`Team ${i} ${'x'.repeat(60)}`, '2026-11-23T00:00:00Z');
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return file;
}

const env = (file: string) => ({ DATABASE_FILE: file, TLS: 'off', DEMO_DATA: 'off' });

/** What the server printed when it refused to start; fails (and stops it) if it started after all. */
async function refusalOf(file: string): Promise<string> {
  let started;
  try {
    started = await startChildServer(env(file));
  } catch (error) {
    return (error as Error).message;
  }
  started.child.kill('SIGKILL');
  await started.exited;
  return assert.fail('the server started');
}

describe('start-up refuses a database it must not serve (issue 11, finding 11)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-refusals-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finding 11: refuses to start on a database with damaged pages, and says to restore a backup', async () => {
    const file = databaseWithData(dir);
    const pageSize = 4096;
    const pages = fs.statSync(file).size / pageSize;
    // Overwrite the last page (a page of the teams table or its index) with bytes that are no b-tree page.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (pages - 1) * pageSize);
    fs.closeSync(fd);
    await assert.rejects(
      startChildServer(env(file)),
      /is damaged \(SQLite's quick_check: [\s\S]*restore the latest backup/,
    );
  });

  it('finding 11: refuses to start on a schema newer than this code knows, and changes nothing', async () => {
    const file = databaseWithData(dir);
    const db = openDatabase(file);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', '2027-01-01')",
    ).run();
    db.close();
    assert.match(await refusalOf(file), /schema version 999, newer than this version of Regarding knows \(\d+\)/);
    const after = openDatabase(file);
    assert.equal(after.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), 999);
    assert.equal(after.prepare('SELECT count(*) FROM teams').pluck().get(), 400);
    after.close();
  });

  it('finding 11: starts on an intact database of the current schema', async () => {
    const server = await startChildServer(env(databaseWithData(dir)));
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('issue 15: a large file says it is being checked, and how long the check took; a small one stays quiet', () => {
    const file = databaseWithData(dir);
    const db = openDatabase(file);
    const lines: string[] = [];
    const log = { write: (line: string) => lines.push(line) };
    assertIntact(db, file, { log });
    assert.deepEqual(lines, [], 'below the default size, nothing is printed');
    assertIntact(db, file, { log, announceFromBytes: fs.statSync(file).size });
    db.close();
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^Checking .+ \(\d+\.\d GB\) for damaged pages …\n$/);
    assert.match(lines[1], /^… checked in \d+\.\d s\n$/);
  });
});
