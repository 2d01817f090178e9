import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import type { Repository } from '../../server/repository/repository';
import { createSqliteRepository } from '../../server/repository/sqlite';

/**
 * Organization search reads the word table of migration 30 (kept by triggers). It must answer exactly what the
 * full-text index answers, sorted by name: every typed word a prefix of a word of the name or of a domain, folded as
 * the tokenizer folds (unicode61, remove_diacritics 2), in name order (case-insensitive), then id, any page.
 */
describe('organization search from the word table (migration 30)', function () {
  this.timeout(60_000);
  let db: Db;
  let repo: Repository;

  before(() => {
    db = openDatabase(':memory:');
    migrate(db);
    repo = createSqliteRepository(db);
  });
  after(() => db.close());

  /** The reference: every full-text match, sorted by name, then the page. */
  const byFullText = (q: string, limit: number, offset: number) => {
    const words = q
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .slice(0, 8);
    if (!words.length) return [];
    return db
      .prepare(
        `SELECT g.id FROM organizations g WHERE g.id IN (SELECT rowid FROM organization_search WHERE organization_search MATCH ?)
           ORDER BY g.name COLLATE NOCASE, g.id LIMIT ? OFFSET ?`,
      )
      .pluck()
      .all(words.map((word) => `"${word}"*`).join(' '), limit, offset) as number[];
  };

  /** The words of every organization as the full-text index holds them (its terms, by organization), and the table's. */
  const indexTerms = () => {
    db.exec(
      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.organization_search_instances USING fts5vocab (main, organization_search, 'instance')",
    );
    return {
      index: db
        .prepare(
          `SELECT DISTINCT v.term, g.name, g.id FROM temp.organization_search_instances v JOIN organizations g ON g.id = v.doc
             ORDER BY 1, 3`,
        )
        .raw()
        .all(),
      table: db.prepare('SELECT word, name, id FROM organization_words ORDER BY 1, 3').raw().all(),
    };
  };

  const QUERIES = [
    'a',
    'h',
    'ha',
    'har',
    'harbor',
    'harbour',
    'dent',
    'harbor dent',
    'dent harbor',
    'harbor dental group',
    'group',
    'gro harb',
    'contoso',
    'contoso.example',
    'example',
    'exa',
    'mail',
    '1',
    '12',
    '123',
    'client1',
    'zoe',
    'zoë',
    'ZOË',
    'muller',
    'müller',
    'mül',
    'strasse',
    'straße',
    'lodz',
    'łódź',
    'łó',
    'ecole',
    'école',
    'fran',
    'the the',
    'renamed',
    'quillon',
    'quil',
    'q',
    'nothing',
    '-',
    '',
  ];

  async function assertSameAnswers(when: string) {
    const { index, table } = indexTerms();
    assert.deepEqual(table, index, `${when}: the word table differs from the full-text index's terms`);
    for (const q of QUERIES)
      for (const [limit, offset] of [
        [10, 0],
        [11, 0],
        [5, 5],
        [25, 40],
        [100, 0],
      ]) {
        const found = (await repo.contacts.searchOrganizations(q, limit, offset)).map((o) => o.id);
        assert.deepEqual(found, byFullText(q, limit, offset), `${when}: "${q}" limit ${limit} offset ${offset}`);
      }
  }

  it('answers as the full-text index does, for one word, several, domain words, diacritics and every page, after each kind of change', async () => {
    const create = (name: string, domains: string[] = []) => repo.contacts.createOrganization(name, domains, null);
    await create('Harbor Dental Group', ['harbordental.example']);
    await create('harbor dental group', ['mail.harbor.example']);
    await create('HARBOUR Holdings');
    await create('Zoë Müller Straße', ['zoe.example']);
    await create('Łódź Ærø École Française');
    await create('The The Group 123', ['the123.example']);
    // Many organizations sharing words (in mixed case, some names twice), and digits covering many words.
    const cases = ['Quillon', 'quillon', 'QUILLON'];
    for (let i = 0; i < 120; i++) await create(`${cases[i % 3]} ${String.fromCharCode(97 + ((i * 7) % 26))}${i % 40}`);
    for (let i = 0; i < 60; i++) await create(`Client${i} Harbor ${i * 7}`, [`client${i}.example`]);
    // A new company email domain makes its organization with the contact.
    await repo.contacts.createOrFind(
      {
        name: 'Jordan',
        email: 'jordan@contoso.example',
        phone: null,
        organizationId: null,
        newOrganization: { name: 'Contoso', domain: 'contoso.example' },
      },
      null,
    );
    await assertSameAnswers('created');

    const id = (name: string) => db.prepare('SELECT id FROM organizations WHERE name = ?').pluck().get(name) as number;
    db.prepare('UPDATE organizations SET name = ? WHERE id = ?').run('Renamed Dental', id('Harbor Dental Group'));
    db.prepare('UPDATE organizations SET name = ? WHERE id = ?').run('Quillon Renamed', id('Client3 Harbor 21'));
    await assertSameAnswers('renamed');

    db.prepare('INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)').run(
      'harbour.example',
      id('HARBOUR Holdings'),
    );
    db.prepare('INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)').run(
      'second.example',
      id('Renamed Dental'),
    );
    await assertSameAnswers('domain added');

    db.prepare('DELETE FROM organization_domains WHERE domain = ?').run('harbordental.example');
    db.prepare('DELETE FROM organization_domains WHERE domain = ?').run('client5.example');
    await assertSameAnswers('domain removed');

    db.prepare('UPDATE organization_domains SET domain = ? WHERE domain = ?').run(
      'dentalharbor.example',
      'second.example',
    );
    db.prepare('UPDATE organization_domains SET organization_id = ? WHERE domain = ?').run(
      id('Contoso'),
      'zoe.example',
    );
    await assertSameAnswers('domain changed in place');

    db.prepare('DELETE FROM organizations WHERE id = ?').run(id('The The Group 123'));
    db.prepare('DELETE FROM organizations WHERE id = ?').run(id('Client7 Harbor 49'));
    await assertSameAnswers('deleted');
  });

  it('leaves its tokenizing table empty after every change', () => {
    assert.equal(db.prepare('SELECT count(*) FROM organization_terms_vocabulary').pluck().get(), 0);
  });
});
