import type { Db } from '../../db/connection';
import { list, sql } from './support';
import { write } from './writes';

/** As the source view gives them (migration 024 added updated_at). */
const COLUMNS =
  '(opportunity_id, owner_id, untouched_due, no_activity_due, no_next_step_due, past_close_due, updated_at)';

interface Pending {
  owner_id: number;
  untouched: number;
  no_activity: number;
  no_next_step: number;
  past_close: number;
  after_id: number;
}

/** Rows of owners whose zone changed with their recompute pending: they get whole rows (see migration 023). */
const OWNER_PENDING = 'owner_id IN (SELECT owner_id FROM attention_recompute WHERE owner_id <> 0)';

/**
 * One batch of the recompute migration 023 queues: the first pending entry's next `rows` rows by opportunity_id,
 * in one transaction, then its cursor moves on (or the entry goes when it reached the end). A rules change
 * recomputes only the columns of the rules that changed, each from the view (SQLite computes only the column
 * asked for); a row whose owner's zone change is pending too is refreshed whole, so it never mixes zones.
 */
export async function recomputeAttentionBatch(db: Db, rows: number): Promise<boolean> {
  // Read first, outside a transaction: nothing pending (nearly always) costs no write lock.
  if (!sql(db, 'SELECT 1 FROM attention_recompute LIMIT 1').get()) return false;
  return write(db, () => {
    const pending = sql(db, 'SELECT * FROM attention_recompute ORDER BY owner_id LIMIT 1').get() as Pending | undefined;
    if (!pending) return false;
    const ids = (
      pending.owner_id === 0
        ? sql(
            db,
            'SELECT opportunity_id FROM opportunity_attention WHERE opportunity_id > ? ORDER BY opportunity_id LIMIT ?',
          ).all(pending.after_id, rows)
        : sql(
            db,
            `SELECT opportunity_id FROM opportunity_attention WHERE owner_id = ? AND opportunity_id > ?
             ORDER BY opportunity_id LIMIT ?`,
          ).all(pending.owner_id, pending.after_id, rows)
    ).map((row) => (row as { opportunity_id: number }).opportunity_id);
    const batch = { ids: list(ids) };
    const inBatch = 'opportunity_id IN (SELECT value FROM json_each(:ids))';
    sql(
      db,
      `INSERT OR REPLACE INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source
       WHERE ${inBatch} AND ${OWNER_PENDING}`,
    ).run(batch);
    const changed = [
      pending.untouched && 'untouched_due',
      pending.no_activity && 'no_activity_due',
      pending.no_next_step && 'no_next_step_due',
      pending.past_close && 'past_close_due',
    ].filter((column): column is string => Boolean(column));
    if (pending.owner_id === 0 && changed.length) {
      const set = changed.map(
        (column) => `${column} = (SELECT s.${column} FROM opportunity_attention_source s
          WHERE s.opportunity_id = opportunity_attention.opportunity_id)`,
      );
      sql(db, `UPDATE opportunity_attention SET ${set.join(', ')} WHERE ${inBatch} AND NOT ${OWNER_PENDING}`).run(
        batch,
      );
    }
    if (ids.length < rows) sql(db, 'DELETE FROM attention_recompute WHERE owner_id = ?').run(pending.owner_id);
    else sql(db, 'UPDATE attention_recompute SET after_id = ? WHERE owner_id = ?').run(ids.at(-1), pending.owner_id);
    return Boolean(sql(db, 'SELECT 1 FROM attention_recompute LIMIT 1').get());
  });
}
