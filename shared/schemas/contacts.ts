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

/** Either `email` (one or several, exact match) or `q` (prefix on name or email). */
export const ContactSearchQuery = Paging.extend({
  email: repeated(EmailAddress).optional(),
  q: SearchText.optional(),
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
