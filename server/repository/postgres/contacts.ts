import type { Contact, Organization } from '../../../shared/schemas/contacts';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type { Actor, ContactStore, NewContactFields } from '../repository';
import { phonePrefixes, toContact, type ContactRow, type OpenOpportunityRow } from '../rows/contact-rows';
import { writeAudit, type Queryable } from './support';

const SELECT_CONTACT = `SELECT c.id, c.name, c.email, c.phone, c.organization_id, g.name AS organization_name, c.created_at
  FROM contacts c LEFT JOIN organizations g ON g.id = c.organization_id`;

interface OrganizationRow {
  id: number;
  name: string;
  created_at: string;
  domains: string[];
}

const SELECT_ORGANIZATION = `SELECT g.id, g.name, g.created_at,
    array(SELECT d.domain FROM organization_domains d WHERE d.organization_id = g.id ORDER BY d.domain COLLATE "C") AS domains
  FROM organizations g`;

const toOrganization = (row: OrganizationRow): Organization => ({
  id: row.id,
  name: row.name,
  domains: row.domains,
  createdAt: row.created_at,
});

/** The typed words (as search_words() cuts them): at least one, else the search finds nothing. */
const hasWords = (q: string) => /[\p{L}\p{N}]/u.test(q);

export class PostgresContactStore implements ContactStore {
  constructor(private readonly db: Postgres) {}

  private async toContacts(rows: ContactRow[]): Promise<Contact[]> {
    if (rows.length === 0) return [];
    const open = await this.db.query<OpenOpportunityRow>(
      `SELECT id, topic, owner_id, customer_contact_id FROM opportunities
        WHERE customer_contact_id = ANY($1::bigint[]) AND status = 'open' ORDER BY updated_at DESC, id DESC`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => toContact(row, open.rows));
  }

  async findById(id: number) {
    const { rows } = await this.db.query<ContactRow>(`${SELECT_CONTACT} WHERE c.id = $1`, [id]);
    return rows[0] ? (await this.toContacts(rows))[0] : null;
  }

  async findByEmails(emails: string[]) {
    const { rows } = await this.db.query<ContactRow>(
      `${SELECT_CONTACT} WHERE lower(c.email) IN (SELECT lower(e) FROM unnest($1::text[]) e) ORDER BY c.name COLLATE "C", c.id`,
      [emails],
    );
    return this.toContacts(rows);
  }

  async search(q: string, limit: number, offset: number) {
    // Newest first, as the SQLite backend's index order.
    const phone = phonePrefixes(q);
    if (phone) {
      const query = phone.map((prefix) => `${prefix}:*`).join(' | ');
      const { rows } = await this.db.query<ContactRow>(
        `${SELECT_CONTACT} WHERE c.phone_words @@ to_tsquery('simple', $1) ORDER BY c.id DESC LIMIT $2 OFFSET $3`,
        [query, limit, offset],
      );
      return this.toContacts(rows);
    }
    if (!hasWords(q)) return [];
    const { rows } = await this.db.query<ContactRow>(
      `${SELECT_CONTACT} WHERE c.words @@ search_prefixes($1) ORDER BY c.id DESC LIMIT $2 OFFSET $3`,
      [q, limit, offset],
    );
    return this.toContacts(rows);
  }

  async searchOrganizations(q: string, limit: number, offset: number) {
    if (!hasWords(q)) return [];
    const { rows } = await this.db.query<OrganizationRow>(
      `${SELECT_ORGANIZATION} WHERE g.words @@ search_prefixes($1)
        ORDER BY lower(g.name) COLLATE "C", g.id LIMIT $2 OFFSET $3`,
      [q, limit, offset],
    );
    return rows.map(toOrganization);
  }

  async findOrganization(id: number) {
    const { rows } = await this.db.query<OrganizationRow>(`${SELECT_ORGANIZATION} WHERE g.id = $1`, [id]);
    return rows[0] ? toOrganization(rows[0]) : null;
  }

  async createOrganizationWithDomain(name: string, domain: string | null, actor: Actor) {
    const id = await transaction(this.db, async (db) => {
      if (domain !== null) {
        await lockDomains(db, [domain]);
        if ((await organizationIdForDomain(db, domain)) !== null) return null;
      }
      return insertOrganization(db, name, domain ? [domain] : [], actor);
    });
    return id === null ? ('domain-taken' as const) : (await this.findOrganization(id))!;
  }

  async createOrFind(fields: NewContactFields, actor: Actor | null) {
    const result = await transaction(this.db, (db) => insertContact(db, fields, actor));
    return { contact: (await this.findById(result.id))!, created: result.created };
  }

  organizationIdForDomain(domain: string) {
    return organizationIdForDomain(this.db, domain);
  }

  async organizationExists(id: number) {
    return Boolean((await this.db.query('SELECT 1 FROM organizations WHERE id = $1', [id])).rowCount);
  }

  createOrganization(name: string, domains: string[], actor: Actor | null) {
    return transaction(this.db, async (db) => {
      await lockDomains(db, domains);
      return insertOrganization(db, name, domains, actor);
    });
  }
}

/** The domain and every domain above it that an organization could have (mail.contoso.com, contoso.com). */
function domainAndParents(domain: string): string[] {
  const labels = domain.toLowerCase().split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

/**
 * Until the transaction ends, the only one making an organization of these email domains or of any domain above them
 * (an organization of contoso.com also has mail.contoso.com): two contacts of a new company at once wait for each
 * other, and the second finds the first's organization. Locked in one order, so two callers never hold what the other waits for (across several contacts: lockNewContacts).
 */
async function lockDomains(db: Queryable, domains: string[]): Promise<void> {
  const all = [...new Set(domains.flatMap(domainAndParents))].sort();
  for (const domain of all)
    await db.query("SELECT pg_advisory_xact_lock(hashtextextended('organization domain ' || $1, 0))", [domain]);
}

/** The organization of the domain or of the nearest domain above it (mail.contoso.com → contoso.com). */
async function organizationIdForDomain(db: Queryable, domain: string): Promise<number | null> {
  const candidates = domainAndParents(domain);
  const { rows } = await db.query<{ organization_id: number }>(
    `SELECT organization_id FROM organization_domains WHERE domain = ANY($1::text[])
      ORDER BY length(domain) DESC LIMIT 1`,
    [candidates],
  );
  return rows[0]?.organization_id ?? null;
}

/** Call inside a transaction. */
async function insertOrganization(db: Queryable, name: string, domains: string[], actor: Actor | null) {
  const { rows } = await db.query<{ id: number }>(
    'INSERT INTO organizations (name, created_at) VALUES ($1, $2) RETURNING id',
    [name, actor?.at ?? new Date().toISOString()],
  );
  const id = rows[0].id;
  for (const domain of domains)
    await db.query('INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)', [
      domain.toLowerCase(),
      id,
    ]);
  await writeAudit(db, actor, 'organization', id, 'create', { name, domains });
  return id;
}

/**
 * Takes, in one order, the locks insertContact takes for each of these new contacts (their emails, then their new
 * companies' domains): a transaction that makes two (a customer and a referrer) then never waits for one that makes
 * the same two the other way round while holding what it waits for. Call inside the transaction, before them.
 */
export async function lockNewContacts(db: Queryable, contacts: NewContactFields[]): Promise<void> {
  const emails = [...new Set(contacts.flatMap((c) => (c.email === null ? [] : [c.email.toLowerCase()])))].sort();
  for (const email of emails)
    await db.query("SELECT pg_advisory_xact_lock(hashtextextended('contact email ' || lower($1), 0))", [email]);
  await lockDomains(
    db,
    contacts.flatMap((c) => (c.organizationId === null && c.newOrganization ? [c.newOrganization.domain] : [])),
  );
}

/**
 * Inserts a contact unless one with the same email (in any case) exists: the unique index decides, so two
 * concurrent creates still make one contact. Call inside a transaction.
 */
export async function insertContact(
  db: Queryable,
  fields: NewContactFields,
  actor: Actor | null,
): Promise<{ id: number; created: boolean }> {
  const at = actor?.at ?? new Date().toISOString();
  const existing = async () =>
    (await db.query<{ id: number }>('SELECT id FROM contacts WHERE lower(email) = lower($1)', [fields.email])).rows[0]
      ?.id;
  if (fields.email !== null) {
    // Until the transaction ends, the only one making a contact of this email: a second waits, then finds the first,
    // and never makes the new company's organization only to lose the email to the first.
    await db.query("SELECT pg_advisory_xact_lock(hashtextextended('contact email ' || lower($1), 0))", [fields.email]);
    const id = await existing();
    if (id !== undefined) return { id, created: false };
  }
  let organizationId = fields.organizationId;
  if (organizationId === null && fields.newOrganization) {
    const { name, domain } = fields.newOrganization;
    await lockDomains(db, [domain]);
    organizationId =
      (await organizationIdForDomain(db, domain)) ?? (await insertOrganization(db, name, [domain], actor));
  }
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO contacts (name, email, phone, organization_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT ((lower(email))) DO NOTHING RETURNING id`,
    [fields.name, fields.email, fields.phone, organizationId, at],
  );
  if (inserted.rows[0]) {
    await writeAudit(db, actor, 'contact', inserted.rows[0].id, 'create', { ...fields, organizationId });
    return { id: inserted.rows[0].id, created: true };
  }
  return { id: await existing(), created: false };
}
