import type { StageReport } from '../../shared/schemas/work';
import { STAGES } from '../../shared/schemas/opportunities';
import type { Caller, ServiceContext } from './context';
import { ownersInScope, type ReportScope } from './report-scope';

const DAY = 86_400_000;

const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/**
 * The stage report: counts and values per stage and status, and for open opportunities how long they have been in
 * their stage (median and longest). SQLite counts and finds the oldest and middle entry times; the days are
 * computed here from those times as they always were, so the rounding is unchanged.
 */
export async function stageReport(ctx: ServiceContext, caller: Caller, scope: ReportScope): Promise<StageReport> {
  const owners = await ownersInScope(ctx, caller, scope, 'stage report');
  const { asOf, rows, openStageDays: stages } = await ctx.repo.work.stageReport(owners, ctx.clock.now().toISOString());
  // Days as of the moment the data was read, so a cached firm-wide answer is consistent with its asOf.
  const now = Date.parse(asOf);
  const days = (enteredAt: string) => (now - Date.parse(enteredAt)) / DAY;
  const daysInStage = stages.map(({ stage, open, oldest, middle }) => ({
    stage,
    open,
    // The middle times come latest first, i.e. in the order of their days in stage, shortest first.
    medianDays: round1(
      middle.length === 0 ? null : middle.length === 1 ? days(middle[0]) : (days(middle[0]) + days(middle[1])) / 2,
    ),
    maxDays: round1(oldest === null ? null : days(oldest)),
  }));
  const order = (stage: string) => STAGES.indexOf(stage as (typeof STAGES)[number]);
  rows.sort((a, b) => order(a.stage) - order(b.stage) || a.status.localeCompare(b.status));
  return { scope, asOf, rows, daysInStage };
}
