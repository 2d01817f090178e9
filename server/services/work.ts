import {
  NEW_FOR_ME_NOTES_MAX,
  type AttentionReason,
  type NeedsAttention,
  type NeedsAttentionItem,
  type NewForMe,
  type StageReport,
} from '../../shared/schemas/work';
import { pageOf, type Caller, type ServiceContext } from './context';
import { ownersInScope, type ReportScope } from './report-scope';
import type { AttentionCandidate } from '../repository/repository';
import { stageReport } from './stage-report';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { Note } from '../../shared/schemas/notes';

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
    let opportunities: OpportunitySummary[] = [];
    let notes: Note[] = [];
    const page = await pageOf(query, async (limit, offset) => {
      // One more note than shown tells whether there are more.
      const found = await this.ctx.repo.work.newForMe(
        caller.id,
        caller.workSeenAt,
        limit,
        offset,
        NEW_FOR_ME_NOTES_MAX + 1,
      );
      ({ opportunities, notes } = found);
      return found.assignments;
    });
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

  /** See services/stage-report.ts. */
  async stageReport(caller: Caller, scope: ReportScope): Promise<StageReport> {
    return stageReport(this.ctx, caller, scope);
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
