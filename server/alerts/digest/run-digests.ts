import type { AdvisorRecord } from '../../repository/repository';
import { composeDigest, type EmailSection } from '../composer/compose';
import { ABANDONED_CLAIM_MS, type AlertContext } from '../context';
import { sendOnClaims, skipClaims } from '../delivery';
import { allExceptions, byOwner } from '../exceptions';
import { localParts as localDateAndHour } from '../../services/zoned-time';

export type DigestStatus = 'sent' | 'nothing-to-send' | 'opted-out' | 'not-due' | 'already-recorded' | 'failed';

export interface DigestOutcome {
  email: string;
  localDate: string;
  status: DigestStatus;
  opportunities: number;
}

/** Own exceptions first; for a manager, then each teammate's, by name. */
async function sectionsFor(ctx: AlertContext, advisor: AdvisorRecord): Promise<EmailSection[]> {
  // A manager's team includes the manager: one read gives both their own section and their teammates'.
  const items = await allExceptions(ctx.work, advisor, advisor.role === 'manager' ? 'team' : 'me');
  const own = items.filter((item) => item.opportunity.owner.id === advisor.id);
  const sections: EmailSection[] = own.length ? [{ heading: `Yours (${advisor.displayName})`, items: own }] : [];
  sections.push(...byOwner(items.filter((item) => item.opportunity.owner.id !== advisor.id)));
  return sections;
}

/**
 * Sends each active advisor their digest for their local date once their local time has reached the
 * digest hour (`force`: whatever the hour, and again if already sent: the operator's send-now). A day
 * with nothing to say is recorded as done, so a later exception brings no second digest. Only today's
 * local date is ever considered: a day missed while no server ran is not sent later. A digest is sent at
 * most once (see sendOnClaims): a process that dies after claiming it leaves the day unsent unless the
 * operator sends it now.
 */
export async function runDigests(
  ctx: AlertContext,
  options: { force?: boolean; email?: string } = {},
): Promise<DigestOutcome[]> {
  const now = ctx.clock.now();
  const advisors = (await ctx.repo.advisors.listActive()).filter(
    (a) => !options.email || a.email.toLowerCase() === options.email.toLowerCase(),
  );
  const outcomes: DigestOutcome[] = [];
  for (const advisor of advisors) {
    const { date, hour } = localDateAndHour(now, advisor.timeZone);
    const outcome = (status: DigestStatus, opportunities = 0) =>
      outcomes.push({ email: advisor.email, localDate: date, status, opportunities });
    if (advisor.digestOptOut) {
      outcome('opted-out');
      continue;
    }
    if (!options.force && hour < ctx.digestHour) {
      outcome('not-due');
      continue;
    }
    const key = { kind: 'digest' as const, recipientId: advisor.id, localDate: date };
    const staleBefore = new Date(now.getTime() - ABANDONED_CLAIM_MS).toISOString();
    const [free] = await ctx.repo.alertDeliveries.claimable([key], staleBefore, options.force);
    if (!free) {
      outcome('already-recorded');
      continue;
    }
    try {
      // Prepared before the claim, so a claim is only ever taken right before its send.
      const sections = await sectionsFor(ctx, advisor);
      const total = sections.reduce((sum, s) => sum + s.items.length, 0);
      const [claim] = await ctx.repo.alertDeliveries.claim([key], now.toISOString(), staleBefore, options.force);
      if (claim === null) {
        outcome('already-recorded');
        continue;
      }
      if (!total) {
        await skipClaims(ctx, [claim]);
        outcome('nothing-to-send');
        continue;
      }
      await sendOnClaims(ctx, [claim], () => ctx.mailer.send(advisor.email, composeDigest(sections, date, ctx.origin)));
      outcome('sent', total);
    } catch (error) {
      // Not sent and not claimed, so the next run (within ALERT_CHECK_MINUTES) tries this day again.
      ctx.logger.warn({ err: error, advisorId: advisor.id }, 'digest not sent; will retry');
      outcome('failed');
    }
  }
  return outcomes;
}
