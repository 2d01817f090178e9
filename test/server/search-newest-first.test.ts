import assert from 'node:assert/strict';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { seedVolume } from '../../bench/seed-volume';

/** Migration 26: the type-ahead index holds each opportunity under rowid -id, so newest first is FTS5's forward walk. */
describe('search index newest first (migration 026)', function () {
  this.timeout(60_000);

  it('rebuilds the index under -id with progress, finding the same opportunities in the same order, and keeps it current', async () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db, { to: 25 });
      await seedVolume(db, { advisors: 6, contacts: 400, opportunities: 12_000, activities: 0 });
      db.prepare(
        `INSERT OR IGNORE INTO opportunity_recent (advisor_id, opportunity_id, used_at)
           SELECT owner_id, id, updated_at FROM opportunities WHERE id % 5 = 0`,
      ).run();
      const queries = [
        '{topic customer} : ("ret"*)',
        '{topic customer} : ("retirement"*)',
        '{topic customer} : ("pla"* "re"*)',
        '{topic customer} : ("ret"*) AND scope : ("o2")',
        '{topic customer} : ("ret"*) AND scope : ("c3" OR "b3")',
        '{topic customer} : ("ret"*) AND scope : ("r4")',
      ];
      const newestFirst = (rowid: 'rowid' | '-rowid', order: 'rowid DESC' | 'rowid') => (match: string) =>
        db
          .prepare(`SELECT ${rowid} FROM opportunity_search WHERE opportunity_search MATCH ? ORDER BY ${order}`)
          .pluck()
          .all(match) as number[];
      const before = queries.map(newestFirst('rowid', 'rowid DESC'));
      assert.ok(before[0].length > 100, 'the seed has matches to compare');

      const uses = db.prepare('SELECT count(*) FROM opportunity_recent').pluck().get() as number;
      const lines: string[] = [];
      migrate(db, {
        to: 26,
        log: { write: (text) => lines.push(...text.split('\n').filter(Boolean)) },
        progressEveryMs: 0,
      });

      assert.equal(lines[0], 'Applying migration 026 (search index newest first) …');
      assert.deepEqual(
        lines.filter((line) => line.startsWith('  ')),
        [
          '  opportunities indexed: 10,000 / 12,000',
          '  opportunities indexed: 12,000 / 12,000',
          `  recent uses indexed: ${uses.toLocaleString('en-US')} / ${uses.toLocaleString('en-US')}`,
        ],
      );
      // Newest first is now the index's forward order, with the same opportunities.
      assert.deepEqual(queries.map(newestFirst('-rowid', 'rowid')), before);
      assert.equal(
        db.prepare('SELECT count(*) FROM opportunity_search WHERE rowid < 0').pluck().get(),
        db.prepare('SELECT count(*) FROM opportunities').pluck().get(),
      );
      // Rebuilt in ascending rowids: FTS5 appends instead of flushing a segment at every step down.
      const segments = db.prepare('SELECT count(DISTINCT segid) FROM opportunity_search_idx').pluck().get() as number;
      assert.ok(segments < 10, `${segments} segments`);
      db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();

      // The triggers index under -id: a new opportunity, an edit, a contact's rename (several at once), a close.
      const search = newestFirst('-rowid', 'rowid');
      const contact = db
        .prepare('SELECT customer_contact_id FROM opportunities GROUP BY 1 HAVING count(*) > 2 LIMIT 1')
        .pluck()
        .get() as number;
      db.prepare("UPDATE contacts SET name = 'Zebulon Quartermaine' WHERE id = ?").run(contact);
      assert.deepEqual(
        search('{topic customer} : ("quartermain"*)'),
        db.prepare('SELECT id FROM opportunities WHERE customer_contact_id = ? ORDER BY id DESC').pluck().all(contact),
      );
      const [newest] = db.prepare('SELECT id FROM opportunities ORDER BY id DESC LIMIT 1').pluck().all() as number[];
      db.prepare("UPDATE opportunities SET topic = 'Xylophone fund' WHERE id = ?").run(newest);
      assert.deepEqual(search('{topic customer} : ("xyloph"*)'), [newest]);
      db.prepare("UPDATE opportunities SET status = 'won' WHERE id = ?").run(newest);
      const owner = db.prepare('SELECT owner_id FROM opportunities WHERE id = ?').pluck().get(newest) as number;
      assert.deepEqual(search(`{topic customer} : ("xyloph"*) AND scope : ("c${owner}")`), [newest]);
      db.prepare("INSERT INTO opportunity_search (opportunity_search, rank) VALUES ('integrity-check', 1)").run();
    } finally {
      db.close();
    }
  });

  it("keeps Recent's index equal to the advisors' uses and their opportunities' words after every kind of change", async () => {
    const db = openDatabase(':memory:');
    try {
      migrate(db, { to: 25 });
      await seedVolume(db, { advisors: 6, contacts: 300, opportunities: 3_000, activities: 0 });
      const use = db.prepare(
        `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)
           ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = excluded.used_at`,
      );
      for (let i = 1; i <= 3_000; i += 3) use.run(1 + (i % 6), i, '2026-11-01T00:00:00.000Z');
      migrate(db, { to: 26 });

      /** What the index must hold, computed from the uses and the opportunities' words as they are now. */
      const computed = () =>
        db
          .prepare(
            `SELECT r.advisor_id * 4294967296 + s.id AS rowid, s.topic, s.customer
               FROM opportunity_recent r JOIN opportunity_search_source s ON s.id = r.opportunity_id ORDER BY 1`,
          )
          .all();
      const stored = () => db.prepare('SELECT rowid, topic, customer FROM recent_search ORDER BY rowid').all();
      /** An advisor's uses whose words match, found through each index. */
      const throughRecent = (advisor: number, words: string) =>
        db
          .prepare(
            `SELECT rowid - ? FROM recent_search WHERE recent_search MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid`,
          )
          .pluck()
          .all(advisor * 2 ** 32, words, advisor * 2 ** 32, advisor * 2 ** 32 + 2 ** 32 - 1);
      const throughFirm = (advisor: number, words: string) =>
        db
          .prepare(
            `SELECT opportunity_id FROM opportunity_recent WHERE advisor_id = ? AND opportunity_id IN
               (SELECT -rowid FROM opportunity_search WHERE opportunity_search MATCH ?) ORDER BY opportunity_id`,
          )
          .pluck()
          .all(advisor, words);
      const assertCurrent = (after: string) => {
        assert.deepEqual(stored(), computed(), `after ${after}`);
        db.prepare("INSERT INTO recent_search (recent_search, rank) VALUES ('integrity-check', 1)").run();
        for (let advisor = 1; advisor <= 6; advisor++)
          for (const words of ['{topic customer} : ("ret"*)', '{topic customer} : ("zebulo"*)', '"quillon"*'])
            assert.deepEqual(
              throughRecent(advisor, words),
              throughFirm(advisor, words),
              `${after}: ${advisor} ${words}`,
            );
      };
      assertCurrent('the migration');

      use.run(2, 5, '2026-11-02T00:00:00.000Z'); // a new use
      use.run(2, 5, '2026-11-03T00:00:00.000Z'); // the same, later
      db.prepare('DELETE FROM opportunity_recent WHERE advisor_id = 2 AND opportunity_id = 4').run();
      assertCurrent('uses');
      db.prepare("UPDATE opportunities SET topic = 'Zebulon estate review' WHERE id IN (4, 5, 7)").run();
      assertCurrent('topic edits');
      const contact = db.prepare('SELECT customer_contact_id FROM opportunities WHERE id = 7').pluck().get() as number;
      db.prepare("UPDATE contacts SET name = 'Quillon Zebulon', email = 'quillon@zeb.example' WHERE id = ?").run(
        contact,
      );
      assertCurrent("a contact's rename");
      const organization = db.prepare('SELECT id FROM organizations LIMIT 1').pluck().get() as number;
      db.prepare('UPDATE opportunities SET customer_organization_id = ? WHERE id IN (10, 13)').run(organization);
      db.prepare("UPDATE organizations SET name = 'Quillon Holdings' WHERE id = ?").run(organization);
      assertCurrent("a customer change and an organization's rename");
      db.prepare('UPDATE opportunities SET customer_contact_id = ? WHERE id = 16').run(contact);
      assertCurrent('another customer');
      db.prepare("UPDATE opportunities SET status = 'won', owner_id = 3 WHERE id = 7").run();
      assertCurrent('a close and an assignment');
      assert.ok(throughRecent(2, '"quillon"*').length > 0, 'the changes reached Recent');
    } finally {
      db.close();
    }
  });
});
