import type { NeedsAttentionItem } from '../../../shared/schemas/work';
import type { AlertKey } from '../../repository/repository';
import { composeUntouchedAlert } from '../composer/compose';
import { ABANDONED_CLAIM_MS, UNTOUCHED_ALERT_WINDOW_MS, type AlertContext } from '../context';
import { sendOnClaims } from '../delivery';
import { allExceptions, byOwner } from '../exceptions';

export interface UntouchedOutcome {
  email: string;
  opportunityIds: number[];
  status: 'sent' | 'failed';
}

const untouched = (item: NeedsAttentionItem) => item.reasons.find((r) => r.code === 'untouched');
/** When the untouched opportunity was assigned (the reason's `since`): one alert per assignment. */
const assignedAt = (item: NeedsAttentionItem) => untouched(item)?.since ?? null;
/** Crossed the threshold within the alert window before `now`. */
const crossedRecently = (item: NeedsAttentionItem, now: Date) => {
  const due = untouched(item)?.due;
  return !!due && Date.parse(due) > now.getTime() - UNTOUCHED_ALERT_WINDOW_MS;
};

/**
 * Alerts each active manager, at most once per opportunity and assignment, to their teammates' assigned
 * opportunities that crossed the untouched threshold (their own are not alerted to themselves). One email per manager and
 * run lists every crossing found. Opting out of the digest does not stop these.
 */
export async function runUntouchedAlerts(ctx: AlertContext): Promise<UntouchedOutcome[]> {
  const managers = (await ctx.repo.advisors.listActive()).filter((a) => a.role === 'manager');
  const outcomes: UntouchedOutcome[] = [];
  for (const manager of managers) {
    const team = await allExceptions(ctx.work, manager, 'team');
    const now = ctx.clock.now();
    const crossed = team.filter(
      (item) => item.opportunity.owner.id !== manager.id && assignedAt(item) !== null && crossedRecently(item, now),
    );
    if (!crossed.length) continue;
    const keys = crossed.map((item): AlertKey => ({
      kind: 'untouched',
      recipientId: manager.id,
      opportunityId: item.opportunity.id,
      assignedAt: assignedAt(item)!,
    }));
    const claims = await ctx.repo.alertDeliveries.claim(
      keys,
      now.toISOString(),
      new Date(now.getTime() - ABANDONED_CLAIM_MS).toISOString(),
    );
    const mine = crossed.filter((_, index) => claims[index] !== null);
    const ids = claims.filter((id): id is number => id !== null);
    if (!mine.length) continue;
    const opportunityIds = mine.map((item) => item.opportunity.id);
    try {
      await sendOnClaims(ctx, ids, () =>
        ctx.mailer.send(manager.email, composeUntouchedAlert(byOwner(mine), ctx.origin)),
      );
      outcomes.push({ email: manager.email, opportunityIds, status: 'sent' });
    } catch (error) {
      ctx.logger.warn({ err: error, advisorId: manager.id }, 'untouched alert not sent; will retry');
      outcomes.push({ email: manager.email, opportunityIds, status: 'failed' });
    }
  }
  return outcomes;
}
