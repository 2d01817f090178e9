import type { Db } from '../../db/connection';
import type { Contact } from '../../../shared/schemas/contacts';
import type { Actor, ContactStore, NewContactFields } from '../repository';
import { likePrefix, list, writeAudit, sql } from './support';
import { write } from './writes';

interface ContactRow {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  organization_id: number | null;
  organization_name: string | null;
  created_at: string;
}

const SELECT_CONTACT = `SELECT c.*, g.name AS organization_name FROM contacts c
  LEFT JOIN organizations g ON g.id = c.organization_id`;

export class SqliteContactStore implements ContactStore {
  constructor(private readonly db: Db) {}

  private toContacts(rows: ContactRow[]): Contact[] {
    const open = sql(
      this.db,
      `SELECT id, topic, owner_id, customer_contact_id FROM opportunities
         WHERE status = 'open' AND customer_contact_id IN (SELECT value FROM json_each(?)) ORDER BY updated_at DESC`,
    ).all(list(rows.map((row) => row.id))) as {
      id: number;
      topic: string;
      owner_id: number;
      customer_contact_id: number;
    }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      phone: row.phone,
      organization: row.organization_id ? { id: row.organization_id, name: row.organization_name! } : null,
      createdAt: row.created_at,
      openOpportunities: open
        .filter((o) => o.customer_contact_id === row.id)
        .map((o) => ({ id: o.id, topic: o.topic, ownerId: o.owner_id })),
    }));
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
    const rows = sql(
      this.db,
      `${SELECT_CONTACT} WHERE c.name LIKE :prefix ESCAPE '\\' OR c.name LIKE '% ' || :prefix ESCAPE '\\'
           OR c.email LIKE :prefix ESCAPE '\\'
         ORDER BY c.name COLLATE NOCASE, c.id LIMIT :limit OFFSET :offset`,
    ).all({ prefix: likePrefix(q), limit, offset }) as ContactRow[];
    return this.toContacts(rows);
  }

  async createOrFind(fields: NewContactFields, actor: Actor | null) {
    const result = await write(this.db, () => insertContact(this.db, fields, actor));
    return { contact: (await this.findById(result.id))!, created: result.created };
  }

  async organizationIdForDomain(domain: string) {
    return (
      (sql(this.db, 'SELECT organization_id FROM organization_domains WHERE domain = ?').pluck().get(domain) as
        number | undefined) ?? null
    );
  }

  async organizationExists(id: number) {
    return sql(this.db, 'SELECT 1 FROM organizations WHERE id = ?').get(id) !== undefined;
  }

  async createOrganization(name: string, domains: string[], actor: Actor | null) {
    return write(this.db, () => {
      const id = Number(
        sql(this.db, 'INSERT INTO organizations (name, created_at) VALUES (?, ?)').run(
          name,
          actor?.at ?? new Date().toISOString(),
        ).lastInsertRowid,
      );
      const addDomain = sql(this.db, 'INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)');
      for (const domain of domains) addDomain.run(domain.toLowerCase(), id);
      writeAudit(this.db, actor, 'organization', id, 'create', { name, domains });
      return id;
    });
  }
}

/**
 * Inserts a contact unless one with the same email exists (the UNIQUE index decides, so two
 * concurrent creates still make one contact). Call inside a transaction.
 */
export function insertContact(db: Db, fields: NewContactFields, actor: Actor | null): { id: number; created: boolean } {
  const at = actor?.at ?? new Date().toISOString();
  const inserted = sql(
    db,
    `INSERT INTO contacts (name, email, phone, organization_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id`,
  ).get(fields.name, fields.email, fields.phone, fields.organizationId, at, at) as { id: number } | undefined;
  if (inserted) {
    writeAudit(db, actor, 'contact', inserted.id, 'create', fields);
    return { id: inserted.id, created: true };
  }
  const existing = sql(db, 'SELECT id FROM contacts WHERE email = ?').pluck().get(fields.email) as number;
  return { id: existing, created: false };
}
