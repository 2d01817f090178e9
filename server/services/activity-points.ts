import type { z } from 'zod';
import type {
  ActivityPointsTable,
  PointsReport,
  UpdateActivityPointsRequest,
} from '../../shared/schemas/activity-points';
import { BadRequestError, ForbiddenError } from '../errors';
import { actorOf, type Caller, type ServiceContext } from './context';
import { ownersInScope, type ReportScope } from './report-scope';
import { monthOf, monthRange } from './zoned-time';

/**
 * Activity points against a monthly quota. A completed phone call or task earns its category's points plus its
 * outcome's, counted for the advisor who logged it, in the month (in that advisor's own time zone) the call
 * happened or the task was completed; open and canceled ones never count. Points come from the current table, so
 * an admin's change applies at once to every month shown.
 */
export class ActivityPointsService {
  constructor(private readonly ctx: ServiceContext) {}

  async table(): Promise<ActivityPointsTable> {
    return { entries: await this.ctx.repo.activityPoints.table() };
  }

  async update(caller: Caller, body: z.output<typeof UpdateActivityPointsRequest>): Promise<ActivityPointsTable> {
    if (caller.role !== 'admin') throw new ForbiddenError('Only an admin changes the points.');
    const known = new Set((await this.ctx.repo.activityPoints.table()).map((entry) => entry.id));
    // Labels are never deleted, so one read before the write names the unknown entry; the write checks again.
    const fail = () => {
      const index = body.entries.findIndex((entry) => !known.has(entry.labelId));
      return new BadRequestError('No such category or outcome.', [
        { path: `body.entries.${Math.max(index, 0)}.labelId`, message: 'No such category or outcome' },
      ]);
    };
    if (body.entries.some((entry) => !known.has(entry.labelId))) throw fail();
    const table = await this.ctx.repo.activityPoints.setPoints(body.entries, actorOf(caller, this.ctx.clock));
    if (table === 'unknown') throw fail();
    return { entries: table };
  }

  async report(caller: Caller, query: { scope: ReportScope; month?: string }): Promise<PointsReport> {
    const ids = await ownersInScope(this.ctx, caller, query.scope, 'points');
    const month = query.month ?? monthOf(this.ctx.clock.now(), caller.timeZone);
    const advisors = await this.ctx.repo.activityPoints.advisors(ids);
    const windows = advisors.map((advisor) => {
      const { from, to } = monthRange(month, advisor.timeZone);
      return { advisorId: advisor.id, from: from.toISOString(), to: to.toISOString() };
    });
    const earned = await this.ctx.repo.activityPoints.earned(windows);
    return {
      scope: query.scope,
      month,
      advisors: advisors.map((advisor, index) => ({
        advisorId: advisor.id,
        displayName: advisor.displayName,
        points: earned.get(advisor.id) ?? 0,
        quota: advisor.monthlyQuota,
        timeZone: advisor.timeZone,
        from: windows[index].from,
        to: windows[index].to,
      })),
    };
  }
}
