import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { markRecent } from '../../server/repository/sqlite/activities';
import { ftsQuery } from '../../server/repository/sqlite/opportunities';
import { WORDS, seedVolume } from '../../bench/seed-volume';

const ADVISORS = 6;
const ROWIDS = 2 ** 32;

/** Recent's index (migration 31) must hold exactly these rowids: each use under its advisor's use number. */
const computedRowids = (db: Db) =>
  db
    .prepare(`SELECT advisor_id * ${ROWIDS} + ${ROWIDS - 1} - use_order FROM opportunity_recent ORDER BY 1`)
    .pluck()
    .all();
const storedRowids = (db: Db) => db.prepare('SELECT rowid FROM recent_search ORDER BY rowid').pluck().all();

/** An advisor's uses whose opportunity matches, newest use first: through Recent's index, and through the firm's. */
const throughRecent = (db: Db, advisor: number, match: string) =>
  db
    .prepare(
      `SELECT r.opportunity_id FROM recent_search s JOIN opportunity_recent r
           ON r.advisor_id = ? AND r.use_order = ? + ${ROWIDS - 1} - s.rowid
         WHERE recent_search MATCH ? AND s.rowid BETWEEN ? AND ? ORDER BY s.rowid`,
    )
    .pluck()
    .all(advisor, advisor * ROWIDS, match, advisor * ROWIDS, advisor * ROWIDS + ROWIDS - 1);
const throughFirm = (db: Db, advisor: number, match: string) =>
  db
    .prepare(
      `SELECT opportunity_id FROM opportunity_recent WHERE advisor_id = ? AND opportunity_id IN
         (SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH ?) ORDER BY use_order DESC`,
    )
    .pluck()
    .all(advisor, match);

const MATCHES = [
  '{topic customer} : ("ret"*)',
  `{topic customer} : ("${WORDS[0].toLowerCase()}"*)`,
  '{topic customer} : ("zebulo"*)',
  '"quillon"*',
];

function assertCurrent(db: Db, after: string) {
  assert.deepEqual(storedRowids(db), computedRowids(db), `after ${after}`);
  db.prepare("INSERT INTO recent_search (recent_search, rank) VALUES ('integrity-check', 1)").run();
  // Each advisor's uses are numbered 1…n without a gap or a repeat at first; later uses only add numbers.
  const repeated = db
    .prepare(
      'SELECT count(*) FROM (SELECT 1 FROM opportunity_recent GROUP BY advisor_id, use_order HAVING count(*) > 1)',
    )
    .pluck()
    .get();
  assert.equal(repeated, 0, `after ${after}`);
  assert.equal(db.prepare('SELECT count(*) FROM opportunity_recent WHERE use_order IS NULL').pluck().get(), 0);
  for (let advisor = 1; advisor <= ADVISORS; advisor++)
    for (const match of MATCHES)
      assert.deepEqual(
        throughRecent(db, advisor, match),
        throughFirm(db, advisor, match),
        `${after}: ${advisor} ${match}`,
      );
}

describe('Recent in use order (migration 031)', function () {
  this.timeout(60_000);

  it('numbers the uses so far in the order Recent showed them (last use, then the higher id), and indexes them by number', async () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db, { to: 30 });
      await seedVolume(db, { advisors: ADVISORS, contacts: 300, opportunities: 3_000, activities: 0 });
      const use = db.prepare('INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)');
      // Uses sharing a time, so the id decides, as Recent ordered them before.
      for (let i = 1; i <= 3_000; i += 3)
        use.run(1 + (((i - 1) / 3) % ADVISORS), i, `2026-11-${10 + (i % 7)}T00:00:00.000Z`);
      const shownBefore = (advisor: number) =>
        db
          .prepare(
            'SELECT opportunity_id FROM opportunity_recent WHERE advisor_id = ? ORDER BY used_at DESC, opportunity_id DESC',
          )
          .pluck()
          .all(advisor) as number[];
      const before = Array.from({ length: ADVISORS }, (_, i) => shownBefore(i + 1));
      const lines: string[] = [];
      migrate(db, {
        to: 31,
        log: { write: (text) => lines.push(...text.split('\n').filter(Boolean)) },
        progressEveryMs: 0,
      });
      assert.ok(lines.includes('  recent uses indexed: 1,000 / 1,000'), lines.join('\n'));
      const repo = createSqliteRepository(db);
      for (let advisor = 1; advisor <= ADVISORS; advisor++) {
        const after = (
          await repo.opportunities.list({ view: 'recent', advisorId: advisor, limit: 1000, offset: 0 })
        ).map((o) => o.id);
        assert.deepEqual(
          after,
          before[advisor - 1].filter((id) => after.includes(id)),
          `advisor ${advisor}`,
        );
        assert.ok(after.length > 30, `${after.length} shown`);
      }
      assertCurrent(db, 'the migration');
      // Merged into one segment: each segment is a seek per typed word.
      assert.equal(db.prepare('SELECT count(DISTINCT segid) FROM recent_search_idx').pluck().get(), 1);
    } finally {
      db.close();
    }
  });

  it('keeps the numbers and the index equal to the uses and their words after uses, uses again, removals and every kind of change', async () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db, { to: 30 });
      await seedVolume(db, { advisors: ADVISORS, contacts: 300, opportunities: 3_000, activities: 0 });
      for (let i = 1; i <= 3_000; i += 3) markRecent(db, 1 + (((i - 1) / 3) % ADVISORS), i, '2026-11-01T00:00:00.000Z');
      migrate(db);
      assertCurrent(db, 'the migration');
      const run = (statement: string, ...params: unknown[]) => db.prepare(statement).run(...params);
      const newest = (advisor: number) =>
        db
          .prepare('SELECT opportunity_id FROM opportunity_recent WHERE advisor_id = ? ORDER BY use_order DESC LIMIT 1')
          .pluck()
          .get(advisor);

      markRecent(db, 2, 5, '2026-11-02T00:00:00.000Z'); // a first use
      assert.equal(newest(2), 5);
      markRecent(db, 2, 8, '2026-11-02T00:00:00.000Z'); // another at the same time: recorded later, so newer
      assert.equal(newest(2), 8);
      markRecent(db, 2, 5, '2026-11-01T00:00:00.000Z'); // the first again, with an earlier clock: still the newest use
      assert.equal(newest(2), 5);
      run('DELETE FROM opportunity_recent WHERE advisor_id = 2 AND opportunity_id = 8');
      assertCurrent(db, 'uses, uses again and a removal');
      run("UPDATE opportunities SET topic = 'Zebulon estate review' WHERE id IN (4, 5, 7)");
      assertCurrent(db, 'topic edits');
      const contact = db.prepare('SELECT customer_contact_id FROM opportunities WHERE id = 7').pluck().get();
      run("UPDATE contacts SET name = 'Quillon Zebulon', email = 'quillon@zeb.example' WHERE id = ?", contact);
      assertCurrent(db, "a contact's rename");
      const organization = db.prepare('SELECT id FROM organizations LIMIT 1').pluck().get();
      run('UPDATE opportunities SET customer_organization_id = ? WHERE id IN (10, 13)', organization);
      run("UPDATE organizations SET name = 'Quillon Holdings' WHERE id = ?", organization);
      assertCurrent(db, "a customer change and an organization's rename");
      run('UPDATE opportunities SET customer_contact_id = ? WHERE id = 16', contact);
      run("UPDATE opportunities SET status = 'won', owner_id = 3 WHERE id = 7");
      assertCurrent(db, 'another customer, a close and an assignment');
      assert.ok(throughRecent(db, 2, '"quillon"*').length > 0, 'the changes reached Recent');
    } finally {
      db.close();
    }
  });

  it('pages typed Recent (offsets, a word common across the firm) in the same order as the untyped list', async () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db);
      await seedVolume(db, { advisors: ADVISORS, contacts: 300, opportunities: 3_000, activities: 0 });
      // Long lists, uses again at earlier clocks: the use number, not the clock, decides.
      for (let i = 0; i < 4_000; i++)
        markRecent(db, 1 + (i % 2), 1 + ((i * 37) % 3_000), `2026-11-${10 + ((i * 13) % 18)}T00:00:00.000Z`);
      const repo = createSqliteRepository(db);
      for (const advisor of [1, 2, 3])
        for (const q of ['ret', WORDS[0].toLowerCase().slice(0, 3), WORDS[1].toLowerCase(), 'zz'])
          for (const [limit, offset] of [
            [10, 0],
            [10, 10],
            [25, 40],
            [1, 3],
          ]) {
            const matching = new Set(
              db
                .prepare('SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH ?')
                .pluck()
                .all(`{topic customer} : (${ftsQuery(q)})`),
            );
            const untyped = (
              await repo.opportunities.list({ view: 'recent', advisorId: advisor, limit: 1000, offset: 0 })
            )
              .map((o) => o.id)
              .filter((id) => matching.has(id));
            const options = { view: 'recent', advisorId: advisor, q, limit, offset } as const;
            const expected = untyped.slice(offset, offset + limit);
            assert.deepEqual(
              (await repo.opportunities.choices(options)).map((o) => o.id),
              expected,
              `${advisor} ${q}`,
            );
            assert.deepEqual(
              (await repo.opportunities.list(options)).map((o) => o.id),
              expected,
              `${advisor} ${q}`,
            );
          }
    } finally {
      db.close();
    }
  });
});
