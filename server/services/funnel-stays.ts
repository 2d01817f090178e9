import { STAGES } from '../../shared/constants';
import type { Stage } from '../../shared/schemas/opportunities';
import type { FunnelHistoryEntry } from '../repository/repository';

const DAY = 86_400_000;

/**
 * Sums, for one opportunity at a time, its time in each stage it entered: a stay ends at the next stage change,
 * at a close (reopening starts the clock again in the stage it is in), or now. Only one opportunity's totals are
 * held at a time; each finished one adds one number per stage it entered to `days`.
 */
export class StayCounter {
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
