import { z } from 'zod';
import { IsoDateTime, Paging } from './common';
import { OpportunityStatus, OpportunitySummary, Stage } from './opportunities';
import { Assignment } from './timeline';
import { Note } from './notes';

export const WorkScope = z.enum(['me', 'team']);
export const ReportScope = z
  .enum(['me', 'team', 'all'])
  .describe("me: my opportunities; team: my teams' (managers only); all: the firm's (admins only)");

export const AttentionReason = z
  .object({
    code: z.enum(['untouched', 'no-next-step', 'past-close-date', 'no-activity']),
    /** untouched: when it was assigned; no-activity: when it was created; past-close-date: the estimated close date. */
    since: z.string().nullable(),
    /**
     * The moment the rule was met, in the owner's time zone and business days: untouched and no-activity,
     * the threshold crossed; past-close-date, the owner's local midnight after the close date; null for
     * no-next-step (it has no moment).
     */
    due: IsoDateTime.nullable(),
  })
  .meta({ id: 'AttentionReason' });
export type AttentionReason = z.infer<typeof AttentionReason>;

export const NeedsAttentionItem = z
  .object({ opportunity: OpportunitySummary, reasons: z.array(AttentionReason).min(1) })
  .meta({ id: 'NeedsAttentionItem' });
export type NeedsAttentionItem = z.infer<typeof NeedsAttentionItem>;

/** Paged like the lists: limit (at most 100, 25 by default) and offset; most recently changed first. */
export const NeedsAttentionQuery = Paging.extend({ scope: WorkScope.default('me') });
export const NeedsAttention = z
  .object({
    items: z.array(NeedsAttentionItem),
    /** Offset of the next page, or null when this is the last page. */
    nextOffset: z.number().int().nullable(),
    /** How many opportunities need attention in all. */
    total: z.number().int(),
  })
  .meta({ id: 'NeedsAttention' });
export type NeedsAttention = z.infer<typeof NeedsAttention>;

/** The most notes a new-for-me item carries (the newest); the opportunity has them all. */
export const NEW_FOR_ME_NOTES_MAX = 5;

/** Opportunities assigned to me since I last looked, with who assigned them and the notes I can see. */
export const NewForMeItem = z
  .object({
    opportunity: OpportunitySummary,
    assignment: Assignment,
    notes: z.array(Note).max(NEW_FOR_ME_NOTES_MAX),
    /** True when I may see more notes on it than these: open the opportunity for them. */
    moreNotes: z.boolean(),
  })
  .meta({ id: 'NewForMeItem' });
export type NewForMeItem = z.infer<typeof NewForMeItem>;
/** Paged like the lists: limit (at most 100, 25 by default) and offset; newest assignment first. */
export const NewForMeQuery = Paging;
export const NewForMe = z
  .object({ since: IsoDateTime.nullable(), items: z.array(NewForMeItem), nextOffset: z.number().int().nullable() })
  .meta({ id: 'NewForMe' });
export type NewForMe = z.infer<typeof NewForMe>;

export const ReportQuery = z.object({ scope: ReportScope.default('me') });
export const StageReport = z
  .object({
    scope: ReportScope,
    /** When the data was read: days in stage count up to here (up to REPORT_CACHE_SECONDS old; an advisor's or team's only while nothing in it changed). */
    asOf: IsoDateTime,
    rows: z.array(
      z.object({
        stage: Stage,
        status: OpportunityStatus,
        count: z.number().int(),
        estimatedValue: z.number(),
        actualValue: z.number(),
      }),
    ),
    /** For open opportunities: how long they have been in their current stage. */
    daysInStage: z.array(
      z.object({
        stage: Stage,
        open: z.number().int(),
        medianDays: z.number().nullable(),
        maxDays: z.number().nullable(),
      }),
    ),
  })
  .meta({ id: 'StageReport' });
export type StageReport = z.infer<typeof StageReport>;
