import type { Postgres } from '../../db/postgres/connection';
import { RecentMarkBatches, type RecentMark } from '../rows/recent-mark-batches';
import type { Queryable } from './support';

/**
 * Marks the opportunity as used by the advisor now (their Recent list), in the caller's transaction: one row per
 * advisor and opportunity however many instances mark it at once (the upsert waits for the other's row, then updates
 * it), its time the latest mark's (instances' clocks may differ: a late, older mark never moves it back).
 */
export async function markRecent(db: Queryable, advisorId: number, opportunityId: number, at: string): Promise<void> {
  await db.query(
    `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES ($1, $2, $3)
     ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = greatest(opportunity_recent.used_at, excluded.used_at)`,
    [advisorId, opportunityId, at],
  );
}

/**
 * "Recent" marks of the opportunities opened in one turn of the event loop, written in one statement that is nice to
 * have (as the SQLite backend's RecentMarks with writeIfFree): a failure (the pool closed at shutdown, the database
 * unreachable) drops the marks and fails nothing. Each mark settles after that statement, so an answer sent after it
 * is followed by a Recent list that has it (unless the write was dropped). Of two marks of the same opportunity by the
 * same advisor in one batch, the later one's time stands, as it would with a statement each.
 */
export class RecentMarks extends RecentMarkBatches {
  constructor(db: Postgres) {
    super(async (batch) => {
      // One row per key: a statement may not update the same row twice.
      const last = new Map<string, RecentMark>();
      for (const mark of batch) last.set(`${mark.advisorId} ${mark.opportunityId}`, mark);
      // In one order, so two instances' batches never wait on each other's rows (a deadlock would drop one batch).
      const marks = [...last.values()].sort((a, b) => a.advisorId - b.advisorId || a.opportunityId - b.opportunityId);
      try {
        await db.query(
          `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[])
           ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = greatest(opportunity_recent.used_at, excluded.used_at)`,
          [marks.map((mark) => mark.advisorId), marks.map((mark) => mark.opportunityId), marks.map((mark) => mark.at)],
        );
      } catch {
        // Nice to have: dropped, as a skipped write is.
      }
    });
  }
}
