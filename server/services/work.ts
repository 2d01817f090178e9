import type { AttentionReason, NeedsAttentionItem, NewForMe, StageReport } from '../../shared/schemas/work';
import { STAGES } from '../../shared/schemas/opportunities';
import { ForbiddenError } from '../errors';
import type { Caller, ServiceContext } from './context';
import { addBusinessDays } from './business-days';

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
   */
  async needsAttention(caller: Caller, scope: 'me' | 'team'): Promise<{ items: NeedsAttentionItem[] }> {
    if (scope === 'team' && caller.role !== 'manager')
      throw new ForbiddenError("Only a manager sees the team's needs-attention list.");
    const now = this.ctx.clock.now();
    const today = now.toISOString().slice(0, 10);
    const candidates = await this.ctx.repo.work.attentionCandidates(
      (await this.ownerIds(caller, scope))!,
      now.toISOString(),
    );
    const items: NeedsAttentionItem[] = [];
    for (const candidate of candidates) {
      const reasons: AttentionReason[] = [];
      if (!candidate.touchedSinceAssignment && addBusinessDays(new Date(candidate.assignedAt), 1) < now) {
        reasons.push({ code: 'untouched', since: candidate.assignedAt });
      }
      if (!candidate.hasNextStep) reasons.push({ code: 'no-next-step', since: null });
      const closeDate = candidate.opportunity.estimatedCloseDate;
      if (closeDate && closeDate < today) reasons.push({ code: 'past-close-date', since: closeDate });
      if (reasons.length) items.push({ opportunity: candidate.opportunity, reasons });
    }
    return { items };
  }

  async newForMe(caller: Caller): Promise<NewForMe> {
    const assignments = await this.ctx.repo.work.assignmentsTo(caller.id, caller.workSeenAt);
    const ids = assignments.map((a) => a.opportunityId);
    const [opportunities, notes] = await Promise.all([
      this.ctx.repo.opportunities.findByIds(ids),
      this.ctx.repo.notes.visibleOnMany(ids, caller.id),
    ]);
    const byId = new Map(opportunities.map((o) => [o.id, o]));
    const items = assignments
      .filter((assignment) => byId.has(assignment.opportunityId))
      .map((assignment) => ({
        opportunity: byId.get(assignment.opportunityId)!,
        assignment,
        notes: notes.filter((note) => note.opportunityId === assignment.opportunityId),
      }));
    return { since: caller.workSeenAt, items };
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
