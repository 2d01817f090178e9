import {
  NEW_FOR_ME_NOTES_MAX,
  type AttentionReason,
  type NeedsAttention,
  type NeedsAttentionItem,
  type NewForMe,
  type StageReport,
} from '../../shared/schemas/work';
import { STAGES } from '../../shared/schemas/opportunities';
import { pageOf, type Caller, type ServiceContext } from './context';
import { ownersInScope, type ReportScope } from './report-scope';
import type { AttentionCandidate } from '../repository/repository';

const DAY = 86_400_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round1 = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/** My Work: what needs attention, what is new for me, and the stage report. */
export class WorkService {
  constructor(private readonly ctx: ServiceContext) {}

  /**
   * The exception rules of the referral standard, for open opportunities, as the admin set them:
   * untouched: assigned N business days ago, and since then no activity linked and no note by the owner;
   * no-activity: created N business days ago and no activity linked at all; no-next-step: no open appointment,
   * task or call ahead; past-close-date: its estimated close date has passed. Business days and dates are the
   * owner's, in their own time zone, less the firm's holidays.
   */
  async needsAttention(
    caller: Caller,
    query: { scope: 'me' | 'team'; limit: number; offset: number },
  ): Promise<NeedsAttention> {
    const owners = await ownersInScope(this.ctx, caller, query.scope, 'needs-attention list');
    return this.attentionOf(owners!, query);
  }

  /**
   * Needs attention for any owners, without checking who asks: for the system's own jobs (the alerts and
   * digests), never for a request. Each reason's `due` says when its rule was met ("untouched since …").
   */
  async attentionOf(owners: number[], paging: { limit: number; offset: number }): Promise<NeedsAttention> {
    const now = this.ctx.clock.now().toISOString();
    let total = 0;
    const page = await pageOf(paging, async (limit, offset) => {
      const found = await this.ctx.repo.work.needingAttention(owners, now, limit, offset);
      total = found.total;
      return found.candidates;
    });
    const items = page.items.map((candidate): NeedsAttentionItem => ({
      opportunity: candidate.opportunity,
      reasons: reasonsOf(candidate, now),
    }));
    return { items, nextOffset: page.nextOffset, total };
  }

  async newForMe(caller: Caller, query: { limit: number; offset: number }): Promise<NewForMe> {
    const page = await pageOf(query, (limit, offset) =>
      this.ctx.repo.work.assignmentsTo(caller.id, caller.workSeenAt, limit, offset),
    );
    const ids = page.items.map((a) => a.opportunityId);
    const [opportunities, notes] = await Promise.all([
      this.ctx.repo.opportunities.findByIds(ids),
      // One more than shown tells whether there are more.
      this.ctx.repo.notes.visibleOnMany(ids, caller.id, NEW_FOR_ME_NOTES_MAX + 1),
    ]);
    const byId = new Map(opportunities.map((o) => [o.id, o]));
    const items = page.items
      .filter((assignment) => byId.has(assignment.opportunityId))
      .map((assignment) => {
        const mine = notes.filter((note) => note.opportunityId === assignment.opportunityId);
        return {
          opportunity: byId.get(assignment.opportunityId)!,
          assignment,
          notes: mine.slice(0, NEW_FOR_ME_NOTES_MAX),
          moreNotes: mine.length > NEW_FOR_ME_NOTES_MAX,
        };
      });
    return { since: caller.workSeenAt, items, nextOffset: page.nextOffset };
  }

  async stageReport(caller: Caller, scope: ReportScope): Promise<StageReport> {
    const owners = await ownersInScope(this.ctx, caller, scope, 'stage report');
    const [rows, entries] = await Promise.all([
      this.ctx.repo.work.stageRows(owners),
      this.ctx.repo.work.openStageEntries(owners),
    ]);
    const now = this.ctx.clock.now().getTime();
    const daysInStage = STAGES.map((stage) => {
      const days = entries
        .filter((entry) => entry.stage === stage)
        .map((entry) => (now - Date.parse(entry.stageEnteredAt)) / DAY);
      return {
        stage,
        open: days.length,
        medianDays: round1(median(days)),
        maxDays: round1(days.length ? days.reduce((max, day) => Math.max(max, day), -Infinity) : null),
      };
    });
    const order = (stage: string) => STAGES.indexOf(stage as (typeof STAGES)[number]);
    rows.sort((a, b) => order(a.stage) - order(b.stage) || a.status.localeCompare(b.status));
    return { scope, rows, daysInStage };
  }
}

/**
 * The rules a candidate meets at `now`: those whose due time (kept with the opportunity, computed in the owner's
 * time zone less the firm's holidays) has come; each says since when its rule applies.
 */
function reasonsOf({ opportunity, assignedAt, dues }: AttentionCandidate, now: string): AttentionReason[] {
  const met = (due: string | null): due is string => due !== null && due <= now;
  const reasons: AttentionReason[] = [];
  if (met(dues.untouched)) reasons.push({ code: 'untouched', since: assignedAt, due: dues.untouched });
  if (met(dues.noActivity)) reasons.push({ code: 'no-activity', since: opportunity.createdAt, due: dues.noActivity });
  if (met(dues.noNextStep)) reasons.push({ code: 'no-next-step', since: null, due: null });
  if (met(dues.pastCloseDate))
    reasons.push({ code: 'past-close-date', since: opportunity.estimatedCloseDate, due: dues.pastCloseDate });
  return reasons;
}
