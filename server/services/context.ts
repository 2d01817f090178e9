import type { Clock } from '../clock';
import { ConflictError } from '../errors';
import type { AdvisorRecord, Actor, AuditActor, Repository } from '../repository/repository';

/** What every service needs: storage and the time. */
export interface ServiceContext {
  repo: Repository;
  clock: Clock;
}

/** The signed-in advisor a request acts for. */
export type Caller = AdvisorRecord;

export function actorOf(caller: Caller, clock: Clock, read?: RulesRead): Actor {
  const actor: Actor = { advisorId: caller.id, at: clock.now().toISOString() };
  if (read) actor.teamsVersion = read.teamsVersion;
  return actor;
}

/**
 * The admin command line (`npm run admin`): it manages advisors and teams with an admin's rights,
 * and the audit log records it as the system, never as an advisor.
 */
export interface SystemCaller {
  kind: 'system';
}
export const SYSTEM: SystemCaller = { kind: 'system' };

/** Who may manage advisors and teams: a signed-in advisor (the services check they are an admin) or the system. */
export type AdminCaller = Caller | SystemCaller;

export function isSystem(caller: AdminCaller): caller is SystemCaller {
  return 'kind' in caller && caller.kind === 'system';
}

export function auditActorOf(caller: AdminCaller, clock: Clock): AuditActor {
  const at = clock.now().toISOString();
  return isSystem(caller) ? { kind: 'system', at } : { advisorId: caller.id, at };
}

/** Normalises any ISO date-time (with an offset) to the UTC form stored everywhere. */
export function utc(value: string | undefined | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

export interface Page<T> {
  items: T[];
  nextOffset: number | null;
}

/** Fetch one row more than asked (limit + 1): whether it came tells if there is a next page. */
export async function pageOf<T>(
  paging: { limit: number; offset: number },
  fetch: (limit: number, offset: number) => Promise<T[]>,
): Promise<Page<T>> {
  const rows = await fetch(paging.limit + 1, paging.offset);
  return {
    items: rows.slice(0, paging.limit),
    nextOffset: rows.length > paging.limit ? paging.offset + paging.limit : null,
  };
}

/** What a write's rules depend on beyond the rows they read: read before the checks (Actor.teamsVersion). */
export interface RulesRead {
  teamsVersion: number;
}

/**
 * Runs a rule's check and the write it allows, where the write is conditional on the state the check
 * read (a version, a stamp, the team memberships: pass `read` to actorOf) and answers 'stale' when
 * that state moved meanwhile. Then the rules are checked again on the new state, so a change never
 * lands where it would now be refused; after a few tries in a row lose to other writers, 409.
 */
export async function checkedWrite<T>(
  repo: Repository,
  attempt: (read: RulesRead) => Promise<T | 'stale'>,
  conflict: string,
): Promise<T> {
  for (let tries = 0; tries < 3; tries++) {
    const result = await attempt({ teamsVersion: await repo.teams.changeVersion() });
    if (result !== 'stale') return result;
  }
  throw new ConflictError(conflict);
}
