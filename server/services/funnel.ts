import type { z } from 'zod';
import { STAGES } from '../../shared/constants';
import type { Funnel, FunnelQuery, FunnelStage } from '../../shared/schemas/reports';
import type { Stage } from '../../shared/schemas/opportunities';
import { ForbiddenError } from '../errors';
import type { FunnelFilter, FunnelHistoryEntry } from '../repository/repository';
import type { Caller, ServiceContext } from './context';
import { ownersInScope } from './report-scope';

const DAY = 86_400_000;

type Query = z.output<typeof FunnelQuery>;

/** The value at fraction `p` of sorted values, interpolated between the two nearest (so p = 0.5 is the median). */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * p;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

const round = (value: number | null, places: number) =>
  value === null ? null : Math.round(value * 10 ** places) / 10 ** places;

/**
 * Sums, for one opportunity at a time, its time in each stage it entered: a stay ends at the next stage change,
 * at a close (reopening starts the clock again in the stage it is in), or now. Only one opportunity's totals are
 * held at a time; each finished one adds one number per stage it entered to `days`.
 */
class StayCounter {
  readonly days = new Map<Stage, number[]>(STAGES.map((stage) => [stage, []]));
  private id: number | null = null;
  private stage: Stage | null = null;
  private open = true;
  private since = 0;
  private totals = new Map<Stage, number>();

  constructor(private readonly now: number) {}

  add(entry: FunnelHistoryEntry): void {
    if (entry.opportunityId !== this.id) {
      this.finish();
      this.id = entry.opportunityId;
    }
    const at = Date.parse(entry.at);
    if (entry.kind === 'stage') {
      this.stop(at);
      this.stage = entry.stage!;
      this.totals.set(this.stage, this.totals.get(this.stage) ?? 0);
      this.since = at;
    } else if (entry.kind === 'closed') {
      this.stop(at);
      this.open = false;
    } else {
      this.open = true;
      this.since = at;
    }
  }

  finish(): void {
    this.stop(this.now);
    for (const [stage, ms] of this.totals) this.days.get(stage)!.push(ms / DAY);
    this.stage = null;
    this.open = true;
    this.totals = new Map();
  }

  private stop(at: number): void {
    if (this.stage && this.open)
      this.totals.set(this.stage, this.totals.get(this.stage)! + Math.max(0, at - this.since));
    this.since = at;
  }
}

/** The funnel: where referrals are held up (see README "Reports" for how each number is counted). */
export class FunnelService {
  constructor(private readonly ctx: ServiceContext) {}

  async report(caller: Caller, query: Query): Promise<Funnel> {
    const filter = await this.filterFor(caller, query);
    const now = this.ctx.clock.now();
    const counts = await this.ctx.repo.funnel.stageCounts(filter);
    const stays = new StayCounter(now.getTime());
    await this.ctx.repo.funnel.history(filter, (entry) => stays.add(entry));
    stays.finish();
    const stages = STAGES.map((stage, index): FunnelStage => {
      const count = counts.find((row) => row.stage === stage)!;
      const next = index + 1 < STAGES.length ? counts.find((row) => row.stage === STAGES[index + 1])! : null;
      const days = stays.days.get(stage)!.sort((a, b) => a - b);
      return {
        stage,
        reached: count.reached,
        skipped: count.reached - count.entered,
        converted: next ? next.reached : null,
        conversion: next && count.reached > 0 ? round(next.reached / count.reached, 3) : null,
        stayed: days.length,
        medianDays: round(percentile(days, 0.5), 1),
        p90Days: round(percentile(days, 0.9), 1),
        won: count.won,
        lost: count.lost,
      };
    });
    return { scope: query.scope, asOf: now.toISOString(), stages };
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
