import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { WritesUnavailableError } from '../../server/errors';
import { createSqliteRepository } from '../../server/repository/sqlite';
import {
  setWriteWait,
  write,
  writeAlong,
  writeIfFree,
  writeStats,
  type RidingChange,
} from '../../server/repository/sqlite/writes';
import { TestClient } from '../helpers/api-client';
import { startChildServer } from '../helpers/child-server';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 15: writes arriving together share one transaction and one disk sync, each answered after the COMMIT. */
describe('group commit of writes', function () {
  this.timeout(120_000);

  describe('over HTTP', () => {
    let server: TestServer;
    afterEach(() => server.close());

    it('50 concurrent set-regarding requests share transactions, each answered correctly', async () => {
      server = await startTestServer();
      const alex = await server.advisor('Alex');
      const created = await alex.api.post('/api/v1/opportunities', referral('Shared', 'shared@client.example'));
      const opportunityId = created.body.opportunity.id as number;
      // Open the 50 connections first: connecting one by one would space the writes out by itself.
      await Promise.all(Array.from({ length: 50 }, () => alex.api.get('/api/v1/me')));
      const before = writeStats(server.db);

      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          alex.api.post('/api/v1/activities/regarding', { item: emailItem(`<group-${i}@x>`), opportunityId }),
        ),
      );

      const after = writeStats(server.db);
      assert.deepEqual([...new Set(results.map((r) => r.status))], [200]);
      results.forEach((result, i) => assert.equal(result.body.outlook.internetMessageId, `<group-${i}@x>`));
      assert.equal(new Set(results.map((r) => r.body.id)).size, 50);
      const stored = server.db
        .prepare('SELECT count(*) FROM activities WHERE regarding_opportunity_id = ?')
        .pluck()
        .get(opportunityId);
      assert.equal(stored, 50);
      const changes = after.changes - before.changes;
      const commits = after.commits - before.commits;
      assert.ok(changes >= 50, `${changes} changes were written for 50 requests`);
      assert.ok(commits < changes, `${commits} commits for ${changes} changes: no transaction was shared`);
      assert.ok(after.largestBatch > 1);
    });
  });

  describe('on a real database file', () => {
    let dir: string;
    let db: Db;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-group-'));
      db = openDatabase(path.join(dir, 'group.db'));
      db.pragma('busy_timeout = 0');
      setWriteWait(db, 300);
      db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)');
    });
    afterEach(() => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const labels = () => db.prepare('SELECT label FROM items ORDER BY id').pluck().all();
    const insert = (label: string) => db.prepare('INSERT INTO items (label) VALUES (?)').run(label).lastInsertRowid;

    it('writes queued in one turn commit together, each seeing the writes queued before it', async () => {
      const before = writeStats(db);
      const writes = Array.from({ length: 10 }, (_, i) =>
        write(db, () => {
          const seen = db.prepare('SELECT count(*) FROM items').pluck().get() as number;
          insert(`item ${i}`);
          return seen;
        }),
      );
      assert.deepEqual(await Promise.all(writes), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(writeStats(db).commits - before.commits, 1);
      assert.equal(labels().length, 10);
    });

    it('one failing change among many is rolled back alone and gets its own error; the others commit', async () => {
      const outcomes = await Promise.allSettled([
        write(db, () => insert('first')),
        write(db, () => {
          insert('partial');
          throw new Error('the rule refused');
        }),
        write(db, () => insert('first')), // UNIQUE violated by the first change of the batch
        write(db, () => insert('last')),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
      );
      assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /the rule refused/);
      assert.equal(
        ((outcomes[2] as PromiseRejectedResult).reason as { code: string }).code,
        'SQLITE_CONSTRAINT_UNIQUE',
      );
      assert.deepEqual(labels(), ['first', 'last'], 'a change that threw after a partial write left nothing');
    });

    it('a batch whose changes all succeed runs each change once, in one transaction, without running it again', async () => {
      const before = writeStats(db);
      const runs = [0, 0, 0];
      await Promise.all(
        runs.map((_, i) =>
          write(db, () => {
            runs[i] += 1;
            return insert(`once ${i}`);
          }),
        ),
      );
      assert.deepEqual(runs, [1, 1, 1]);
      const after = writeStats(db);
      assert.equal(after.commits - before.commits, 1);
      assert.equal(after.rerunBatches - before.rerunBatches, 0);
      assert.deepEqual(labels(), ['once 0', 'once 1', 'once 2']);
    });

    /** Three writes queued in one turn, the middle one `middle`: how often each ran, and what the batch cost. */
    async function batchAround(middle: () => unknown) {
      const before = writeStats(db);
      const runs = { first: 0, middle: 0, last: 0 };
      const outcomes = await Promise.allSettled([
        write(db, () => {
          runs.first += 1;
          return insert('first');
        }),
        write(db, () => {
          runs.middle += 1;
          return middle();
        }),
        write(db, () => {
          runs.last += 1;
          return insert('last');
        }),
      ]);
      const after = writeStats(db);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.deepEqual(labels(), ['first', 'last']);
      assert.equal(after.commits - before.commits, 1);
      assert.equal(after.changes - before.changes, 2);
      return { runs, rerunBatches: after.rerunBatches - before.rerunBatches };
    }

    it('a change that throws after writing makes its batch run again, a savepoint each: it alone is undone, the others commit once', async () => {
      const { runs, rerunBatches } = await batchAround(() => {
        insert('written, then refused');
        throw new Error('refused after writing');
      });
      // The first attempt (no savepoints) stopped at the failing change and was rolled back whole.
      assert.deepEqual(runs, { first: 2, middle: 2, last: 1 });
      assert.equal(rerunBatches, 1);
    });

    it('a change that throws before writing anything (a stale check) fails alone: its batch is neither rolled back nor run again', async () => {
      const { runs, rerunBatches } = await batchAround(() => {
        throw new Error('stale: checked before writing');
      });
      assert.deepEqual(runs, { first: 1, middle: 1, last: 1 });
      assert.equal(rerunBatches, 0);
    });

    it('a riding change in a batch run again is written once and told it committed once', async () => {
      db.exec('CREATE TABLE hits (n INTEGER)');
      const riding = { runs: 0, committed: 0 };
      writeAlong(db, {
        run: () => {
          riding.runs += 1;
          db.prepare('INSERT INTO hits VALUES (1)').run();
        },
        committed: () => (riding.committed += 1),
      });
      const outcomes = await Promise.allSettled([
        write(db, () => insert('a')),
        write(db, () => {
          insert('b');
          throw new Error('refused after writing');
        }),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected'],
      );
      assert.equal(riding.committed, 1);
      assert.equal(db.prepare('SELECT count(*) FROM hits').pluck().get(), 1);
      assert.deepEqual(labels(), ['a']);
    });

    it('a nested transaction inside a change still commits with it, or rolls back alone', async () => {
      const results = await Promise.all([
        write(db, () => {
          db.transaction(() => insert('nested'))();
          try {
            db.transaction(() => {
              insert('inner undone');
              throw new Error('inner');
            })();
          } catch {
            /* the inner transaction rolled back to its savepoint; the outer change goes on */
          }
          return insert('outer');
        }),
        write(db, () => insert('neighbour')),
      ]);
      assert.equal(results.length, 2);
      assert.deepEqual(labels(), ['nested', 'outer', 'neighbour']);
    });

    it('a failed COMMIT rejects every change of the batch and leaves nothing', async () => {
      db.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY);
        CREATE TABLE children (parent_id INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)`);
      const outcomes = await Promise.allSettled([
        write(db, () => insert('innocent')),
        // A deferred foreign key is checked only at COMMIT, so this change succeeds and the COMMIT fails.
        write(db, () => db.prepare('INSERT INTO children (parent_id) VALUES (42)').run()),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['rejected', 'rejected'],
      );
      assert.equal(db.inTransaction, false);
      assert.deepEqual(labels(), []);
      await write(db, () => insert('after'));
      assert.deepEqual(labels(), ['after']);
    });

    it('a lock held by another process gives WritesUnavailableError after the wait, and nothing is written', async () => {
      const holder = new Database(path.join(dir, 'group.db'));
      holder.exec('BEGIN IMMEDIATE');
      try {
        const started = performance.now();
        const outcomes = await Promise.allSettled([write(db, () => insert('a')), write(db, () => insert('b'))]);
        const waited = performance.now() - started;
        for (const outcome of outcomes) {
          assert.equal(outcome.status, 'rejected');
          assert.ok(outcome.reason instanceof WritesUnavailableError);
        }
        assert.ok(waited >= 250, `gave up after ${waited.toFixed(0)} ms, before the write wait`);
        assert.equal(
          writeIfFree(db, () => insert('skipped')),
          false,
          'writeIfFree skips at once',
        );
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      assert.deepEqual(labels(), []);
      await write(db, () => insert('after'));
      assert.deepEqual(labels(), ['after']);
    });
    /** A count no one waits for, as the change limit keeps: `hits` counted, written by the riding change. */
    const counter = () => {
      let hits = 0;
      let written = 0;
      let fail = false;
      const change: RidingChange = {
        run: () => {
          if (fail) throw new Error('the count could not be written');
          written = hits;
          db.prepare(`INSERT INTO items (label) VALUES ('count ' || ?)`).run(String(written));
        },
        committed: () => {
          committed.push(written);
        },
      };
      const committed: number[] = [];
      return {
        hit: () => {
          hits += 1;
          writeAlong(db, change);
        },
        committed,
        failNext: (value: boolean) => (fail = value),
      };
    };

    it('writeAlong: a riding change is written once with the writes of the same turn, in their transaction', async () => {
      const count = counter();
      const before = writeStats(db);
      const writes = Array.from({ length: 5 }, (_, i) => {
        count.hit();
        return write(db, () => insert(`item ${i}`));
      });
      await Promise.all(writes);
      assert.equal(writeStats(db).commits - before.commits, 1, 'one transaction for the writes and the count');
      assert.deepEqual(labels(), ['count 5', 'item 0', 'item 1', 'item 2', 'item 3', 'item 4']);
      assert.deepEqual(count.committed, [5], 'told once, after the COMMIT');
    });

    it('writeAlong: a riding change alone gets a transaction of its own on the next turn', async () => {
      const count = counter();
      count.hit();
      assert.deepEqual(labels(), [], 'not written before the turn ends');
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(labels(), ['count 1']);
      assert.deepEqual(count.committed, [1]);
    });

    it('writeAlong: a riding change that fails is rolled back alone and rides the next transaction; the writes commit', async () => {
      const count = counter();
      count.failNext(true);
      count.hit();
      assert.equal(await write(db, () => insert('first')), 1);
      assert.deepEqual(labels(), ['first']);
      assert.deepEqual(count.committed, [], 'not told: nothing of it was written');
      count.failNext(false);
      await write(db, () => insert('second'));
      assert.deepEqual(labels(), ['first', 'count 1', 'second']);
      assert.deepEqual(count.committed, [1]);
    });

    it('writeAlong: a riding change waits out a lock held by another process, then is written', async () => {
      const holder = new Database(path.join(dir, 'group.db'));
      holder.exec('BEGIN IMMEDIATE');
      const count = counter();
      try {
        count.hit();
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.deepEqual(count.committed, [], 'not written while the lock is held');
      } finally {
        holder.exec('ROLLBACK');
        holder.close();
      }
      for (let tries = 0; tries < 100 && !count.committed.length; tries++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(count.committed, [1]);
      assert.deepEqual(labels(), ['count 1']);
    });
  });

  it("a group commit's savepoint journals stay in memory: a change that touches many pages opens no temporary file", async () => {
    // SQLite names its temporary files etilqs_… and unlinks them at once: an open one shows among the process's
    // descriptors (/proc, Linux as on CI) while its transaction lasts.
    const temporaryFiles = () =>
      fs
        .readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return fs.readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.includes('etilqs_'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-group-journal-'));
    const db = openDatabase(path.join(dir, 'journal.db'));
    migrate(db);
    const repo = createSqliteRepository(db);
    try {
      db.exec('CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
      // About 100 pages: more than the 64 KB SQLite keeps of a savepoint's journal in memory by default.
      db.transaction(() => {
        const add = db.prepare('INSERT INTO wide (body) VALUES (?)');
        for (let i = 0; i < 400; i++) add.run('x'.repeat(1000));
      })();
      const before = writeStats(db);
      const seen = await Promise.allSettled([
        write(db, () => db.prepare("UPDATE wide SET body = 'y' || body").run().changes),
        write(db, () => temporaryFiles()),
        // A change that fails after writing: the batch runs again with a savepoint per change, each with its journal.
        write(db, () => {
          db.prepare("UPDATE wide SET body = 'z' WHERE id = 1").run();
          throw new Error('refused after writing');
        }),
      ]);
      assert.deepEqual(
        seen.map((outcome) => outcome.status),
        ['fulfilled', 'fulfilled', 'rejected'],
      );
      assert.equal(writeStats(db).rerunBatches - before.rerunBatches, 1, 'the batch ran again with savepoints');
      assert.equal((seen[0] as PromiseFulfilledResult<number>).value, 400, 'the first change rewrote every page');
      assert.deepEqual(
        (seen[1] as PromiseFulfilledResult<string[]>).value,
        [],
        "the second change, in the same transaction, found the first one's journal on disk",
      );
    } finally {
      await repo.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 during 200 concurrent writes: every acknowledged write is in the reopened database (checkpoints copying the WAL meanwhile, by the thread or past its bound by the request connection)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-group-crash-'));
    try {
      const databaseFile = path.join(dir, 'crash.db');
      const setup = openDatabase(databaseFile);
      migrate(setup);
      const repo = createSqliteRepository(setup);
      const advisor = await repo.advisors.create(
        { email: 'kill@firm.example', displayName: 'Kill', role: 'advisor' },
        null,
      );
      const { token } = await issueAccessToken(repo, advisor.id, 'kill', new Date());
      await repo.close();

      const server = await startChildServer({
        DATABASE_FILE: databaseFile,
        TLS: 'off',
        DEMO_DATA: 'off',
        RATE_LIMIT_WRITES: '100000',
        // The checkpointer's thread copies the WAL into the file throughout the writes, and the kill may land in one.
        WAL_CHECKPOINT_PAGES: '10',
      });
      const api = new TestClient(server.url, token);
      const target = await api.post('/api/v1/opportunities', referral('Kill target', 'kill@client.example'));
      assert.equal(target.status, 201);
      const opportunityId = target.body.opportunity.id as number;

      const links: string[] = [];
      const creations: { id: number; topic: string }[] = [];
      let answered = 0;
      let killed = false;
      let walStartedOver = 0;
      const kill = () => {
        if (killed) return;
        killed = true;
        // The WAL header's checkpoint sequence (https://www.sqlite.org/fileformat.html#wal_file_format): how often the
        // WAL started over, each time after a checkpoint had copied all of it into the database file.
        walStartedOver = fs.readFileSync(`${databaseFile}-wal`).readUInt32BE(12);
        server.child.kill('SIGKILL');
      };
      const request = async (n: number) => {
        try {
          if (n % 2) {
            const res = await api.post('/api/v1/opportunities', referral(`Created ${n}`, `c${n}@client.example`));
            if (res.status === 201) creations.push({ id: res.body.opportunity.id, topic: `Created ${n}` });
          } else {
            const res = await api.post('/api/v1/activities/regarding', {
              item: emailItem(`<kill-${n}@x>`),
              opportunityId,
            });
            if (res.status === 200) links.push(`<kill-${n}@x>`);
          }
          // Mid-stream: once a quarter is answered, the rest are in flight or queued.
          if (++answered === 50) kill();
        } catch {
          // The connection was cut by the kill: this write was never acknowledged.
        }
      };
      await Promise.all(Array.from({ length: 200 }, (_, n) => request(n)));
      kill();
      assert.equal(await server.exited, 'SIGKILL');
      const acknowledged = links.length + creations.length;
      assert.ok(acknowledged >= 50, `only ${acknowledged} writes were acknowledged before the kill`);
      assert.ok(acknowledged < 200, 'the kill came after every write was answered: nothing was in flight');
      assert.ok(walStartedOver >= 1, 'no checkpoint completed while the writes ran');

      const reopened = openDatabase(databaseFile);
      try {
        assert.equal(reopened.pragma('integrity_check', { simple: true }), 'ok');
        const linked = new Set(
          reopened
            .prepare('SELECT internet_message_id FROM activities WHERE regarding_opportunity_id = ?')
            .pluck()
            .all(opportunityId),
        );
        const lostLinks = links.filter((id) => !linked.has(id));
        const topic = reopened.prepare('SELECT topic FROM opportunities WHERE id = ?').pluck();
        const lostCreations = creations.filter((c) => topic.get(c.id) !== c.topic);
        assert.deepEqual([...lostLinks, ...lostCreations], [], 'acknowledged writes were lost');
      } finally {
        reopened.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
