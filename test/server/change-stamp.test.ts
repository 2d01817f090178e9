import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { changeStamp, StampedCache } from '../../server/repository/sqlite/change-stamp';

describe('issue 15: the change stamp a signed-in cache is kept by', () => {
  let dir: string;
  let db: Db;
  let other: Db;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-stamp-'));
    db = openDatabase(path.join(dir, 'test.db'));
    migrate(db);
    other = openDatabase(path.join(dir, 'test.db')); // as another process would
  });
  afterEach(() => {
    other.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('issue 15: the stamp stays while the database is only read, and moves with a commit of another connection or any change of its own', () => {
    const first = changeStamp(db);
    db.prepare('SELECT count(*) FROM advisors').get();
    other.prepare('SELECT count(*) FROM advisors').get();
    assert.equal(changeStamp(db), first);

    other.prepare("INSERT INTO teams (name, created_at) VALUES ('Elsewhere', '2026-11-24')").run();
    const afterOther = changeStamp(db);
    assert.notEqual(afterOther, first);

    db.prepare("UPDATE teams SET name = 'Here' WHERE name = 'Elsewhere'").run();
    const afterOwn = changeStamp(db);
    assert.notEqual(afterOwn, afterOther);

    // A change rolled back still moves it: the cache is emptied once too often, never kept once too long.
    assert.throws(() =>
      db.transaction(() => {
        db.prepare("UPDATE teams SET name = 'Gone' WHERE name = 'Here'").run();
        throw new Error('roll back');
      })(),
    );
    assert.notEqual(changeStamp(db), afterOwn);
  });

  it('issue 15: a stamped cache answers from memory until the database changes, then reads again; a miss is never kept', () => {
    const cache = new StampedCache<string>(db);
    let reads = 0;
    const load = (value: string | undefined) => () => {
      reads += 1;
      return value;
    };
    assert.equal(cache.get('a', load('one')), 'one');
    assert.equal(cache.get('a', load('two')), 'one');
    assert.equal(reads, 1);
    assert.equal(cache.get('b', load(undefined)), undefined);
    assert.equal(cache.get('b', load('now there')), 'now there');
    assert.equal(reads, 3);

    other.prepare("INSERT INTO teams (name, created_at) VALUES ('Elsewhere', '2026-11-24')").run();
    assert.equal(cache.get('a', load('two')), 'two');
    db.prepare("UPDATE teams SET name = 'Here'").run();
    assert.equal(cache.get('a', load('three')), 'three');
    assert.equal(reads, 5);
  });
});
