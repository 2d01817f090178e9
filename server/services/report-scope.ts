import { ForbiddenError } from '../errors';
import type { Caller, ServiceContext } from './context';

export type ReportScope = 'me' | 'team' | 'all';

/**
 * The owners a report in `scope` covers: the caller alone (me), the members of the caller's teams (team, for a
 * manager only), or everyone (all, for an admin only), as null. Anyone else is refused with a sentence about the
 * rule, naming no one: `what` is the report ("needs-attention list", "funnel").
 */
export async function ownersInScope(
  ctx: ServiceContext,
  caller: Caller,
  scope: ReportScope,
  what: string,
): Promise<number[] | null> {
  if (scope === 'team' && caller.role !== 'manager')
    throw new ForbiddenError(`Only a manager sees the team's ${what}.`);
  if (scope === 'all' && caller.role !== 'admin') throw new ForbiddenError(`Only an admin sees the firm's ${what}.`);
  if (scope === 'me') return [caller.id];
  if (scope === 'team') return ctx.repo.advisors.teammateIds(caller.id);
  return null;
}
