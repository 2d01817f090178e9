import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { ListOpportunitiesOptions, Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { ftsQuery } from '../../server/repository/sqlite/opportunities';
import { LAST, WORDS, seedVolume } from '../../bench/seed-volume';
import { describeOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The pages as the type-ahead found them before it was owner-scoped: the firm's full-text matches, newest first,
 * filtered by view afterwards; lists by last update; Recent by last use.
 */
function firmWideIds(db: Db, options: ListOpportunitiesOptions): number[] {
  const words = options.q ? ftsQuery(options.q) : null;
  if (options.q && !words) return [];
  const params = {
    me: options.advisorId,
    owners: JSON.stringify(options.ownerIds ?? [options.advisorId]),
    match: words && `{topic customer} : (${words})`,
    referrerAdvisor: options.referredByAdvisorId ?? null,
  };
  const referrer = options.referredByAdvisorId !== undefined ? 'AND o.referred_by_advisor_id = :referrerAdvisor' : '';
  const page = `LIMIT ${options.limit} OFFSET ${options.offset}`;
  const mine = '(o.owner_id IN (SELECT value FROM json_each(:owners)) OR o.created_by_id = :me)';
  const ids = (source: string) => db.prepare(source).pluck().all(params) as number[];
  if (options.view === 'recent')
    return ids(`SELECT o.id FROM opportunities o WHERE o.id IN (SELECT opportunity_id FROM opportunity_recent WHERE advisor_id = :me)
        AND (o.status = 'open' OR ${mine}) ${words ? 'AND o.id IN (SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH :match)' : ''}
        ${referrer}
        ORDER BY (SELECT used_at FROM opportunity_recent r WHERE r.advisor_id = :me AND r.opportunity_id = o.id) DESC, o.id DESC ${page}`);
  const filter = {
    'my-open': "o.status = 'open' AND o.owner_id = :me",
    'team-open': "o.status = 'open' AND o.owner_id IN (SELECT value FROM json_each(:owners))",
    'all-open': "o.status = 'open'",
    closed: `o.status <> 'open' AND ${mine}`,
    'team-closed': `o.status <> 'open' AND (o.owner_id IN (SELECT value FROM json_each(:owners)) OR o.owner_id = :me OR o.created_by_id = :me)`,
  }[options.view];
  if (!words)
    return ids(
      `SELECT o.id FROM opportunities o WHERE ${filter} ${referrer} ORDER BY o.updated_at DESC, o.id DESC ${page}`,
    );
  return ids(`SELECT o.id FROM opportunities o
      WHERE o.id IN (SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH :match) AND ${filter} ${referrer}
      ORDER BY o.id DESC ${page}`);
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

// Compares the repository's pages with a walk of SQLite's own full-text index (on an in-memory SQLite file).
describeOnSqlite('owner-scoped type-ahead', function () {
  this.timeout(120_000);
  const rand = random(7);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const ADVISORS = 12;
  let db: Db;
  let repo: Repository;

  before(async () => {
    db = openDatabase(':memory:');
    migrate(db);
    await seedVolume(db, { advisors: ADVISORS, contacts: 400, opportunities: 4000, activities: 0 });
    // Skewed books (two owners of most rows, a few of a handful), creators who are not the owner, referrers,
    // recent lists: through the same triggers as the service's writes.
    const rows = db.prepare('SELECT id FROM opportunities').pluck().all() as number[];
    const update = db.prepare(
      'UPDATE opportunities SET owner_id = ?, created_by_id = ?, referred_by_advisor_id = ? WHERE id = ?',
    );
    const recent = db.prepare(
      'INSERT OR REPLACE INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)',
    );
    db.transaction(() => {
      for (const id of rows) {
        const owner = rand() < 0.7 ? 1 + Math.floor(rand() * 2) : 3 + Math.floor(rand() * (ADVISORS - 2));
        update.run(
          owner,
          rand() < 0.8 ? owner : 1 + Math.floor(rand() * ADVISORS),
          rand() < 0.2 ? pick([1, 3, 5]) : null,
          id,
        );
        if (rand() < 0.15)
          recent.run(1 + Math.floor(rand() * ADVISORS), id, `2026-10-${10 + Math.floor(rand() * 20)}T00:00:00.000Z`);
      }
    })();
    repo = createSqliteRepository(db);
  });
  after(() => db.close());

  function randomOptions(): ListOpportunitiesOptions {
    const view = pick(['my-open', 'team-open', 'all-open', 'recent', 'closed', 'team-closed'] as const);
    const advisorId = 1 + Math.floor(rand() * ADVISORS);
    const team = [advisorId, 1 + Math.floor(rand() * ADVISORS), 1 + Math.floor(rand() * ADVISORS)];
    const word = pick([...WORDS, ...LAST]).toLowerCase();
    const q = pick([
      undefined,
      word.slice(0, 3),
      word,
      `${word.slice(0, 4)} ${pick(WORDS).slice(0, 2)}`,
      `${pick(LAST).toLowerCase()} ${word.slice(0, 3)}`,
      '—',
      `o${advisorId}`,
      `c${advisorId}`,
    ]);
    return {
      view,
      advisorId,
      ownerIds: view === 'closed' ? [advisorId] : view.startsWith('team') ? team : [advisorId],
      q,
      limit: pick([1, 10, 25]),
      offset: pick([0, 0, 5, 30]),
      referredByAdvisorId: rand() < 0.15 ? pick([1, 3, 5]) : undefined,
    };
  }

  async function assertSamePages(rounds: number) {
    for (let round = 0; round < rounds; round++) {
      const options = randomOptions();
      const expected = firmWideIds(db, options);
      assert.deepEqual(
        (await repo.opportunities.list(options)).map((o) => o.id),
        expected,
        `list ${JSON.stringify(options)}`,
      );
      assert.deepEqual(
        (await repo.opportunities.choices(options)).map((o) => o.id),
        expected,
        `lookup ${JSON.stringify(options)}`,
      );
    }
  }

  it('finds, in every view, the same page in the same order as walking the firm-wide matches and filtering afterwards, on random data', async () => {
    await assertSamePages(600);
  });

  it('stays the same as the firm-wide walk after assignments, closes, reopens, topic edits, customer renames and uses (Recent)', async () => {
    const ids = db.prepare('SELECT id FROM opportunities').pluck().all() as number[];
    db.transaction(() => {
      for (let i = 0; i < 600; i++) {
        const id = pick(ids);
        const change = pick(['assign', 'close', 'reopen', 'topic', 'contact', 'recent']);
        if (change === 'recent')
          db.prepare(
            `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)
               ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = excluded.used_at`,
          ).run(1 + Math.floor(rand() * ADVISORS), id, `2026-11-${10 + (i % 18)}T00:00:00.000Z`);
        if (change === 'assign')
          db.prepare('UPDATE opportunities SET owner_id = ? WHERE id = ?').run(1 + Math.floor(rand() * ADVISORS), id);
        if (change === 'close')
          db.prepare("UPDATE opportunities SET status = ? WHERE id = ? AND status = 'open'").run(
            pick(['won', 'lost']),
            id,
          );
        if (change === 'reopen') db.prepare("UPDATE opportunities SET status = 'open' WHERE id = ?").run(id);
        if (change === 'topic')
          db.prepare('UPDATE opportunities SET topic = ? WHERE id = ?').run(`${pick(WORDS)} ${pick(LAST)} ${id}`, id);
        if (change === 'contact')
          db.prepare(
            'UPDATE contacts SET name = ? WHERE id = (SELECT customer_contact_id FROM opportunities WHERE id = ?)',
          ).run(`${pick(LAST)} ${pick(WORDS)}`, id);
        db.prepare('UPDATE opportunities SET updated_at = ? WHERE id = ?').run(
          `2026-11-${10 + (i % 18)}T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
          id,
        );
      }
    })();
    db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();
    await assertSamePages(300);
  });

  it("finds the same Recent pages as the firm-wide walk for advisors with long Recent lists (Recent's own index), before and after changes", async () => {
    const use = db.prepare(
      `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)
         ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = excluded.used_at`,
    );
    const ids = db.prepare('SELECT id FROM opportunities').pluck().all() as number[];
    // Two advisors with long lists (Recent's own index reads every list; these span many pages of it); uses share times, so the id decides.
    db.transaction(() => {
      for (const advisor of [1, 2])
        for (let i = 0; i < 700; i++)
          use.run(advisor, pick(ids), `2026-10-${10 + Math.floor(rand() * 20)}T00:00:00.000Z`);
    })();
    const long = db
      .prepare('SELECT advisor_id FROM opportunity_recent GROUP BY advisor_id HAVING count(*) > 256')
      .pluck()
      .all();
    assert.deepEqual(long, [1, 2]);
    const assertSameRecentPages = async (rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        const word = pick(WORDS);
        const options: ListOpportunitiesOptions = {
          view: 'recent',
          advisorId: pick([1, 2, 3 + Math.floor(rand() * (ADVISORS - 2))]),
          q: pick([word.slice(0, 3), word, `${pick(LAST).toLowerCase()} ${word.slice(0, 3)}`, `r${1}`, 'zzq']),
          limit: pick([1, 10, 25]),
          offset: pick([0, 0, 5, 30]),
          referredByAdvisorId: rand() < 0.15 ? pick([1, 3, 5]) : undefined,
        };
        options.ownerIds = [options.advisorId];
        const expected = firmWideIds(db, options);
        assert.deepEqual(
          (await repo.opportunities.choices(options)).map((o) => o.id),
          expected,
          JSON.stringify(options),
        );
        assert.deepEqual(
          (await repo.opportunities.list(options)).map((o) => o.id),
          expected,
          JSON.stringify(options),
        );
      }
    };
    await assertSameRecentPages(150);
    db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        const id = pick(ids);
        const change = pick(['topic', 'contact', 'use', 'close']);
        if (change === 'topic')
          db.prepare('UPDATE opportunities SET topic = ? WHERE id = ?').run(`${pick(WORDS)} ${pick(LAST)} ${id}`, id);
        if (change === 'contact')
          db.prepare(
            'UPDATE contacts SET name = ? WHERE id = (SELECT customer_contact_id FROM opportunities WHERE id = ?)',
          ).run(`${pick(LAST)} ${pick(WORDS)}`, id);
        if (change === 'use') use.run(pick([1, 2]), id, `2026-11-${10 + (i % 18)}T00:00:00.000Z`);
        if (change === 'close') db.prepare("UPDATE opportunities SET status = 'lost' WHERE id = ?").run(id);
      }
    })();
    await assertSameRecentPages(150);
  });

  it('never matches typed text against the scope tokens beside the words', async () => {
    for (const view of ['my-open', 'all-open', 'closed', 'recent'] as const)
      for (const q of ['o1', 'c1', 'b1', 'o12'])
        assert.deepEqual(
          await repo.opportunities.list({ view, advisorId: 1, ownerIds: [1], q, limit: 10, offset: 0 }),
          [],
          `${view} ${q}`,
        );
  });
});

describe('owner-scoped type-ahead through the service', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("follows an opportunity to its new owner's My Open, to Closed when it closes and back when it reopens", async () => {
    const alex = await server.advisor('Alex Scope');
    const blake = await server.advisor('Blake Scope');
    const created = await alex.api.post('/api/v1/opportunities', referral('Zanzibar rollover', 'zed@example.org'));
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    const found = async (advisor: typeof alex, view: string, q = 'zanz') =>
      ((await advisor.api.get(`/api/v1/opportunities/lookup?view=${view}&q=${q}`)).body.items as { id: number }[]).map(
        (item) => item.id,
      );
    assert.deepEqual(await found(alex, 'my-open'), [id]);
    assert.deepEqual(await found(blake, 'my-open'), []);

    const version = () => server.value<number>('SELECT version FROM opportunities WHERE id = ?', id);
    assert.equal((await alex.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: blake.record.id })).status, 200);
    assert.deepEqual(await found(alex, 'my-open'), []);
    assert.deepEqual(await found(blake, 'my-open'), [id]);

    assert.equal((await blake.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
    assert.deepEqual(await found(blake, 'my-open'), []);
    assert.deepEqual(await found(blake, 'closed'), [id]);
    // Alex created it: their Closed lists it too.
    assert.deepEqual(await found(alex, 'closed'), [id]);

    assert.equal((await blake.api.post(`/api/v1/opportunities/${id}/reopen`, {})).status, 200);
    assert.deepEqual(await found(blake, 'closed'), []);
    assert.deepEqual(await found(blake, 'my-open'), [id]);

    const edited = await blake.api.patch(
      `/api/v1/opportunities/${id}`,
      { topic: 'Quokka rollover' },
      { 'If-Match': `"${String(await version())}"` },
    );
    assert.equal(edited.status, 200);
    assert.deepEqual(await found(blake, 'my-open'), []);
    assert.deepEqual(await found(blake, 'my-open', 'quok'), [id]);
  });
});
