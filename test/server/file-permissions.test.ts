import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('database files are readable by the service user only (issue 11, finding 11)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-modes-'));
  });

  it('finding 11: creates the database, its WAL and shared-memory files 0600, whatever the umask', () => {
    const file = path.join(dir, 'data', 'regarding.db');
    const umask = process.umask(0o022);
    try {
      const db = openDatabase(file);
      migrate(db);
      db.prepare("INSERT INTO teams (name, created_at) VALUES ('Desk', '2026-11-23T00:00:00Z')").run();
      assert.deepEqual(
        [file, `${file}-wal`, `${file}-shm`].map((part) => modeOf(part).toString(8)),
        ['600', '600', '600'],
      );
      assert.equal(modeOf(path.dirname(file)).toString(8), '700');
      db.close();
    } finally {
      process.umask(umask);
    }
  });

  it('finding 11: narrows an existing world-readable database when it is opened', () => {
    const file = path.join(dir, 'old.db');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o644);
    openDatabase(file).close();
    assert.equal(modeOf(file).toString(8), '600');
  });

  it('finding 11: writes backups 0600', async () => {
    const file = path.join(dir, 'live.db');
    const db = openDatabase(file);
    migrate(db);
    db.close();
    const backup = path.join(dir, 'backups', 'copy.db');
    await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/backup.ts'), backup], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_FILE: file, LOG_LEVEL: 'silent' },
    });
    assert.equal(modeOf(backup).toString(8), '600');
    const copy = openDatabase(backup);
    assert.ok((copy.prepare('SELECT count(*) FROM schema_migrations').pluck().get() as number) >= 2);
    copy.close();
  });
});
