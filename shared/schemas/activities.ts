import { z } from 'zod';
import { STAGES } from '../constants';
import { AdvisorRef, EmailAddress, Id, IsoDateTime } from './common';

export const ActivityKind = z.enum(['email', 'appointment', 'phone_call', 'task']);
export type ActivityKind = z.infer<typeof ActivityKind>;

export const ActivityStatus = z.enum(['open', 'completed', 'canceled']);
export type ActivityStatus = z.infer<typeof ActivityStatus>;

export const ParticipantRole = z.enum(['from', 'to', 'cc', 'organizer', 'attendee']);

export const Participant = z
  .object({
    email: EmailAddress,
    name: z.string().trim().max(200).optional(),
    role: ParticipantRole,
  })
  .meta({ id: 'Participant' });
export type Participant = z.input<typeof Participant>;

const OutlookIdentity = z.string().trim().min(1).max(1000);

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
    subject: z.string().max(1000).default(''),
    participants: z.array(Participant).max(500).default([]),
    sentAt: IsoDateTime.optional(),
    startAt: IsoDateTime.optional(),
    endAt: IsoDateTime.optional(),
    location: z.string().max(1000).optional(),
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

/** A phone call or task (a next step), recorded directly on an opportunity. */
export const CreateActivityRequest = z
  .object({
    kind: z.enum(['phone_call', 'task']),
    subject: z.string().trim().min(1).max(1000),
    opportunityId: Id,
    startAt: IsoDateTime.optional(),
    endAt: IsoDateTime.optional(),
  })
  .meta({ id: 'CreateActivityRequest' });

export const UpdateActivityStatusRequest = z
  .object({ status: ActivityStatus })
  .meta({ id: 'UpdateActivityStatusRequest' });

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
    subject: z.string().max(1000),
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
