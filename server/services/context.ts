import type { Clock } from '../clock';
import type { AdvisorRecord, Actor, Repository } from '../repository/repository';

/** What every service needs: storage and the time. */
export interface ServiceContext {
  repo: Repository;
  clock: Clock;
}

/** The signed-in advisor a request acts for. */
export type Caller = AdvisorRecord;

export function actorOf(caller: Caller, clock: Clock): Actor {
  return { advisorId: caller.id, at: clock.now().toISOString() };
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
