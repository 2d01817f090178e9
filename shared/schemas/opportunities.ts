import { z } from 'zod';
import { STAGES } from '../constants';
import {
  AdvisorRef,
  Id,
  IdText,
  IsoDate,
  IsoDateTime,
  Money,
  Paging,
  SearchText,
  repeated,
  EmailAddress,
} from './common';
import { NewContact, OrganizationRef } from './contacts';
import { NoteShareTargets } from './notes';
import { OutlookItem } from './activities';

export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;
export { STAGES };

export const OpportunityStatus = z.enum(['open', 'won', 'lost']);
export type OpportunityStatus = z.infer<typeof OpportunityStatus>;

export const Campaign = z.object({ id: Id, name: z.string() }).meta({ id: 'Campaign' });
export type Campaign = z.infer<typeof Campaign>;

export const CustomerContactRef = z
  .object({ id: Id, name: z.string(), email: z.string().nullable() })
  .meta({ id: 'CustomerContactRef' });

/** Who referred the opportunity: an advisor, or a contact (e.g. a client who gave the referral). */
export const Referrer = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('advisor'), id: Id, name: z.string(), email: z.string() }),
    z.object({ kind: z.literal('contact'), id: Id, name: z.string(), email: z.string().nullable() }),
  ])
  .meta({ id: 'Referrer' });
export type Referrer = z.infer<typeof Referrer>;

/** Sets who referred it: an advisor or an existing contact. */
export const ReferrerChoice = z
  .union([z.object({ advisorId: Id }).strict(), z.object({ contactId: Id }).strict()])
  .meta({ id: 'ReferrerChoice' });
export type ReferrerChoice = z.input<typeof ReferrerChoice>;

export const OpportunitySummary = z
  .object({
    id: Id,
    topic: z.string(),
    status: OpportunityStatus,
    stage: Stage,
    customerContact: CustomerContactRef.nullable(),
    customerOrganization: OrganizationRef.nullable(),
    campaign: Campaign,
    owner: AdvisorRef,
    createdBy: AdvisorRef,
    estimatedValue: z.number().nullable(),
    estimatedCloseDate: IsoDate.nullable(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    version: z.number().int(),
    referredBy: Referrer.nullable(),
  })
  .meta({ id: 'OpportunitySummary' });
export type OpportunitySummary = z.infer<typeof OpportunitySummary>;

export const Opportunity = OpportunitySummary.extend({
  description: z.string().nullable(),
  actualValue: z.number().nullable(),
  actualCloseDate: IsoDate.nullable(),
  closeReason: z.string().nullable(),
  /** When the current owner was given the opportunity. */
  assignedAt: IsoDateTime,
  /** Whether the caller may change, assign, close or reopen it. */
  canAct: z.boolean(),
}).meta({ id: 'Opportunity' });
export type Opportunity = z.infer<typeof Opportunity>;

/**
 * One line of the Set Regarding lookup: what an advisor needs to pick the right opportunity while
 * typing (topic, customer, owner, stage), a fifth of a summary's size.
 */
export const OpportunityChoice = z
  .object({
    id: Id,
    topic: z.string(),
    status: OpportunityStatus,
    stage: Stage,
    customerName: z.string().describe("The customer contact's name, else the customer organization's."),
    ownerName: z.string().describe("The owner's display name."),
  })
  .meta({ id: 'OpportunityChoice' });
export type OpportunityChoice = z.infer<typeof OpportunityChoice>;

export const OpportunityView = z
  .enum(['my-open', 'team-open', 'all-open', 'recent', 'closed', 'team-closed'])
  .describe("closed: mine; team-closed: my teams' and mine (managers only)");
export type OpportunityView = z.infer<typeof OpportunityView>;

export const OpportunityListQuery = Paging.extend({
  view: OpportunityView.default('my-open'),
  q: SearchText.optional().describe(
    'Type-ahead. A word is a run of letters and digits, compared without case and without the accents Unicode ' +
      'decomposition takes off (é is e; æ and ø stay themselves). Every typed word (at most 8) must be the start of ' +
      "a word of the topic or of the customer's name, email or organization. Order, on every storage: with q, the " +
      'newest opportunity first (the highest id); without q, the last changed first (updatedAt, then the highest ' +
      'id); in Recent, with or without q, the last used first.',
  ),
  referredByAdvisorId: IdText.optional().describe('Only opportunities this advisor referred.'),
  referredByContactId: IdText.optional().describe('Only opportunities this contact referred.'),
});
export type OpportunityListQuery = z.input<typeof OpportunityListQuery>;

export const SuggestionQuery = z.object({
  email: repeated(EmailAddress),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const CustomerChoice = z
  .union([
    z.object({ contactId: Id }).strict(),
    z.object({ organizationId: Id }).strict(),
    z.object({ newContact: NewContact }).strict(),
  ])
  .describe('The potential customer: an existing contact, an organization, or a new contact (matched by email first).')
  .meta({ id: 'CustomerChoice' });
export type CustomerChoice = z.input<typeof CustomerChoice>;

export const CreateOpportunityRequest = z
  .object({
    topic: z.string().trim().min(1).max(300),
    description: z.string().trim().max(10_000).optional(),
    customer: CustomerChoice,
    /** Defaults to the Referral campaign. */
    campaignId: Id.optional(),
    stage: Stage.default('qualify'),
    estimatedValue: Money.optional(),
    estimatedCloseDate: IsoDate.optional(),
    /** Who should handle it; defaults to the caller. */
    ownerId: Id.optional(),
    /** A first note; it is always shared with the owner. */
    note: z.object({ body: z.string().trim().min(1).max(10_000), shareWith: NoteShareTargets.optional() }).optional(),
    /** An Outlook item to link to the new opportunity (Set Regarding) in the same transaction. */
    linkItem: OutlookItem.optional(),
    /** Who referred it; a new contact (e.g. the email's sender) is matched by email first, as the customer is. */
    referredBy: z.union([ReferrerChoice, z.object({ newContact: NewContact }).strict()]).optional(),
  })
  .meta({ id: 'CreateOpportunityRequest' });
export type CreateOpportunityRequest = z.input<typeof CreateOpportunityRequest>;

export const UpdateOpportunityRequest = z
  .object({
    topic: z.string().trim().min(1).max(300).optional(),
    description: z.string().trim().max(10_000).nullable().optional(),
    campaignId: Id.optional(),
    stage: Stage.optional(),
    estimatedValue: Money.nullable().optional(),
    estimatedCloseDate: IsoDate.nullable().optional(),
    /** null clears it. */
    referredBy: ReferrerChoice.nullable().optional(),
  })
  // An edit that changes nothing would still move the version and make others' If-Match stale.
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message:
      'Send at least one of topic, description, campaignId, stage, estimatedValue, estimatedCloseDate, referredBy',
  })
  .meta({ id: 'UpdateOpportunityRequest' });
export type UpdateOpportunityRequest = z.input<typeof UpdateOpportunityRequest>;

export const AssignRequest = z
  .object({ ownerId: Id, message: z.string().trim().max(2000).optional() })
  .meta({ id: 'AssignRequest' });
export type AssignRequest = z.input<typeof AssignRequest>;

export const CloseRequest = z
  .object({
    outcome: z.enum(['won', 'lost']),
    actualValue: Money.optional(),
    closeDate: IsoDate.optional(),
    reason: z.string().trim().max(2000).optional(),
  })
  .meta({ id: 'CloseRequest' });
export type CloseRequest = z.input<typeof CloseRequest>;
