import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

/**
 * Organization search reads the words of the firm's organizations from a table keyed (word, name, id): a typed prefix
 * is a range of it whose rows come in name order for each word, so a page reads about its own rows. Through the
 * full-text index every match was collected, then sorted or found walking all names in order (at 1M, "sha" read
 * about 20,000 names before the first "Shah …": 1.8 ms a page).
 *
 * The words are exactly the full-text index's terms (unicode61, remove_diacritics 2): each organization's name and
 * domains go through an empty contentless FTS5 table (`organization_terms`) whose vocabulary is then its terms, and
 * the table is emptied again, all inside the write. One view (`organization_words_refresh`) does it for an id, so
 * every trigger and this migration share it. Domains changed in place now refresh the full-text index too (no code
 * does it yet; migration 10 kept only inserts and deletes).
 */
export const organizationWords: Migration = {
  version: 30,
  name: 'organization words',
  sql: /* sql */ `
CREATE VIRTUAL TABLE organization_terms USING fts5 (
  name, domains, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE organization_terms_vocabulary USING fts5vocab (organization_terms, 'row');

CREATE TABLE organization_words (
  word TEXT NOT NULL,
  name TEXT NOT NULL COLLATE NOCASE,
  id INTEGER NOT NULL,
  PRIMARY KEY (word, name, id)
) WITHOUT ROWID;
CREATE INDEX organization_words_organization ON organization_words (id, word);

CREATE VIEW organization_words_refresh AS SELECT NULL AS id;
CREATE TRIGGER organization_words_refresh INSTEAD OF INSERT ON organization_words_refresh BEGIN
  DELETE FROM organization_words WHERE id = new.id;
  INSERT INTO organization_terms (organization_terms) VALUES ('delete-all');
  INSERT INTO organization_terms (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id = new.id;
  INSERT INTO organization_words (word, name, id)
    SELECT v.term, g.name, g.id FROM organizations g, organization_terms_vocabulary v WHERE g.id = new.id;
  INSERT INTO organization_terms (organization_terms) VALUES ('delete-all');
END;

CREATE TRIGGER organization_words_insert AFTER INSERT ON organizations BEGIN
  INSERT INTO organization_words_refresh (id) VALUES (new.id);
END;
CREATE TRIGGER organization_words_update AFTER UPDATE OF name ON organizations BEGIN
  INSERT INTO organization_words_refresh (id) VALUES (old.id);
  INSERT INTO organization_words_refresh (id) VALUES (new.id);
END;
CREATE TRIGGER organization_words_delete AFTER DELETE ON organizations BEGIN
  DELETE FROM organization_words WHERE id = old.id;
END;
CREATE TRIGGER organization_words_domain_insert AFTER INSERT ON organization_domains BEGIN
  INSERT INTO organization_words_refresh (id) VALUES (new.organization_id);
END;
CREATE TRIGGER organization_words_domain_update AFTER UPDATE ON organization_domains BEGIN
  INSERT INTO organization_words_refresh (id) VALUES (old.organization_id);
  INSERT INTO organization_words_refresh (id) VALUES (new.organization_id);
END;
CREATE TRIGGER organization_words_domain_delete AFTER DELETE ON organization_domains BEGIN
  INSERT INTO organization_words_refresh (id) VALUES (old.organization_id);
END;

CREATE TRIGGER organization_search_domain_update AFTER UPDATE ON organization_domains BEGIN
  DELETE FROM organization_search WHERE rowid IN (old.organization_id, new.organization_id);
  INSERT INTO organization_search (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id IN (old.organization_id, new.organization_id);
END;
`,
  run: (db, progress) =>
    inIdRanges(db, progress, {
      label: 'organizations indexed by word',
      table: 'organizations',
      statement:
        'INSERT INTO organization_words_refresh (id) SELECT id FROM organizations WHERE id > :from AND id <= :to',
    }),
};
