import type { Migration } from '../migrate';

// A phone number's digits, without the punctuation people type ("+1 (555) 013-4567" → "15550134567").
const PHONE_DIGITS = `replace(replace(replace(replace(replace(replace(replace(coalesce(c.phone, ''),
  ' ', ''), '-', ''), '(', ''), ')', ''), '+', ''), '.', ''), '/', '')`;

/**
 * Customer search for New Opportunity: word prefixes of a contact's name and email and of its phone
 * digits (the whole number, and its last ten digits so a number typed without the country code
 * matches), and of an organization's name and domains, from FTS5 prefix indexes as the opportunity
 * type-ahead (002). "Referred by" on an opportunity: an advisor or a contact, at most one of them.
 */
export const customersAndReferrer: Migration = {
  version: 10,
  name: 'customer search and referred by',
  sql: /* sql */ `
CREATE VIRTUAL TABLE contact_search USING fts5 (
  name, email, phone, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
CREATE VIEW contact_search_source AS
  SELECT id, name, email,
         CASE WHEN length(digits) > 10 THEN digits || ' ' || substr(digits, -10) ELSE digits END AS phone
  FROM (SELECT c.id AS id, c.name AS name, coalesce(c.email, '') AS email, ${PHONE_DIGITS} AS digits FROM contacts c);
INSERT INTO contact_search (rowid, name, email, phone) SELECT id, name, email, phone FROM contact_search_source;
CREATE TRIGGER contact_search_insert AFTER INSERT ON contacts BEGIN
  INSERT INTO contact_search (rowid, name, email, phone)
    SELECT id, name, email, phone FROM contact_search_source WHERE id = new.id;
END;
CREATE TRIGGER contact_search_update AFTER UPDATE OF name, email, phone ON contacts BEGIN
  DELETE FROM contact_search WHERE rowid = old.id;
  INSERT INTO contact_search (rowid, name, email, phone)
    SELECT id, name, email, phone FROM contact_search_source WHERE id = new.id;
END;
CREATE TRIGGER contact_search_delete AFTER DELETE ON contacts BEGIN
  DELETE FROM contact_search WHERE rowid = old.id;
END;

CREATE VIRTUAL TABLE organization_search USING fts5 (
  name, domains, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8 9 10 11 12'
);
CREATE VIEW organization_search_source AS
  SELECT g.id AS id, g.name AS name,
         coalesce((SELECT group_concat(d.domain, ' ') FROM organization_domains d WHERE d.organization_id = g.id), '') AS domains
  FROM organizations g;
INSERT INTO organization_search (rowid, name, domains) SELECT id, name, domains FROM organization_search_source;
CREATE TRIGGER organization_search_insert AFTER INSERT ON organizations BEGIN
  INSERT INTO organization_search (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id = new.id;
END;
CREATE TRIGGER organization_search_update AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM organization_search WHERE rowid = old.id;
  INSERT INTO organization_search (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id = new.id;
END;
CREATE TRIGGER organization_search_delete AFTER DELETE ON organizations BEGIN
  DELETE FROM organization_search WHERE rowid = old.id;
END;
CREATE TRIGGER organization_search_domain_insert AFTER INSERT ON organization_domains BEGIN
  DELETE FROM organization_search WHERE rowid = new.organization_id;
  INSERT INTO organization_search (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id = new.organization_id;
END;
CREATE TRIGGER organization_search_domain_delete AFTER DELETE ON organization_domains BEGIN
  DELETE FROM organization_search WHERE rowid = old.organization_id;
  INSERT INTO organization_search (rowid, name, domains)
    SELECT id, name, domains FROM organization_search_source WHERE id = old.organization_id;
END;

ALTER TABLE opportunities ADD COLUMN referred_by_advisor_id INTEGER REFERENCES advisors (id);
ALTER TABLE opportunities ADD COLUMN referred_by_contact_id INTEGER REFERENCES contacts (id);
CREATE INDEX opportunities_referred_by_advisor ON opportunities (referred_by_advisor_id, status, updated_at)
  WHERE referred_by_advisor_id IS NOT NULL;
CREATE INDEX opportunities_referred_by_contact ON opportunities (referred_by_contact_id, status, updated_at)
  WHERE referred_by_contact_id IS NOT NULL;
`,
};
