import type { Db } from '../../db/connection';
import { sql } from './support';
import { isBusy } from './writes';

/** Pages merged per step: a step then takes about 10 ms on 100k opportunities, short enough to serve between. */
const PAGES_PER_STEP = 64;
const MAX_STEPS = 10_000;

/**
 * The full-text indexes type-ahead reads: opportunities, Recent's (migration 26), Closed's (migration 31), contacts
 * (New Opportunity's customer search) and organizations. Contacts and organizations are written one at a time too, so
 * theirs fragment the same way: on the 100k firm 17 and 21 segments, where a contact search's full-text part took 150
 * to 180 µs against 4 to 20 µs from one segment. Closed's, as migration 31 builds it at 1M, has 13 segments: a small
 * book's page took 56–540 µs of CPU in the full-text part, 17–80 µs from one segment.
 */
export const SEARCH_INDEXES = [
  'opportunity_search',
  'recent_search',
  'closed_search',
  'contact_search',
  'organization_search',
] as const;

/**
 * Merges each full-text index into one segment, a few pages at a time, yielding to requests between
 * steps. Type-ahead reads every segment; each write transaction adds one and FTS5 only merges them in
 * fours, so an index grows to about ten. Measured on 100k opportunities: 9 segments → 1 took the
 * full-text part of a type-ahead page from 32 µs to 18 µs; compacting took 45 steps of at most 13 ms.
 * Returns the number of steps taken.
 */
export async function compactSearchIndex(db: Db, stopped: () => boolean): Promise<number> {
  let steps = 0;
  for (const table of SEARCH_INDEXES) {
    const segments = sql(db, `SELECT count(DISTINCT segid) FROM ${table}_idx`).pluck();
    // A negative page count lets FTS5 merge segments of different levels, as 'optimize' does, but in steps.
    const merge = sql(db, `INSERT INTO ${table} (${table}, rank) VALUES ('merge', ?)`);
    while (!stopped() && steps < MAX_STEPS && (segments.get() as number) > 1) {
      steps += 1;
      try {
        merge.run(-PAGES_PER_STEP);
      } catch (error) {
        // Another process is writing: upkeep can wait; it never holds up requests.
        if (!isBusy(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return steps;
}
