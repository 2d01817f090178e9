import { z } from 'zod';
import { EmailAddress, Id, IsoDateTime, Paging, SearchText, repeated } from './common';

export const OrganizationRef = z.object({ id: Id, name: z.string() }).meta({ id: 'OrganizationRef' });
export type OrganizationRef = z.infer<typeof OrganizationRef>;

export const Contact = z
  .object({
    id: Id,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    organization: OrganizationRef.nullable(),
    createdAt: IsoDateTime,
    /** Open opportunities whose potential customer is this contact. */
    openOpportunities: z.array(z.object({ id: Id, topic: z.string(), ownerId: Id })),
  })
  .meta({ id: 'Contact' });
export type Contact = z.infer<typeof Contact>;

/** Either `email` (one or several, exact match) or `q` (word prefixes of the name or email, or the phone's digits). */
export const ContactSearchQuery = Paging.extend({
  email: repeated(EmailAddress).optional(),
  q: SearchText.optional().describe(
    'Word prefixes of the name or email, or the digits of a phone (with or without a country code or trunk 0); with q, newest first.',
  ),
});

export const NewContact = z
  .object({
    name: z.string().trim().min(1).max(200),
    email: EmailAddress.optional(),
    phone: z.string().trim().max(50).optional(),
    /** Leave out to match an organization by the email's domain (public mail domains never match). */
    organizationId: Id.optional(),
  })
  .meta({ id: 'NewContact' });
export type NewContact = z.input<typeof NewContact>;

export const Organization = z
  .object({ id: Id, name: z.string(), domains: z.array(z.string()), createdAt: IsoDateTime })
  .meta({ id: 'Organization' });
export type Organization = z.infer<typeof Organization>;

/** Word prefixes of the organization's name or of one of its email domains. */
export const OrganizationSearchQuery = Paging.extend({ q: SearchText.min(1) });

export const NewOrganization = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** An email domain of its people (e.g. contoso.com): contacts created later with it join the organization. */
    domain: z
      .string()
      .trim()
      .toLowerCase()
      .max(253)
      .regex(
        /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'Expected a domain such as contoso.com',
      )
      .optional(),
  })
  .meta({ id: 'NewOrganization' });
export type NewOrganization = z.input<typeof NewOrganization>;
