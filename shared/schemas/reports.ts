import { z } from 'zod';
import { IdText, IsoDate, IsoDateTime } from './common';
import { Stage } from './opportunities';
import { ReportScope } from './work';

/** Which opportunities the funnel counts: the scope's, narrowed by every filter given. */
export const FunnelQuery = z
  .object({
    scope: ReportScope.default('me'),
    campaignId: IdText.optional(),
    referrerAdvisorId: IdText.optional().describe('Referred by this advisor'),
    referrerContactId: IdText.optional().describe('Referred by this contact (not with referrerAdvisorId)'),
    ownerId: IdText.optional().describe('Owned by this advisor, who must be within the scope (403 otherwise)'),
    teamId: IdText.optional().describe("Owned by a member of this team: a manager's own teams, any team for an admin"),
    from: IsoDate.optional().describe('Created on or after this day (UTC)'),
    to: IsoDate.optional().describe('Created on or before this day (UTC)'),
  })
  .superRefine((query, ctx) => {
    if (query.referrerAdvisorId !== undefined && query.referrerContactId !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['referrerContactId'],
        message: 'Give one referrer: an advisor or a contact',
      });
    if (query.from && query.to && query.from > query.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must be on or after from' });
  });
export type FunnelQuery = z.input<typeof FunnelQuery>;

export const FunnelStage = z
  .object({
    stage: Stage,
    /** Opportunities that reached this stage or a later one (a skipped stage counts as reached; see README). */
    reached: z.number().int(),
    /** Of those, how many went past it without a recorded stay in it. */
    skipped: z.number().int(),
    /** Reached the next stage or beyond; null for the last stage. */
    converted: z.number().int().nullable(),
    /** converted ÷ reached, 3 decimals; null for the last stage or when none reached it. */
    conversion: z.number().nullable(),
    /** Opportunities with time in this stage (the median and 90th percentile are of these). */
    stayed: z.number().int(),
    /** Each opportunity's total days in the stage, one decimal: open stays up to now, closed ones up to the close. */
    medianDays: z.number().nullable(),
    p90Days: z.number().nullable(),
    /** Closed won or lost while in this stage (the stage they left). */
    won: z.number().int(),
    lost: z.number().int(),
  })
  .meta({ id: 'FunnelStage' });
export type FunnelStage = z.infer<typeof FunnelStage>;

export const Funnel = z
  .object({
    scope: ReportScope,
    /** When the data was read: ongoing stays count up to here (a firm-wide funnel may be up to REPORT_CACHE_SECONDS old). */
    asOf: IsoDateTime,
    stages: z.array(FunnelStage),
  })
  .meta({ id: 'Funnel' });
export type Funnel = z.infer<typeof Funnel>;

/** The same report as CSV: a header row, then one row per stage, the numbers as the JSON has them. */
export const FunnelCsv = z.string();
