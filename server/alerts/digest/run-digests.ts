import type { AdvisorRecord } from '../../repository/repository';
import { composeDigest, type EmailSection } from '../composer/compose';
import { ABANDONED_CLAIM_MS, type AlertContext } from '../context';
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
  const own = await allExceptions(ctx.work, advisor, 'me');
  const sections: EmailSection[] = own.length ? [{ heading: `Yours (${advisor.displayName})`, items: own }] : [];
  if (advisor.role === 'manager') {
    const team = await allExceptions(ctx.work, advisor, 'team');
    sections.push(...byOwner(team.filter((item) => item.opportunity.owner.id !== advisor.id)));
  }
  return sections;
}

/**
 * Sends each active advisor their digest for their local date once their local time has reached the
 * digest hour (`force`: whatever the hour, and again if already sent: the operator's send-now). A day
 * with nothing to say is recorded as done, so a later exception brings no second digest. Only today's
 * local date is ever considered: a day missed while no server ran is not sent later.
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
    const at = now.toISOString();
    const staleBefore = new Date(now.getTime() - ABANDONED_CLAIM_MS).toISOString();
    const [claim] = await ctx.repo.alertDeliveries.claim(
      [{ kind: 'digest', recipientId: advisor.id, localDate: date }],
      at,
      staleBefore,
      options.force,
    );
    if (claim === null) {
      outcome('already-recorded');
      continue;
    }
    try {
      const sections = await sectionsFor(ctx, advisor);
      const total = sections.reduce((sum, s) => sum + s.items.length, 0);
      if (!total) {
        await ctx.repo.alertDeliveries.finish([claim], 'skipped', ctx.clock.now().toISOString());
        outcome('nothing-to-send');
        continue;
      }
      await ctx.mailer.send(advisor.email, composeDigest(sections, date, ctx.origin));
      await ctx.repo.alertDeliveries.finish([claim], 'sent', ctx.clock.now().toISOString());
      outcome('sent', total);
    } catch (error) {
      // Given up, so the next run (within ALERT_CHECK_MINUTES) tries this day again.
      await ctx.repo.alertDeliveries.release([claim]).catch(() => undefined);
      ctx.logger.warn({ err: error, advisorId: advisor.id }, 'digest not sent; will retry');
      outcome('failed');
    }
  }
  return outcomes;
}
