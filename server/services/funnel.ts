import type { z } from 'zod';
import { STAGES } from '../../shared/constants';
import type { Funnel, FunnelQuery, FunnelStage } from '../../shared/schemas/reports';
import { ForbiddenError } from '../errors';
import type { FunnelFilter } from '../repository/repository';
import type { Caller, ServiceContext } from './context';
import { ownersInScope } from './report-scope';

const DAY = 86_400_000;

type Query = z.output<typeof FunnelQuery>;

/** The percentiles of the days in stage the funnel shows: the median and the 90th. */
const PERCENTILES = [0.5, 0.9] as const;

/** The value at fraction `p` of sorted values, interpolated between the two nearest (so p = 0.5 is the median). */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

const round = (value: number | null, places: number) =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

/** The funnel: where referrals are held up (see README "Reports" for how each number is counted). */
export class FunnelService {
  constructor(private readonly ctx: ServiceContext) {}

  async report(caller: Caller, query: Query): Promise<Funnel> {
    const filter = await this.filterFor(caller, query);
    // The worker computes the funnel; a request arriving while an identical one is computed shares its answer,
    // and the moment it was read (asOf).
    const { asOf, counts, stays } = await this.ctx.repo.funnel.summary(
      filter,
      this.ctx.clock.now().toISOString(),
      PERCENTILES,
    );
    const stages = STAGES.map((stage, index): FunnelStage => {
      const count = counts.find((row) => row.stage === stage)!;
      const next = index + 1 < STAGES.length ? counts.find((row) => row.stage === STAGES[index + 1])! : null;
      const days = stays.find((row) => row.stage === stage)!.days;
      return {
        stage,
        reached: count.reached,
        skipped: count.reached - count.entered,
        converted: next ? next.reached : null,
        conversion: next && count.reached > 0 ? round(next.reached / count.reached, 3) : null,
        stayed: days.length,
        medianDays: round(percentile(days, PERCENTILES[0]), 1),
        p90Days: round(percentile(days, PERCENTILES[1]), 1),
        won: count.won,
        lost: count.lost,
      };
    });
    return { scope: query.scope, asOf, stages };
  }

  /** The same report as CSV, and the name to save it under. */
  async csv(caller: Caller, query: Query): Promise<{ filename: string; text: string }> {
    const funnel = await this.report(caller, query);
    const columns = [
      'stage',
      'reached',
      'skipped',
      'converted',
      'conversion',
      'stayed',
      'medianDays',
      'p90Days',
      'won',
      'lost',
    ] as const;
    const lines = [
      columns.join(','),
      ...funnel.stages.map((row) => columns.map((column) => csvField(row[column])).join(',')),
    ];
    return {
      filename: `funnel-${funnel.scope}-${funnel.asOf.slice(0, 10)}.csv`,
      text: `${lines.join('\r\n')}\r\n`,
    };
  }

  /** The scope's owners and the filters, refused (403, naming nothing) when a filter reaches outside the scope. */
  private async filterFor(caller: Caller, query: Query): Promise<FunnelFilter> {
    let ownerIds = await ownersInScope(this.ctx, caller, query.scope, 'funnel');
    if (query.ownerId !== undefined) {
      if (ownerIds && !ownerIds.includes(query.ownerId))
        throw new ForbiddenError('That owner is outside the scope of this report.');
      ownerIds = [query.ownerId];
    }
    if (
      query.teamId !== undefined &&
      caller.role !== 'admin' &&
      !(caller.role === 'manager' && caller.teams.some((team) => team.id === query.teamId))
    )
      throw new ForbiddenError('That team is outside the scope of this report.');
    return {
      ownerIds,
      teamId: query.teamId,
      campaignId: query.campaignId,
      referrerAdvisorId: query.referrerAdvisorId,
      referrerContactId: query.referrerContactId,
      createdFrom: query.from ? `${query.from}T00:00:00.000Z` : undefined,
      createdBefore: query.to ? new Date(Date.parse(`${query.to}T00:00:00.000Z`) + DAY).toISOString() : undefined,
    };
  }
}

/**
 * One CSV field: quoted when it holds a comma, quote or line break; text a spreadsheet would run as a formula
 * (starting with = + - @, a tab or a carriage return) is prefixed with an apostrophe so it stays text.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
