import type { z } from 'zod';
import type { Contact, ContactSearchQuery, NewContact } from '../../shared/schemas/contacts';
import { BadRequestError } from '../errors';
import type { NewContactFields } from '../repository/repository';
import { actorOf, pageOf, type Caller, type Page, type ServiceContext } from './context';
import { domainOf, PUBLIC_MAIL_DOMAINS } from './public-mail-domains';

export class ContactService {
  constructor(private readonly ctx: ServiceContext) {}

  async search(query: z.output<typeof ContactSearchQuery>): Promise<Page<Contact>> {
    const { email, q } = query;
    if (email?.length) {
      return pageOf(query, async (limit, offset) =>
        (await this.ctx.repo.contacts.findByEmails(email)).slice(offset, offset + limit),
      );
    }
    if (q) return pageOf(query, (limit, offset) => this.ctx.repo.contacts.search(q, limit, offset));
    throw new BadRequestError('Search contacts by email or by q.', [{ path: 'query.q', message: 'Give q or email' }]);
  }

  /** The fields of a new contact, with its organization matched by email domain unless given. */
  async prepare(input: z.output<typeof NewContact>, path: string): Promise<NewContactFields> {
    let organizationId = input.organizationId ?? null;
    if (organizationId !== null && !(await this.ctx.repo.contacts.organizationExists(organizationId))) {
      throw new BadRequestError(`No organization has the id ${organizationId}.`, [
        { path: `${path}.organizationId`, message: 'Unknown organization' },
      ]);
    }
    if (organizationId === null && input.email) {
      const domain = domainOf(input.email);
      if (!PUBLIC_MAIL_DOMAINS.has(domain))
        organizationId = await this.ctx.repo.contacts.organizationIdForDomain(domain);
    }
    return { name: input.name, email: input.email ?? null, phone: input.phone ?? null, organizationId };
  }

  /** Never makes a second contact with the same email: that one is returned with created = false. */
  async create(caller: Caller, input: z.output<typeof NewContact>): Promise<{ contact: Contact; created: boolean }> {
    const fields = await this.prepare(input, 'body');
    return this.ctx.repo.contacts.createOrFind(fields, actorOf(caller, this.ctx.clock));
  }
}
