import { z } from 'zod';
import { ACTIVITY_POINTS_MAX } from '../constants';
import { Id, IsoDateTime } from './common';
import { ActivityLabel } from './activity-labels';
import { ReportScope } from './work';

/** A category or outcome with the points it is worth: a completed call or task earns its category's plus its outcome's. */
export const ActivityPointsEntry = ActivityLabel.extend({ points: z.number().int() }).meta({
  id: 'ActivityPointsEntry',
});
export type ActivityPointsEntry = z.infer<typeof ActivityPointsEntry>;

export const ActivityPointsTable = z
  .object({ entries: z.array(ActivityPointsEntry) })
  .meta({ id: 'ActivityPointsTable' });
export type ActivityPointsTable = z.infer<typeof ActivityPointsTable>;

export const Points = z
  .number({ error: 'Give a whole number of points' })
  .int('Give a whole number of points')
  .min(0, 'At least 0 points')
  .max(ACTIVITY_POINTS_MAX, `At most ${ACTIVITY_POINTS_MAX} points`);

/** Only the entries named change; the answer is the whole table. */
export const UpdateActivityPointsRequest = z
  .object({
    entries: z
      .array(z.object({ labelId: Id, points: Points }))
      .min(1, 'Give at least one entry')
      .max(500)
      .refine((entries) => new Set(entries.map((e) => e.labelId)).size === entries.length, 'Name each entry once'),
  })
  .meta({ id: 'UpdateActivityPointsRequest' });

/**
 * A calendar month, YYYY-MM, in years 1970 to 9998: Date.UTC would read 0000–0099 as 19xx, and the month after 9999-12 has no ISO date.
 */
export const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A month as YYYY-MM')
  .refine((month) => month >= '1970-01' && month <= '9998-12', 'A month from 1970-01 to 9998-12');

export const PointsReportQuery = z.object({
  scope: ReportScope.default('me'),
  month: Month.optional().describe("YYYY-MM; by default the caller's current month in their own time zone"),
});

export const AdvisorPoints = z
  .object({
    advisorId: Id,
    displayName: z.string(),
    points: z.number().int(),
    quota: z.number().int().nullable().describe('null: no quota set'),
    timeZone: z.string(),
    from: IsoDateTime.describe("The month's first instant in the advisor's time zone"),
    to: IsoDateTime.describe("The next month's first instant in the advisor's time zone (exclusive)"),
  })
  .meta({ id: 'AdvisorPoints' });
export type AdvisorPoints = z.infer<typeof AdvisorPoints>;

export const PointsReport = z
  .object({ scope: ReportScope, month: Month, advisors: z.array(AdvisorPoints) })
  .meta({ id: 'PointsReport' });
export type PointsReport = z.infer<typeof PointsReport>;
