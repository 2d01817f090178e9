import { z } from 'zod';
import { STAGES } from '../constants';
import { dropNul } from '../text';
import { AdvisorRef, EmailAddress, Id, IsoDateTime, visibleText } from './common';

export const ActivityKind = z.enum(['email', 'appointment', 'phone_call', 'task']);
export type ActivityKind = z.infer<typeof ActivityKind>;

export const ActivityStatus = z.enum(['open', 'completed', 'canceled']);
export type ActivityStatus = z.infer<typeof ActivityStatus>;

export const ParticipantRole = z.enum(['from', 'to', 'cc', 'organizer', 'attendee']);

// Text Outlook reads from an item (its subject, location, names, identities) has its NUL characters (a malformed
// message's) dropped: never a reason to refuse the link. Text an advisor sends is refused with one instead.

export const Participant = z
  .object({
    email: EmailAddress,
    name: z.string().overwrite(dropNul).trim().max(200).optional(),
    role: ParticipantRole,
  })
  .meta({ id: 'Participant' });
export type Participant = z.input<typeof Participant>;

export const OutlookIdentity = z.string().overwrite(dropNul).trim().min(1).max(1000);

/**
 * An Outlook email or appointment as the add-in sees it. Its identity, in order of preference:
 * `internetMessageId` (a received or sent email: the same for every mailbox), `trackingToken`
 * (a compose draft: a token the add-in writes into the item and its internet headers), then
 * `itemId` (an appointment: `seriesId` for a recurring series, else the item id).
 */
export const OutlookItem = z
  .object({
    kind: z.enum(['email', 'appointment']),
    internetMessageId: OutlookIdentity.optional(),
    trackingToken: z.uuid().optional(),
    itemId: OutlookIdentity.optional(),
    conversationId: OutlookIdentity.optional(),
    subject: z.string().overwrite(dropNul).max(1000).default('').describe('A NUL character in it is dropped.'),
    participants: z.array(Participant).max(500).default([]),
    sentAt: IsoDateTime.optional(),
    startAt: IsoDateTime.optional(),
    endAt: IsoDateTime.optional(),
    location: z.string().overwrite(dropNul).max(1000).optional(),
    mailbox: EmailAddress.nullable()
      .optional()
      .describe(
        "The owner's address when the item is in a shared folder or shared mailbox (Outlook's getSharedPropertiesAsync); absent or null in the advisor's own mailbox.",
      ),
  })
  .refine((item) => item.internetMessageId || item.trackingToken || item.itemId, {
    message: 'An item needs an internetMessageId, a trackingToken or an itemId',
    path: ['internetMessageId'],
  })
  .meta({ id: 'OutlookItem' });
export type OutlookItem = z.input<typeof OutlookItem>;

/** The opportunity an activity is regarding, with what a card about it shows. */
export const RegardingRef = z
  .object({
    id: Id,
    topic: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    stage: z.enum(STAGES),
    owner: AdvisorRef,
    customerName: z.string().nullable(),
  })
  .meta({ id: 'RegardingRef' });

/** In place of RegardingRef when the caller may not read the opportunity (a closed one of someone else). */
export const HiddenRegardingRef = z
  .object({ id: Id, hidden: z.literal(true) })
  .describe('The item is regarding an opportunity the caller may not read: nothing about it is shown.')
  .meta({ id: 'HiddenRegardingRef' });

export const CallDirection = z.enum(['incoming', 'outgoing']);

const LabelRef = z.object({ id: Id, key: z.string(), name: z.string() });

export const Activity = z
  .object({
    id: Id,
    kind: ActivityKind,
    subject: z.string(),
    status: ActivityStatus,
    participants: z.array(z.object({ email: z.string(), name: z.string().nullable(), role: ParticipantRole })),
    sentAt: IsoDateTime.nullable(),
    startAt: IsoDateTime.nullable(),
    endAt: IsoDateTime.nullable(),
    location: z.string().nullable(),
    regarding: z.union([RegardingRef, HiddenRegardingRef]).nullable(),
    outlook: z.object({
      internetMessageId: z.string().nullable(),
      conversationId: z.string().nullable(),
      itemId: z.string().nullable(),
      trackingToken: z
        .string()
        .nullable()
        .describe('Shown only to the advisor who wrote it (their draft); null for anyone else and in timelines.'),
      /** A compose-mode link waiting for the sent message's internetMessageId. */
      pending: z.boolean(),
      mailbox: z
        .string()
        .nullable()
        .describe(
          'The shared folder or shared mailbox the item was last linked in (its owner); null: the linker’s own.',
        ),
    }),
    createdBy: AdvisorRef,
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    description: z.string().nullable(),
    direction: CallDirection.nullable().describe('A phone call: who called whom.'),
    durationMinutes: z.number().int().nullable(),
    contact: z.object({ id: Id, name: z.string(), email: z.string().nullable() }).nullable(),
    category: LabelRef.nullable(),
    outcome: LabelRef.nullable(),
    scheduledNextStep: z.boolean().describe('A task recorded by "Schedule next step".'),
    replacedById: Id.nullable().describe('The appointment that replaced this canceled next-step task.'),
  })
  .meta({ id: 'Activity' });
export type Activity = z.infer<typeof Activity>;

export const SetRegardingRequest = z
  .object({ item: OutlookItem, opportunityId: Id })
  .meta({ id: 'SetRegardingRequest' });
export type SetRegardingRequest = z.input<typeof SetRegardingRequest>;

export const ChangeRegardingRequest = z.object({ opportunityId: Id }).meta({ id: 'ChangeRegardingRequest' });

export const ActivityLookupQuery = z
  .object({
    internetMessageId: OutlookIdentity.optional(),
    itemId: OutlookIdentity.optional(),
    trackingToken: z.uuid().optional(),
  })
  .refine((q) => q.internetMessageId || q.itemId || q.trackingToken, {
    message: 'Give internetMessageId, itemId or trackingToken',
    path: ['internetMessageId'],
  });

export const CompleteSentRequest = z
  .object({
    internetMessageId: OutlookIdentity,
    conversationId: OutlookIdentity.optional(),
    sentAt: IsoDateTime.optional(),
  })
  .meta({ id: 'CompleteSentRequest' });

/** What a phone call or task may say besides its kind and opportunity, on create and on edit. */
const LoggedFields = {
  subject: visibleText('Give it a subject', 1000),
  startAt: IsoDateTime.describe("A call's date and time; a task's due date and time (absent: an undated task)."),
  endAt: IsoDateTime,
  description: z.string().trim().max(4000, 'At most 4000 characters'),
  direction: CallDirection,
  durationMinutes: z.number().int('Whole minutes').min(0, 'Not negative').max(1440, 'At most 1440 minutes (a day)'),
  contactId: Id,
  categoryId: Id,
  outcomeId: Id,
};

/**
 * A phone call or task, recorded directly on an opportunity: open (a next step while it is in the future,
 * or an undated task), or completed (only if it happened: a call starting more than
 * COMPLETED_CALL_LEEWAY_MINUTES after the server's clock is refused).
 */
export const CreateActivityRequest = z
  .object({
    kind: z.enum(['phone_call', 'task']),
    opportunityId: Id,
    status: z.enum(['open', 'completed']).default('open'),
    subject: LoggedFields.subject,
    startAt: LoggedFields.startAt.optional(),
    endAt: LoggedFields.endAt.optional(),
    description: LoggedFields.description.optional(),
    direction: LoggedFields.direction.optional(),
    durationMinutes: LoggedFields.durationMinutes.optional(),
    contactId: LoggedFields.contactId.optional(),
    categoryId: LoggedFields.categoryId.optional(),
    outcomeId: LoggedFields.outcomeId.optional(),
    scheduledNextStep: z
      .boolean()
      .default(false)
      .describe('Recorded by "Schedule next step": an appointment later linked by the same advisor may replace it.'),
  })
  .meta({ id: 'CreateActivityRequest' });

/**
 * Complete, cancel or reopen an activity, and edit a phone call's or task's fields (null clears one).
 * `replacedById` (with status canceled): the appointment that replaces this scheduled next-step task.
 */
export const UpdateActivityStatusRequest = z
  .object({
    status: ActivityStatus.optional(),
    subject: LoggedFields.subject.optional(),
    startAt: LoggedFields.startAt.nullable().optional(),
    endAt: LoggedFields.endAt.nullable().optional(),
    description: LoggedFields.description.nullable().optional(),
    direction: LoggedFields.direction.nullable().optional(),
    durationMinutes: LoggedFields.durationMinutes.nullable().optional(),
    contactId: LoggedFields.contactId.nullable().optional(),
    categoryId: LoggedFields.categoryId.nullable().optional(),
    outcomeId: LoggedFields.outcomeId.nullable().optional(),
    replacedById: Id.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Give a status or a field to change',
    path: ['status'],
  })
  .refine((body) => body.replacedById === undefined || body.status === 'canceled', {
    message: 'A task is replaced by canceling it: give status canceled',
    path: ['status'],
  })
  .meta({ id: 'UpdateActivityStatusRequest' });
export type UpdateActivityRequest = z.input<typeof UpdateActivityStatusRequest>;

// --- Completing a draft's link from its sent copy when the copy carries no token (issue 12, point 2) ---

/** The most pending drafts one sent message is matched against and shown to the advisor. */
export const DRAFT_MATCHES_MAX = 10;

/**
 * A sent message as the sender's Sent Items copy shows it, where neither the draft's custom property
 * nor its tracking header came through (office-js #4773, #6796, #5467).
 */
export const SentMessageMatchRequest = z
  .object({
    internetMessageId: OutlookIdentity,
    conversationId: OutlookIdentity.optional(),
    subject: z.string().overwrite(dropNul).max(1000).describe("A NUL character in it is dropped, as from the draft's."),
    recipients: z
      .array(EmailAddress)
      .min(1)
      .max(500)
      .describe('Every To and Cc address of the sent message (not the sender).'),
    sentAt: IsoDateTime,
  })
  .meta({ id: 'SentMessageMatchRequest' });
export type SentMessageMatchRequest = z.input<typeof SentMessageMatchRequest>;

export const DraftMatches = z
  .object({
    drafts: z
      .array(Activity)
      .max(DRAFT_MATCHES_MAX)
      .describe(
        "The caller's own pending drafts this message can be, newest first: one completes it, several need the advisor to choose.",
      ),
    more: z.boolean().describe(`More than ${DRAFT_MATCHES_MAX} drafts match: only the newest are listed.`),
  })
  .meta({ id: 'DraftMatches' });
export type DraftMatches = z.infer<typeof DraftMatches>;
