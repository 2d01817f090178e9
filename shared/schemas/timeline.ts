import { z } from 'zod';
import { AdvisorRef, Cursor, CursorPaging, Id, IsoDateTime } from './common';
import { Activity, ActivityStatus } from './activities';
import { Note } from './notes';
import { Opportunity, Referrer } from './opportunities';

export const Assignment = z
  .object({
    id: Id,
    opportunityId: Id,
    from: AdvisorRef.nullable(),
    to: AdvisorRef,
    by: AdvisorRef,
    /** Private, like a note shared with the new owner: only the assigner and the assignee see it. */
    message: z.string().nullable(),
    /** True when there is a message the caller may not see (they are neither the assigner nor the assignee). */
    messageHidden: z.boolean(),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'Assignment' });
export type Assignment = z.infer<typeof Assignment>;

/** A close or reopen of the opportunity: who did it and when, and for a close its outcome, value and reason. */
export const OpportunityEvent = z
  .object({
    id: Id,
    opportunityId: Id,
    kind: z.enum(['closed', 'reopened', 'referred']),
    /** For a close: won or lost. */
    outcome: z.enum(['won', 'lost']).nullable(),
    /** For a close: the actual value, when given. */
    value: z.number().nullable(),
    reason: z.string().nullable(),
    /** For `referred`: who referred it from then on; null when the referrer was cleared. */
    referredBy: Referrer.nullable(),
    by: AdvisorRef,
    createdAt: IsoDateTime,
  })
  .meta({ id: 'OpportunityEvent' });
export type OpportunityEvent = z.infer<typeof OpportunityEvent>;

/** How many of each part of the timeline the detail holds; older ones come page by page (see the list endpoints). */
export const TIMELINE_FIRST_PAGE = 25;

/**
 * One opportunity with the newest page of each part of its history the caller may see: activities
 * (newest first by sent, start or creation time), notes and assignments (newest first). Each part's
 * next cursor, when not null, is the `before` of its list endpoint for the older entries.
 */
export const OpportunityDetail = z
  .object({
    opportunity: Opportunity,
    activities: z.array(Activity).max(TIMELINE_FIRST_PAGE),
    activitiesNextCursor: Cursor.nullable(),
    /** Only the notes the caller wrote or that are shared with them (directly or through a team). */
    notes: z.array(Note).max(TIMELINE_FIRST_PAGE),
    notesNextCursor: Cursor.nullable(),
    assignments: z.array(Assignment).max(TIMELINE_FIRST_PAGE),
    assignmentsNextCursor: Cursor.nullable(),
    /** Closes, reopens and changes of who referred it, newest first. */
    events: z.array(OpportunityEvent).max(TIMELINE_FIRST_PAGE),
    eventsNextCursor: Cursor.nullable(),
  })
  .meta({ id: 'OpportunityDetail' });
export type OpportunityDetail = z.infer<typeof OpportunityDetail>;

/** A page of an opportunity's activities, newest first; `status` narrows it (e.g. the open ones before closing). */
export const ActivityPageQuery = CursorPaging.extend({ status: ActivityStatus.optional() });
export type ActivityPageQuery = z.input<typeof ActivityPageQuery>;

/** The most open activities a close answer lists; `openActivitiesTotal` says how many there are. */
export const CLOSE_OPEN_ACTIVITIES_MAX = 50;

export const CloseResult = z
  .object({
    opportunity: Opportunity,
    /** Activities regarding the opportunity that are still open (newest first, at most 50): the client should offer to complete or cancel them. */
    openActivities: z.array(Activity).max(CLOSE_OPEN_ACTIVITIES_MAX),
    /** How many activities regarding it are open in all; more than listed means: page through them with `status=open`. */
    openActivitiesTotal: z.number().int(),
  })
  .meta({ id: 'CloseResult' });
export type CloseResult = z.infer<typeof CloseResult>;
