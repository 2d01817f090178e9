import assert from 'node:assert/strict';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { migrations } from '../../server/db/migrations';
import { seedVolume } from '../../bench/seed-volume';

/** Issue 15: a long migration never runs silently inside start-up. */
describe('migration progress', function () {
  this.timeout(60_000);

  const collect = () => {
    const lines: string[] = [];
    return { lines, log: { write: (text: string) => lines.push(...text.split('\n').filter(Boolean)) } };
  };

  it('a pending migration prints its start and end lines to the given stream', () => {
    const db = openDatabase(':memory:');
    migrate(db, { to: 17 });
    const { lines, log } = collect();
    const { applied } = migrate(db, { to: 18, log });
    assert.deepEqual(
      applied.map((m) => m.version),
      [18],
    );
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines[0], 'Applying migration 018 (points counted at) …');
    assert.match(lines[1], /^… migration 018 done in \d+\.\d s$/);
    db.close();
  });

  it('is silent without a stream, and prints nothing when nothing is pending', () => {
    const db = openDatabase(':memory:');
    const { lines, log } = collect();
    migrate(db, { to: 3 });
    const latest = Math.max(...migrations.map((m) => m.version));
    migrate(db);
    assert.equal(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get(), latest);
    migrate(db, { log });
    assert.deepEqual(lines, []);
    db.close();
  });

  it('a data migration over enough rows prints its progress, and copies every row', async () => {
    const db = openDatabase(':memory:');
    migrate(db, { to: 15 });
    await seedVolume(db, { advisors: 5, contacts: 500, opportunities: 25_000, activities: 0 });
    const { lines, log } = collect();
    // Every step may print here; the server prints at most every 2 s (PROGRESS_EVERY_MS).
    migrate(db, { to: 16, log, progressEveryMs: 0 });
    const progress = lines.filter((line) => line.startsWith('  opportunities:'));
    assert.deepEqual(progress, [
      '  opportunities: 10,000 / 25,000',
      '  opportunities: 20,000 / 25,000',
      '  opportunities: 25,000 / 25,000',
    ]);
    assert.equal(lines[0], 'Applying migration 016 (stage history) …');
    assert.match(lines.at(-1)!, /^… migration 016 done in \d+\.\d s$/);
    const copied = db
      .prepare(
        `SELECT count(*) FROM opportunities o JOIN stage_changes s
           ON s.opportunity_id = o.id AND s.stage = o.stage AND s.at = o.stage_entered_at`,
      )
      .pluck()
      .get();
    assert.equal(copied, 25_000);
    db.close();
  });

  it('the search index rebuild (002) reports progress and indexes every opportunity', async () => {
    const db = openDatabase(':memory:');
    migrate(db, { to: 1 });
    // The seed's token needs a later schema; its rows are in by then.
    await seedVolume(db, { advisors: 5, contacts: 500, opportunities: 15_000, activities: 0 }).catch(() => undefined);
    const { lines, log } = collect();
    migrate(db, { to: 2, log, progressEveryMs: 0 });
    assert.deepEqual(
      lines.filter((line) => line.startsWith('  ')),
      ['  opportunities indexed: 10,000 / 15,000', '  opportunities indexed: 15,000 / 15,000'],
    );
    assert.equal(db.prepare('SELECT count(*) FROM opportunity_search').pluck().get(), 15_000);
    const found = db
      .prepare("SELECT count(*) FROM opportunity_search WHERE opportunity_search MATCH 'retire*'")
      .pluck()
      .get() as number;
    const expected = db.prepare("SELECT count(*) FROM opportunities WHERE topic LIKE '%retire%'").pluck().get();
    assert.equal(found, expected);
    db.close();
  });

  it("the organization word table (030) reports progress and holds every organization's terms", () => {
    const db = openDatabase(':memory:');
    migrate(db, { to: 29 });
    const insert = db.prepare("INSERT INTO organizations (name, created_at) VALUES (?, '2026-11-01T00:00:00.000Z')");
    const domain = db.prepare('INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 12_000; i++) {
        insert.run(`Zoë Müller Partners ${i}`);
        if (i % 3 === 0) domain.run(`org${i}.example`, i);
      }
    })();
    const { lines, log } = collect();
    migrate(db, { to: 30, log, progressEveryMs: 0 });
    assert.deepEqual(
      lines.filter((line) => line.startsWith('  ')),
      ['  organizations indexed by word: 10,000 / 12,000', '  organizations indexed by word: 12,000 / 12,000'],
    );
    db.exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab (main, organization_search, 'instance')");
    const index = db.prepare('SELECT DISTINCT term, doc FROM temp.terms ORDER BY 1, 2').raw().all();
    assert.deepEqual(db.prepare('SELECT word, id FROM organization_words ORDER BY 1, 2').raw().all(), index);
    assert.equal(db.prepare("SELECT count(*) FROM organization_words WHERE word = 'zoe'").pluck().get(), 12_000);
    db.close();
  });
});
