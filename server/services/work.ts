import {
  NEW_FOR_ME_NOTES_MAX,
  type AttentionReason,
  type NeedsAttention,
  type NeedsAttentionItem,
  type NewForMe,
  type StageReport,
} from '../../shared/schemas/work';
import { STAGES } from '../../shared/schemas/opportunities';
import { ForbiddenError } from '../errors';
import { pageOf, type Caller, type ServiceContext } from './context';
import { latestUntouchedAssignment } from './business-days';

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

  private async ownerIds(caller: Caller, scope: 'me' | 'team' | 'all'): Promise<number[] | null> {
    if (scope === 'me') return [caller.id];
    if (scope === 'team') return this.ctx.repo.advisors.teammateIds(caller.id);
    return null;
  }

  /**
   * The exception rules of the referral standard, for open opportunities:
   * untouched: assigned over one business day ago, and since then no activity linked and no note by the owner;
   * no-next-step: no open appointment, task or call ahead; past-close-date: its estimated close date has passed.
   * The store finds those meeting a rule a page at a time; the reasons are named here.
   */
  async needsAttention(
    caller: Caller,
    query: { scope: 'me' | 'team'; limit: number; offset: number },
  ): Promise<NeedsAttention> {
    if (query.scope === 'team' && caller.role !== 'manager')
      throw new ForbiddenError("Only a manager sees the team's needs-attention list.");
    const now = this.ctx.clock.now();
    const today = now.toISOString().slice(0, 10);
    const untouchedIfAssignedBy = latestUntouchedAssignment(now);
    const owners = (await this.ownerIds(caller, query.scope))!;
    let total = 0;
    const page = await pageOf(query, async (limit, offset) => {
      const found = await this.ctx.repo.work.needingAttention(
        owners,
        { now: now.toISOString(), today, untouchedIfAssignedBy: untouchedIfAssignedBy.toISOString() },
        limit,
        offset,
      );
      total = found.total;
      return found.candidates;
    });
    const items = page.items.map((candidate): NeedsAttentionItem => {
      const reasons: AttentionReason[] = [];
      if (!candidate.touchedSinceAssignment && new Date(candidate.assignedAt) <= untouchedIfAssignedBy) {
        reasons.push({ code: 'untouched', since: candidate.assignedAt });
      }
      if (!candidate.hasNextStep) reasons.push({ code: 'no-next-step', since: null });
      const closeDate = candidate.opportunity.estimatedCloseDate;
      if (closeDate && closeDate < today) reasons.push({ code: 'past-close-date', since: closeDate });
      return { opportunity: candidate.opportunity, reasons };
    });
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

  async stageReport(caller: Caller, scope: 'me' | 'team' | 'all'): Promise<StageReport> {
    if (scope === 'team' && caller.role !== 'manager') {
      throw new ForbiddenError("Only a manager sees the team's stage report.");
    }
    if (scope === 'all' && caller.role !== 'admin')
      throw new ForbiddenError("Only an admin sees the firm's stage report.");
    const owners = await this.ownerIds(caller, scope);
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
