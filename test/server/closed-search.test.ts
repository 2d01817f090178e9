import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { ftsQuery } from '../../server/repository/sqlite/opportunities';
import { compactSearchIndexes } from '../../server/repository/sqlite/search-index';
import { WORDS, seedVolume } from '../../bench/seed-volume';

const ADVISORS = 6;
const ROWIDS = 2 ** 32;

/** Closed's index (migration 31) must hold exactly these rowids: each closed opportunity once per advisor it shows to. */
const computedRowids = (db: Db) =>
  db
    .prepare(
      `SELECT advisor * ${ROWIDS} + ${ROWIDS - 1} - id FROM
         (SELECT owner_id AS advisor, id FROM opportunities WHERE status <> 'open'
          UNION SELECT created_by_id, id FROM opportunities WHERE status <> 'open')
       ORDER BY 1`,
    )
    .pluck()
    .all();
const storedRowids = (db: Db) => db.prepare('SELECT rowid FROM closed_search ORDER BY rowid').pluck().all();

/** An advisor's closed opportunities matching `match`, newest first: through Closed's index, and through the firm's. */
const throughClosed = (db: Db, advisor: number, match: string) =>
  db
    .prepare(
      `SELECT ? + ${ROWIDS - 1} - rowid FROM closed_search
         WHERE closed_search MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid`,
    )
    .pluck()
    .all(advisor * ROWIDS, match, advisor * ROWIDS, advisor * ROWIDS + ROWIDS - 1);
const throughFirm = (db: Db, advisor: number, match: string) =>
  db
    .prepare(
      `SELECT o.id FROM opportunities o
         WHERE o.id IN (SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH ?)
           AND o.status <> 'open' AND (o.owner_id = ? OR o.created_by_id = ?) ORDER BY o.id DESC`,
    )
    .pluck()
    .all(match, advisor, advisor);

const MATCHES = [
  '{topic customer} : ("ret"*)',
  `{topic customer} : ("${WORDS[0].toLowerCase()}"*)`,
  '{topic customer} : ("zebulo"*)',
  '"quillon"*',
];

function assertCurrent(db: Db, after: string) {
  assert.deepEqual(storedRowids(db), computedRowids(db), `after ${after}`);
  db.prepare("INSERT INTO closed_search (closed_search, rank) VALUES ('integrity-check', 1)").run();
  for (let advisor = 1; advisor <= ADVISORS; advisor++)
    for (const match of MATCHES)
      assert.deepEqual(
        throughClosed(db, advisor, match),
        throughFirm(db, advisor, match),
        `${after}: ${advisor} ${match}`,
      );
}

/** Books where the creator is often not the owner, and a third of the firm closed. */
async function seededFirm(db: Db, opportunities: number) {
  migrate(db, { to: 30 });
  await seedVolume(db, { advisors: ADVISORS, contacts: 300, opportunities, activities: 0 });
  db.prepare(
    `UPDATE opportunities SET status = CASE id % 6 WHEN 0 THEN 'won' WHEN 3 THEN 'lost' ELSE status END,
       created_by_id = CASE WHEN id % 4 = 0 THEN 1 + (id * 7) % ${ADVISORS} ELSE owner_id END`,
  ).run();
}

describe("Closed's own search index (migration 031)", function () {
  this.timeout(60_000);

  it('is built with progress from the closed opportunities, one row per advisor who sees each, and finds what the firm index finds', async () => {
    const db = openDatabase(':memory:');
    try {
      await seededFirm(db, 12_000);
      const rows = computedRowids(db).length;
      assert.ok(rows > 4_000, `${rows} rows`);
      const lines: string[] = [];
      migrate(db, {
        to: 31,
        log: { write: (text) => lines.push(...text.split('\n').filter(Boolean)) },
        progressEveryMs: 0,
      });
      assert.equal(lines[0], 'Applying migration 031 (closed search) …');
      const progress = lines.filter((line) => line.startsWith('  closed'));
      assert.ok(progress.length >= 1, lines.join('\n'));
      assert.equal(
        progress.at(-1),
        `  closed opportunities indexed by advisor: ${rows.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')}`,
      );
      assertCurrent(db, 'the migration');
    } finally {
      db.close();
    }
  });

  it('stays equal to the closed opportunities and their words after every kind of change', async () => {
    const db = openDatabase(':memory:');
    try {
      await seededFirm(db, 3_000);
      migrate(db);
      assertCurrent(db, 'the migration');
      const run = (statement: string, ...params: unknown[]) => db.prepare(statement).run(...params);

      run("UPDATE opportunities SET status = 'won' WHERE id IN (1, 2, 5)");
      assertCurrent(db, 'closes');
      run("UPDATE opportunities SET status = 'open' WHERE id IN (6, 12)");
      assertCurrent(db, 'reopens');
      run("UPDATE opportunities SET status = 'lost' WHERE id = 18");
      assertCurrent(db, 'won to lost');
      run('UPDATE opportunities SET owner_id = 3 WHERE id IN (24, 30)');
      run('UPDATE opportunities SET owner_id = created_by_id WHERE id = 36');
      assertCurrent(db, 'reassignments (to the creator too)');
      run('UPDATE opportunities SET created_by_id = 5 WHERE id IN (42, 48)');
      run('UPDATE opportunities SET created_by_id = owner_id WHERE id = 4');
      assertCurrent(db, 'creator changes');
      run("UPDATE opportunities SET topic = 'Zebulon estate review' WHERE id IN (54, 60, 7)");
      assertCurrent(db, 'topic edits');
      const contact = db.prepare('SELECT customer_contact_id FROM opportunities WHERE id = 66').pluck().get();
      run("UPDATE contacts SET name = 'Quillon Zebulon', email = 'quillon@zeb.example' WHERE id = ?", contact);
      assertCurrent(db, "a contact's rename");
      const organization = db.prepare('SELECT id FROM organizations LIMIT 1').pluck().get();
      run('UPDATE opportunities SET customer_organization_id = ? WHERE id IN (72, 78, 9)', organization);
      run("UPDATE organizations SET name = 'Quillon Holdings' WHERE id = ?", organization);
      assertCurrent(db, "a customer change and an organization's rename");
      run('UPDATE opportunities SET customer_contact_id = ? WHERE id = 84', contact);
      assertCurrent(db, 'another customer');
      // Inserted closed (an import), then deleted.
      const inserted = Number(
        run(
          `INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, owner_id,
               assigned_at, created_by_id, status, created_at, updated_at)
             SELECT 'Quillon import', customer_contact_id, campaign_id, stage, stage_entered_at, 2, assigned_at, 4,
               'won', created_at, updated_at FROM opportunities WHERE id = 1`,
        ).lastInsertRowid,
      );
      assertCurrent(db, 'a closed insert');
      run('DELETE FROM opportunities WHERE id = ?', inserted);
      assertCurrent(db, 'a deletion');
      assert.ok(throughClosed(db, 3, '"quillon"*').length > 0, 'the changes reached Closed');
      // Each change above was its own transaction, a segment each; the upkeep merges them into one, answering the same.
      const segments = () => db.prepare('SELECT count(DISTINCT segid) FROM closed_search_idx').pluck().get() as number;
      assert.ok(segments() > 1, `${segments()} segments`);
      await compactSearchIndexes(db).done;
      assert.equal(segments(), 1);
      assertCurrent(db, "the upkeep's merge");
    } finally {
      db.close();
    }
  });

  it("pages the Closed view (offsets, a word common across the firm) as the firm index's walk filtered by view", async () => {
    const db = openDatabase(':memory:');
    try {
      await seededFirm(db, 3_000);
      migrate(db);
      const repo = createSqliteRepository(db);
      for (let advisor = 1; advisor <= ADVISORS; advisor++)
        for (const q of ['ret', WORDS[0].toLowerCase().slice(0, 3), WORDS[1].toLowerCase(), 'zz'])
          for (const [limit, offset] of [
            [10, 0],
            [10, 10],
            [25, 40],
            [1, 3],
          ]) {
            const all = throughFirm(db, advisor, `{topic customer} : (${ftsQuery(q)})`);
            const expected = all.slice(offset, offset + limit);
            const options = { view: 'closed', advisorId: advisor, q, limit, offset } as const;
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
      assert.ok(throughFirm(db, 1, `{topic customer} : (${ftsQuery(WORDS[1])})`).length > 40, 'a common word');
    } finally {
      db.close();
    }
  });
});
