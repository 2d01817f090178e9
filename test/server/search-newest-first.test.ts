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

      const lines: string[] = [];
      migrate(db, {
        to: 26,
        log: { write: (text) => lines.push(...text.split('\n').filter(Boolean)) },
        progressEveryMs: 0,
      });

      assert.equal(lines[0], 'Applying migration 026 (search index newest first) …');
      assert.deepEqual(
        lines.filter((line) => line.startsWith('  ')),
        ['  opportunities indexed: 10,000 / 12,000', '  opportunities indexed: 12,000 / 12,000'],
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
});
