import type { Db } from '../../db/connection';
import type { Contact, Organization } from '../../../shared/schemas/contacts';
import type { Actor, ContactStore, NewContactFields } from '../repository';
import { phonePrefixes, toContact, type ContactRow, type OpenOpportunityRow } from '../rows/contact-rows';
import { checkedLimit } from '../rows/page-size';
import { list, writeAudit, sql, sqlArrays } from './support';
import { ftsQuery } from './opportunities';
import { write } from './writes';

const SELECT_CONTACT = `SELECT c.*, g.name AS organization_name FROM contacts c
  LEFT JOIN organizations g ON g.id = c.organization_id`;

interface OrganizationRow {
  id: number;
  name: string;
  domains: string | null;
  created_at: string;
}

/** A row of SELECT_ORGANIZATION read as an array (see sqlArrays). */
type OrganizationArray = [id: number, name: string, createdAt: string, domains: string | null];

const ORGANIZATION_COLUMNS = `g.id, g.name, g.created_at,
    (SELECT json_group_array(d.domain) FROM organization_domains d WHERE d.organization_id = g.id) AS domains`;

const SELECT_ORGANIZATION = `SELECT ${ORGANIZATION_COLUMNS} FROM organizations g`;

/** The organizations a full-text query matches, and the rows of the word table under a prefix (see moreThan). */
const FULL_TEXT_MATCHES = 'SELECT rowid FROM organization_search WHERE organization_search MATCH ?';
const WORDS_IN_RANGE = 'SELECT 1 FROM organization_words WHERE word >= ? AND word < ?';

/**
 * The most matches an organization search sorts by name; with more it walks the names in order until the page is
 * full. Sorting costs about 0.5 µs a match, the walk about 0.05 µs a name and passes (firm's organizations /
 * matches) names per row of the page: the two meet near √(page × organizations / 10), about 60 matches for a page
 * of eleven among 3,000 organizations (100k opportunities) and 180 among 30,000.
 */
function sortedMatchesAtMost(organizations: number, rows: number): number {
  return Math.max(20, Math.round(Math.sqrt((rows * organizations) / 10)));
}

/**
 * A page's LIMIT and OFFSET as written into its statement (see checkedLimit). A full-text table is handed both when
 * SQLite plans the statement, so a bound OFFSET there costs the same as a bound LIMIT (contact search at 1M,
 * in-process: the LIMIT alone written in saved nothing; with no OFFSET either, 68 → 46 µs). The first page, what
 * type-ahead asks, writes no OFFSET; later pages bind it, so that the statements kept do not grow with every offset.
 */
function pageClause(limit: number, offset: number): string {
  return offset === 0 ? `LIMIT ${checkedLimit(limit)}` : `LIMIT ${checkedLimit(limit)} OFFSET :offset`;
}

/**
 * The most words of the index one typed word's prefix may cover for a page to be merged from each word's own first
 * rows (in name order, one seek each); a prefix covering more (one or two letters, digits) sorts its range instead.
 */
const MERGED_WORDS_AT_MOST = 16;

/** Rows of a typed word's range counted to pick the rarest word to start from; past this it is common enough. */
const COUNTED_ROWS_AT_MOST = 200;

/**
 * The typed words as ranges of organization_words (`[word, next]`: every word with that prefix), or null when one has
 * a letter outside ASCII: those are folded by the full-text tokenizer (remove_diacritics 2), which JavaScript cannot
 * reproduce exactly, so the full-text index answers them. ASCII letters and digits are the tokenizer's own terms.
 */
function wordRanges(q: string): [string, string][] | null {
  const words = q
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  if (!words.every((word) => /^[A-Za-z0-9]+$/.test(word))) return null;
  return words.map((word) => {
    const lower = word.toLowerCase();
    return [lower, lower.slice(0, -1) + String.fromCharCode(lower.charCodeAt(lower.length - 1) + 1)];
  });
}

/** The organization `alias.id` also has a word in each of the other ranges (`:from<i>`, `:to<i>`). */
const alsoHas = (others: number, alias = 'x') =>
  Array.from(
    { length: others },
    (_, i) =>
      `AND EXISTS (SELECT 1 FROM organization_words y WHERE y.id = ${alias}.id AND y.word >= :from${i} AND y.word < :to${i})`,
  ).join(' ');

const fromArray = ([id, name, createdAt, domains]: OrganizationArray) =>
  toOrganization({ id, name, created_at: createdAt, domains });

function toOrganization(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    domains: (JSON.parse(row.domains ?? '[]') as string[]).sort(),
    createdAt: row.created_at,
  };
}

export class SqliteContactStore implements ContactStore {
  constructor(private readonly db: Db) {}

  private toContacts(rows: ContactRow[]): Contact[] {
    if (rows.length === 0) return [];
    // `+status` keeps SQLite on the contact index: ordering by the status index instead walks every open opportunity.
    const open = sql(
      this.db,
      `SELECT id, topic, owner_id, customer_contact_id FROM opportunities
         WHERE customer_contact_id IN (SELECT value FROM json_each(?)) AND +status = 'open' ORDER BY updated_at DESC`,
    ).all(list(rows.map((row) => row.id))) as OpenOpportunityRow[];
    return rows.map((row) => toContact(row, open));
  }

  async findById(id: number) {
    const row = sql(this.db, `${SELECT_CONTACT} WHERE c.id = ?`).get(id) as ContactRow | undefined;
    return row ? this.toContacts([row])[0] : null;
  }

  async findByEmails(emails: string[]) {
    const rows = sql(
      this.db,
      `${SELECT_CONTACT} WHERE c.email IN (SELECT value FROM json_each(?)) ORDER BY c.name`,
    ).all(list(emails)) as ContactRow[];
    return this.toContacts(rows);
  }

  async search(q: string, limit: number, offset: number) {
    const match = contactMatch(q);
    if (!match) return [];
    // Newest first, in the index's own rowid order, as the opportunity type-ahead: a page reads only its own rows,
    // where an order by name sorted every match of a short prefix first.
    const rows = sql(
      this.db,
      `${SELECT_CONTACT}
         WHERE c.id IN (SELECT rowid FROM contact_search WHERE contact_search MATCH :match
                          ORDER BY rowid DESC ${pageClause(limit, offset)})
         ORDER BY c.id DESC`,
    ).all({ match, offset }) as ContactRow[];
    return this.toContacts(rows);
  }

  async searchOrganizations(q: string, limit: number, offset: number) {
    const ranges = wordRanges(q);
    if (!ranges) return this.searchOrganizationsByFullText(q, limit, offset);
    if (!ranges.length) return [];
    // Several words matching few organizations together: the full-text index intersects them quickest, and their
    // names are sorted. Matching many: the page is found from the word table, as for one word.
    if (ranges.length > 1) {
      const match = ftsQuery(q)!;
      if (!this.moreThan(this.sortedAtMost(limit + offset), FULL_TEXT_MATCHES, match)) {
        const rows = sqlArrays(
          this.db,
          `SELECT ${ORGANIZATION_COLUMNS} FROM organizations g WHERE g.id IN (
             SELECT p.id FROM organizations p NOT INDEXED
               WHERE p.id IN (SELECT rowid FROM organization_search WHERE organization_search MATCH :match)
               ORDER BY p.name COLLATE NOCASE, p.id ${pageClause(limit, offset)})
           ORDER BY g.name COLLATE NOCASE, g.id`,
        ).all({ match, offset }) as OrganizationArray[];
        return rows.map(fromArray);
      }
    }
    // Start from the word whose prefix covers the fewest rows; the others are looked up for each of its rows.
    const counted = sql(
      this.db,
      `SELECT count(*) FROM (SELECT 1 FROM organization_words WHERE word >= ? AND word < ? LIMIT ${COUNTED_ROWS_AT_MOST})`,
    ).pluck();
    const rarest =
      ranges.length === 1
        ? ranges[0]
        : ranges
            .map((range) => ({ range, rows: counted.get(range[0], range[1]) as number }))
            .reduce((a, b) => (b.rows < a.rows ? b : a)).range;
    const others = ranges.filter((range) => range !== rarest);
    const params: Record<string, unknown> = { from: rarest[0], to: rarest[1], offset };
    // A depth past the first page stays a parameter, as the offset does (see pageClause).
    const page = pageClause(limit, offset);
    const depth = offset === 0 ? String(checkedLimit(limit)) : ':depth';
    if (offset !== 0) params.depth = limit + offset;
    others.forEach(([from, to], i) => Object.assign(params, { [`from${i}`]: from, [`to${i}`]: to }));
    // The words of the index with this prefix, each found with one seek past the last.
    const words = sql(
      this.db,
      `WITH RECURSIVE words (word) AS (
         SELECT (SELECT word FROM organization_words WHERE word >= :from AND word < :to ORDER BY word LIMIT 1)
         UNION ALL
         SELECT (SELECT w.word FROM organization_words w WHERE w.word > words.word AND w.word < :to ORDER BY w.word LIMIT 1)
           FROM words WHERE words.word IS NOT NULL LIMIT ${MERGED_WORDS_AT_MOST + 1})
       SELECT word FROM words WHERE word IS NOT NULL`,
    )
      .pluck()
      .all({ from: rarest[0], to: rarest[1] }) as string[];
    if (!words.length) return [];
    // One word: its rows are in name order already, the page is read in place. A few: the first rows of each (an
    // organization in the page is among the first rows of every word it has in the range), merged; CROSS JOIN keeps
    // the words outermost (with a small firm's statistics SQLite read every organization for each word).
    const also = alsoHas(others.length);
    let statement: string;
    if (words.length === 1) {
      statement = `SELECT ${ORGANIZATION_COLUMNS} FROM organization_words x JOIN organizations g ON g.id = x.id
        WHERE x.word = :word ${also} ORDER BY x.name, x.id ${page}`;
    } else if (words.length <= MERGED_WORDS_AT_MOST) {
      statement = `SELECT ${ORGANIZATION_COLUMNS} FROM organizations g WHERE g.id IN (SELECT c.id FROM (
          SELECT DISTINCT p.id, p.name FROM json_each(:words) j
            CROSS JOIN organizations p ON p.id IN (SELECT x.id FROM organization_words x WHERE x.word = j.value ${also}
              ORDER BY x.name, x.id LIMIT ${depth})
        ) c ORDER BY c.name COLLATE NOCASE, c.id ${page})
        ORDER BY g.name COLLATE NOCASE, g.id`;
    } else {
      // A short prefix or digits: as migration 26's search, a few rows are sorted; many are found walking the names
      // in order, which stops after the page.
      statement = this.moreThan(this.sortedAtMost(limit + offset), WORDS_IN_RANGE, rarest[0], rarest[1])
        ? `SELECT ${ORGANIZATION_COLUMNS} FROM organizations g INDEXED BY organizations_name
              WHERE EXISTS (SELECT 1 FROM organization_words x WHERE x.id = g.id AND x.word >= :from AND x.word < :to)
                ${alsoHas(others.length, 'g')}
              ORDER BY g.name COLLATE NOCASE, g.id ${page}`
        : `SELECT ${ORGANIZATION_COLUMNS} FROM organizations g WHERE g.id IN (SELECT c.id FROM (
              SELECT DISTINCT x.id, x.name FROM organization_words x WHERE x.word >= :from AND x.word < :to ${also}
            ) c ORDER BY c.name COLLATE NOCASE, c.id ${page})
            ORDER BY g.name COLLATE NOCASE, g.id`;
    }
    const rows = sqlArrays(this.db, statement).all({
      ...params,
      word: words[0],
      words: list(words),
    }) as OrganizationArray[];
    return rows.map(fromArray);
  }

  /** The same through the full-text index: for typed words with letters outside ASCII (see wordRanges). */
  private searchOrganizationsByFullText(q: string, limit: number, offset: number) {
    const match = ftsQuery(q);
    if (!match) return [];
    // By name: a few matches are sorted; many are found walking the names in order (migration 26's index), which
    // stops after the page instead of sorting every match, the more the larger the firm.
    const many = this.moreThan(this.sortedAtMost(limit + offset), FULL_TEXT_MATCHES, match);
    const rows = sql(
      this.db,
      `${SELECT_ORGANIZATION} ${many ? 'INDEXED BY organizations_name' : 'NOT INDEXED'}
         WHERE g.id IN (SELECT rowid FROM organization_search WHERE organization_search MATCH :match)
         ORDER BY g.name COLLATE NOCASE, g.id ${pageClause(limit, offset)}`,
    ).all({ match, offset }) as OrganizationRow[];
    return rows.map(toOrganization);
  }

  /** Whether `rows` (a SELECT whose parameters are `args`) gives more than `few` rows, counting no further. */
  private moreThan(few: number, rows: string, ...args: unknown[]): boolean {
    return (
      (sql(this.db, `SELECT count(*) FROM (${rows} LIMIT ?)`)
        .pluck()
        .get(...args, few + 1) as number) > few
    );
  }

  /** See sortedMatchesAtMost. */
  private sortedAtMost(rows: number): number {
    const organizations = (sql(this.db, 'SELECT max(id) FROM organizations').pluck().get() as number | null) ?? 0;
    return sortedMatchesAtMost(organizations, rows);
  }

  async findOrganization(id: number) {
    const row = sql(this.db, `${SELECT_ORGANIZATION} WHERE g.id = ?`).get(id) as OrganizationRow | undefined;
    return row ? toOrganization(row) : null;
  }

  async createOrganizationWithDomain(name: string, domain: string | null, actor: Actor) {
    const id = await write(this.db, () => {
      if (domain !== null && organizationIdForDomain(this.db, domain) !== null) return null;
      return insertOrganization(this.db, name, domain ? [domain] : [], actor);
    });
    return id === null ? ('domain-taken' as const) : (await this.findOrganization(id))!;
  }

  async createOrFind(fields: NewContactFields, actor: Actor | null) {
    const result = await write(this.db, () => insertContact(this.db, fields, actor));
    return { contact: (await this.findById(result.id))!, created: result.created };
  }

  async organizationIdForDomain(domain: string) {
    return organizationIdForDomain(this.db, domain);
  }

  async organizationExists(id: number) {
    return sql(this.db, 'SELECT 1 FROM organizations WHERE id = ?').get(id) !== undefined;
  }

  async createOrganization(name: string, domains: string[], actor: Actor | null) {
    return write(this.db, () => insertOrganization(this.db, name, domains, actor));
  }
}

/** The organization of the domain or of the nearest domain above it (mail.contoso.com → contoso.com). */
function organizationIdForDomain(db: Db, domain: string): number | null {
  const labels = domain.toLowerCase().split('.');
  const candidates = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  return (
    (sql(
      db,
      `SELECT organization_id FROM organization_domains WHERE domain IN (SELECT value FROM json_each(?))
         ORDER BY length(domain) DESC LIMIT 1`,
    )
      .pluck()
      .get(JSON.stringify(candidates)) as number | undefined) ?? null
  );
}

/** Call inside a transaction. */
function insertOrganization(db: Db, name: string, domains: string[], actor: Actor | null): number {
  const id = Number(
    sql(db, 'INSERT INTO organizations (name, created_at) VALUES (?, ?)').run(
      name,
      actor?.at ?? new Date().toISOString(),
    ).lastInsertRowid,
  );
  const addDomain = sql(db, 'INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)');
  for (const domain of domains) addDomain.run(domain.toLowerCase(), id);
  writeAudit(db, actor, 'organization', id, 'create', { name, domains });
  return id;
}

/** Text that is only a phone number: prefixes of the phone's digits (see phonePrefixes); else word prefixes. */
function contactMatch(q: string): string | null {
  const phone = phonePrefixes(q);
  if (phone) return `phone : (${phone.map((prefix) => `"${prefix}"*`).join(' OR ')})`;
  const words = ftsQuery(q);
  return words && `{name email} : (${words})`;
}

/**
 * Inserts a contact unless one with the same email exists (the UNIQUE index decides, so two
 * concurrent creates still make one contact). Call inside a transaction.
 */
export function insertContact(db: Db, fields: NewContactFields, actor: Actor | null): { id: number; created: boolean } {
  const at = actor?.at ?? new Date().toISOString();
  if (fields.email !== null) {
    const existing = sql(db, 'SELECT id FROM contacts WHERE email = ?').pluck().get(fields.email) as number | undefined;
    if (existing !== undefined) return { id: existing, created: false };
  }
  let organizationId = fields.organizationId;
  if (organizationId === null && fields.newOrganization) {
    const { name, domain } = fields.newOrganization;
    organizationId = organizationIdForDomain(db, domain) ?? insertOrganization(db, name, [domain], actor);
  }
  const inserted = sql(
    db,
    `INSERT INTO contacts (name, email, phone, organization_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id`,
  ).get(fields.name, fields.email, fields.phone, organizationId, at, at) as { id: number } | undefined;
  if (inserted) {
    writeAudit(db, actor, 'contact', inserted.id, 'create', { ...fields, organizationId });
    return { id: inserted.id, created: true };
  }
  const existing = sql(db, 'SELECT id FROM contacts WHERE email = ?').pluck().get(fields.email) as number;
  return { id: existing, created: false };
}
