import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { initial } from '../../server/db/migrations/001_initial';
import { compactSearchIndexes } from '../../server/repository/sqlite/search-index';
import { writerWaited } from '../../server/repository/sqlite/search-upkeep-flags';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

describe('search index upkeep', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const segments = () =>
    server.db.prepare('SELECT count(DISTINCT segid) FROM opportunity_search_idx').pluck().get() as number;

  it('compacts the full-text index to one segment and finds the same opportunities, before and after new ones', async () => {
    const { api } = await server.advisor('Indexer');
    // Each create is its own write transaction, so each adds a segment to the full-text index.
    for (let i = 0; i < 40; i++) {
      const topic = i % 2 ? `Rollover ${i}` : `Annuity review ${i}`;
      assert.equal((await api.post('/api/v1/opportunities', referral(topic, `client${i}@example.org`))).status, 201);
    }
    const search = async (q: string) =>
      (await api.get(`/api/v1/opportunities?view=all-open&limit=50&q=${q}`)).body.items.map(
        (o: { topic: string }) => o.topic,
      );
    const before = {
      roll: await search('roll'),
      annuity: await search('annuity%20rev'),
      client7: await search('client7'),
    };
    assert.ok(segments() > 1, `expected a fragmented index after 40 separate writes, found ${segments()} segment(s)`);
    assert.equal(before.roll.length, 20);

    await server.repo.maintain();

    assert.equal(segments(), 1);
    assert.deepEqual(
      { roll: await search('roll'), annuity: await search('annuity%20rev'), client7: await search('client7') },
      before,
    );
    assert.equal((await api.post('/api/v1/opportunities', referral('Rollover late', 'late@example.org'))).status, 201);
    assert.deepEqual(await search('roll'), ['Rollover late', ...before.roll]);
    // FTS5's integrity-check throws when the index does not match the opportunities it was built from.
    server.db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();
  });

  it('compacts the contact and organization indexes to one segment each and finds the same contacts and organizations', async () => {
    const { api } = await server.advisor('Customer indexer');
    const contactSegments = () =>
      server.db.prepare('SELECT count(DISTINCT segid) FROM contact_search_idx').pluck().get() as number;
    const organizationSegments = () =>
      server.db.prepare('SELECT count(DISTINCT segid) FROM organization_search_idx').pluck().get() as number;
    // Each create is its own write transaction: one segment each.
    for (let i = 0; i < 30; i++) {
      const contact = { name: `Morgan Quill${i}`, email: `morgan${i}@quill${i % 3}.example` };
      assert.equal((await api.post('/api/v1/contacts', contact)).status, 201);
      const organization = { name: `Quillon Partners ${i}`, domain: `quillon${i}.example` };
      assert.equal((await api.post('/api/v1/organizations', organization)).status, 201);
    }
    const contacts = async (q: string) =>
      (await api.get(`/api/v1/contacts?limit=100&q=${q}`)).body.items.map((c: { email: string }) => c.email);
    const organizations = async (q: string) =>
      (await api.get(`/api/v1/organizations?limit=100&q=${q}`)).body.items.map((o: { name: string }) => o.name);
    const read = async () => ({
      morgan: await contacts('morgan'),
      quill1: await contacts('quill1'),
      quillon: await organizations('quillon'),
      domain: await organizations('quillon2'),
    });
    const before = await read();
    assert.ok(contactSegments() > 1, `expected a fragmented contact index, found ${contactSegments()} segment(s)`);
    assert.ok(organizationSegments() > 1, `expected a fragmented organization index, found ${organizationSegments()}`);
    assert.equal(before.morgan.length, 30);
    assert.equal(before.quillon.length, 30);

    await server.repo.maintain();

    assert.equal(contactSegments(), 1);
    assert.equal(organizationSegments(), 1);
    assert.deepEqual(await read(), before);
    for (const table of ['contact_search', 'organization_search'])
      server.db.prepare(`INSERT INTO ${table} (${table}, rank) VALUES ('integrity-check', 1)`).run();
  });

  it("removes ANALYZE's samples (sqlite_stat4) of every table, keeping its row counts (sqlite_stat1), and finds the same", async () => {
    const { api } = await server.advisor('Analysed');
    for (let i = 0; i < 20; i++) {
      assert.equal(
        (await api.post('/api/v1/contacts', { name: `Avery Stat${i}`, email: `avery${i}@stat.example` })).status,
        201,
      );
      assert.equal(
        (await api.post('/api/v1/opportunities', referral(`Estate stat ${i}`, `stat${i}@example.org`))).status,
        201,
      );
    }
    const read = async () => ({
      contacts: (await api.get('/api/v1/contacts?limit=100&q=avery')).body.items.length as number,
      opportunities: (await api.get('/api/v1/opportunities?view=all-open&limit=100&q=estate%20st')).body.items
        .length as number,
    });
    const before = await read();
    server.db.exec('ANALYZE');
    const sampled = () =>
      server.db.prepare('SELECT DISTINCT tbl FROM sqlite_stat4 ORDER BY tbl').pluck().all() as string[];
    const searchTables = (tables: string[]) => tables.filter((table) => /_search_/.test(table));
    const analysed = sampled();
    assert.ok(searchTables(analysed).length > 0, `ANALYZE sampled no full-text table: ${analysed.join(', ')}`);

    await server.repo.maintain();

    assert.ok(analysed.includes('opportunities'));
    assert.deepEqual(sampled(), []);
    const counted = server.db.prepare('SELECT DISTINCT tbl FROM sqlite_stat1').pluck().all() as string[];
    assert.ok(counted.includes('opportunities'), `row counts kept: ${counted.join(', ')}`);
    assert.deepEqual(await read(), before);
    assert.deepEqual(before, { contacts: 20, opportunities: 20 });
  });
});

describe('search index compaction off the event loop', function () {
  this.timeout(60_000);
  let server: TestServer;
  let closed = false;
  beforeEach(async () => {
    server = await startTestServer();
    closed = false;
  });
  afterEach(() => (closed ? undefined : server.close()));

  const contactSegments = () =>
    server.db.prepare('SELECT count(DISTINCT segid) FROM contact_search_idx').pluck().get() as number;
  /** Contacts created one request each: one full-text segment each. */
  const fragment = async (api: Awaited<ReturnType<TestServer['advisor']>>['api'], name: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const created = await api.post('/api/v1/contacts', { name: `${name} ${i}`, email: `${name}${i}@x.example` });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
  };

  /** A contact index whose merge takes many steps of several milliseconds: 40 transactions of 1,000, a segment each. */
  const bigContactIndex = (name: string) => {
    const insert = server.db.prepare(
      "INSERT INTO contacts (name, email, created_at, updated_at) VALUES (?, ?, '2026-11-24', '2026-11-24')",
    );
    const batch = server.db.transaction((from: number) => {
      for (let i = from; i < from + 1000; i++)
        insert.run(`${name} Contact${i} Quill${i % 97}`, `${name}${i}@x.example`);
    });
    for (let from = 0; from < 40_000; from += 1000) batch(from);
  };

  it('merges on a thread of its own: the index becomes one segment while the event loop is held', async () => {
    const { api } = await server.advisor('Threaded');
    await fragment(api, 'threaded', 20);
    assert.ok(contactSegments() > 1);
    const compaction = compactSearchIndexes(server.db, { quietMs: 20 });
    // The event loop is held (no timer, no message can run here) until another thread has merged the index.
    const began = Date.now();
    while (contactSegments() > 1 && Date.now() - began < 20_000);
    assert.equal(contactSegments(), 1, 'merged while this thread never yielded');
    assert.ok((await compaction.done) > 0);
    server.db.prepare("INSERT INTO contact_search (contact_search, rank) VALUES ('integrity-check', 1)").run();
  });

  it('waits while requests write, merges once they pause, and gives up when they never do', async () => {
    const { api } = await server.advisor('Busy writer');
    await fragment(api, 'busy', 20);
    // Writes every 10 ms for 2 s once the thread is ready: wanting 1 s without any, it takes no step meanwhile.
    const compaction = compactSearchIndexes(server.db, { quietMs: 1000 });
    await compaction.ready;
    // Another connection's writes as the worker sees them: a contact every 10 ms on the server's own connection.
    const insert = server.db.prepare(
      "INSERT INTO contacts (name, email, created_at, updated_at) VALUES (?, ?, '2026-11-24', '2026-11-24')",
    );
    let written = 0;
    const writeUntil = async (end: Promise<unknown>) => {
      const timer = setInterval(() => insert.run(`Steady ${written}`, `steady${written++}@x.example`), 10);
      await end;
      clearInterval(timer);
    };
    await writeUntil(new Promise((resolve) => setTimeout(resolve, 2000)));
    assert.equal(compaction.taken(), 0, 'no step while writes went on');
    assert.ok(contactSegments() > 1);
    // Once writes pause it merges every index to one segment.
    assert.ok((await compaction.done) > 0);
    assert.equal(contactSegments(), 1);

    await fragment(api, 'again', 10);
    const patient = compactSearchIndexes(server.db, { quietMs: 500, maxWaitMs: 1500 });
    await patient.ready;
    // Writes that never pause: it gives up after 1.5 s of waiting, without a step.
    await writeUntil(patient.done);
    assert.equal(await patient.done, 0);
    assert.ok(contactSegments() > 1);
  });

  it("keeps /healthz reporting writes as available while the thread's steps hold the lock", async () => {
    bigContactIndex('healthy');
    const compaction = compactSearchIndexes(server.db, { quietMs: 50 });
    await compaction.ready;
    const answers = new Map<string, number>();
    let finished = false;
    void compaction.done.then(() => (finished = true));
    while (!finished) {
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { writes: string };
      if (compaction.taken() > 0 && !finished) answers.set(health.writes, (answers.get(health.writes) ?? 0) + 1);
    }
    assert.ok((await compaction.done) > 5, `${await compaction.done} steps`);
    assert.deepEqual([...answers.keys()], ['ok'], JSON.stringify(Object.fromEntries(answers)));
    assert.equal(contactSegments(), 1);
  });

  it('lets a write that found its lock taken go first: after such a write it waits for quiet before its next step', async () => {
    bigContactIndex('waiting');
    const compaction = compactSearchIndexes(server.db, { quietMs: 1500 });
    let finished = false;
    void compaction.done.then(() => (finished = true));
    while (compaction.taken() < 2 && !finished) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(!finished, 'still merging');
    // What the write path does when a write finds the lock held (writes.ts): nothing is written meanwhile, so only
    // the flag can tell the thread to stop stepping.
    writerWaited(server.db);
    // The step under way when the flag was set may still finish and be reported; after that, none for the quiet time.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const settled = compaction.taken();
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.equal(compaction.taken(), settled, `${compaction.taken() - settled} steps while it should wait`);
    // Quiet for 1.5 s: it goes on and finishes.
    assert.ok((await compaction.done) > settled, `${await compaction.done} steps in all, ${settled} before the wait`);
    assert.equal(contactSegments(), 1);
  });

  it('stops at once when the repository closes, even while writes keep it waiting', async () => {
    const { api } = await server.advisor('Closing');
    await fragment(api, 'closing', 10);
    const compaction = compactSearchIndexes(server.db, { quietMs: 10_000 });
    await compaction.ready;
    const began = Date.now();
    await compaction.stop();
    assert.ok(Date.now() - began < 2000, `stopped in ${Date.now() - began} ms while it slept`);
    assert.equal(await compaction.done, 0);

    // The server's own upkeep, waiting for writes to pause (they never do): closing the repository ends it.
    const insert = server.db.prepare(
      "INSERT INTO contacts (name, email, created_at, updated_at) VALUES (?, ?, '2026-11-24', '2026-11-24')",
    );
    let written = 0;
    const timer = setInterval(() => {
      if (server.db.open) insert.run(`Closing ${written}`, `closing-w${written++}@x.example`);
    }, 10);
    try {
      void server.repo.maintain();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const closing = Date.now();
      await server.close();
      closed = true;
      assert.ok(Date.now() - closing < 5000, `closed in ${Date.now() - closing} ms`);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('search index migration', () => {
  it('rebuilds the index of a database made before prefix indexes of up to 12 characters, finding the same opportunities', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
    const db = openDatabase(path.join(dir, 'v1.db'));
    try {
      db.exec(initial.sql);
      db.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
        INSERT INTO schema_migrations VALUES (1, 'initial', '2026-11-01T00:00:00.000Z');
        INSERT INTO advisors (id, email, display_name, created_at) VALUES (1, 'a@firm.example', 'A', '2026-11-01T00:00:00.000Z');
        INSERT INTO contacts (id, name, email, created_at, updated_at) VALUES (1, 'Jordan Okafor', 'jordan@harbor.example', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');`);
      const insert =
        db.prepare(`INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, owner_id, assigned_at,
        created_by_id, created_at, updated_at) VALUES (?, 1, 1, 'qualify', '2026-11-01', 1, '2026-11-01', 1, '2026-11-01', '2026-11-01')`);
      for (const topic of ['Retirement rollover', 'Succession planning', 'Retiree income', 'College savings'])
        insert.run(topic);
      const search = (match: string) =>
        db
          .prepare('SELECT rowid FROM opportunity_search WHERE opportunity_search MATCH ? ORDER BY rowid')
          .pluck()
          .all(match);
      const queries = [
        '"re"*',
        '"retire"*',
        '"retirement"*',
        '"successio"*',
        '"okafor"*',
        '"harbor"*',
        '"college"* "sav"*',
      ];
      const before = queries.map(search);

      assert.deepEqual(
        migrate(db, { to: 2 }).applied.map((m) => m.version),
        [2],
      );

      assert.match(
        db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'opportunity_search'").pluck().get() as string,
        /prefix = '1 2 3 4 5 6 7 8 9 10 11 12'/,
      );
      assert.deepEqual(queries.map(search), before);
      assert.deepEqual(search('"retire"*'), [1, 3]);
      db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();
      // The triggers that keep the index up to date still work on the rebuilt table.
      db.prepare("UPDATE opportunities SET topic = 'Estate review' WHERE id = 4").run();
      assert.deepEqual(search('"estat"*'), [4]);
      assert.deepEqual(search('"college"*'), []);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
