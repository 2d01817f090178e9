import type { z } from 'zod';
import type {
  Contact,
  ContactSearchQuery,
  NewContact,
  NewOrganization,
  Organization,
  OrganizationSearchQuery,
} from '../../shared/schemas/contacts';
import { BadRequestError, ConflictError } from '../errors';
import type { NewContactFields } from '../repository/repository';
import { organizationNameForDomain, registrableDomain } from './company-domains';
import { actorOf, pageOf, type Caller, type Page, type ServiceContext } from './context';
import { domainOf, isPublicMailDomain } from './public-mail-domains';

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

  searchOrganizations(query: z.output<typeof OrganizationSearchQuery>): Promise<Page<Organization>> {
    return pageOf(query, (limit, offset) => this.ctx.repo.contacts.searchOrganizations(query.q, limit, offset));
  }

  async createOrganization(caller: Caller, body: z.output<typeof NewOrganization>): Promise<Organization> {
    if (body.domain && isPublicMailDomain(body.domain)) {
      throw new BadRequestError(`${body.domain} is a public mail domain: its people are not one organization.`, [
        { path: 'body.domain', message: 'Public mail domain' },
      ]);
    }
    const created = await this.ctx.repo.contacts.createOrganizationWithDomain(
      body.name,
      body.domain ?? null,
      actorOf(caller, this.ctx.clock),
    );
    if (created === 'domain-taken') {
      throw new ConflictError(`Another organization has the domain ${body.domain}.`, [
        { path: 'body.domain', message: 'Another organization has this domain' },
      ]);
    }
    return created;
  }

  /**
   * The fields of a new contact, with its organization matched by email domain unless given; a company
   * domain no organization has yet gets a new one (made in the contact's transaction), a public mail domain never.
   */
  async prepare(input: z.output<typeof NewContact>, path: string): Promise<NewContactFields> {
    let organizationId = input.organizationId ?? null;
    let newOrganization = null;
    if (organizationId !== null && !(await this.ctx.repo.contacts.organizationExists(organizationId))) {
      throw new BadRequestError(`No organization has the id ${organizationId}.`, [
        { path: `${path}.organizationId`, message: 'Unknown organization' },
      ]);
    }
    if (organizationId === null && input.email) {
      const domain = domainOf(input.email);
      if (!isPublicMailDomain(domain)) {
        organizationId = await this.ctx.repo.contacts.organizationIdForDomain(domain);
        // Registered without its host (mail.contoso.com → contoso.com), so every host of the company joins it.
        if (organizationId === null)
          newOrganization = { name: organizationNameForDomain(domain), domain: registrableDomain(domain) };
      }
    }
    return {
      name: input.name,
      email: input.email ?? null,
      phone: input.phone ?? null,
      organizationId,
      newOrganization,
    };
  }

  /** Never makes a second contact with the same email: that one is returned with created = false. */
  async create(caller: Caller, input: z.output<typeof NewContact>): Promise<{ contact: Contact; created: boolean }> {
    const fields = await this.prepare(input, 'body');
    return this.ctx.repo.contacts.createOrFind(fields, actorOf(caller, this.ctx.clock));
  }
}
