import type { Db } from '../../db/connection';
import type { Actor, ActivityPointsStore, PointsAdvisor, PointsWindow } from '../repository';
import { toPointsEntry, type PointsEntryRow } from '../rows/label-rows';
import { list, sql, writeAudit } from './support';
import { write } from './writes';

/**
 * Each window's points: its advisor's activities counted in [from, to) (migration 018's counted_at), one range of
 * the index (created_by_id, counted_at) per advisor. Parameter: the windows as JSON.
 */
export const EARNED_POINTS = `WITH w AS (
     SELECT json_extract(value, '$.advisorId') AS advisor_id, json_extract(value, '$.from') AS from_at,
            json_extract(value, '$.to') AS to_at
       FROM json_each(?)
   )
   SELECT w.advisor_id AS advisorId, coalesce(sum(coalesce(c.points, 0) + coalesce(o.points, 0)), 0) AS points
     FROM w
     JOIN activities a
       ON a.created_by_id = w.advisor_id AND a.counted_at >= w.from_at AND a.counted_at < w.to_at
     LEFT JOIN activity_labels c ON c.id = a.category_id
     LEFT JOIN activity_labels o ON o.id = a.outcome_id
    GROUP BY w.advisor_id`;

export class SqliteActivityPointsStore implements ActivityPointsStore {
  constructor(private readonly db: Db) {}

  async table() {
    return (
      sql(
        this.db,
        'SELECT id, kind, key, name, retired_at, points FROM activity_labels ORDER BY kind, name',
      ).all() as PointsEntryRow[]
    ).map(toPointsEntry);
  }

  async setPoints(entries: { labelId: number; points: number }[], actor: Actor) {
    const done = await write(this.db, () => {
      const known = sql(this.db, 'SELECT count(*) FROM activity_labels WHERE id IN (SELECT value FROM json_each(?))')
        .pluck()
        .get(list(entries.map((entry) => entry.labelId))) as number;
      if (known !== entries.length) return false;
      const update = sql(this.db, 'UPDATE activity_labels SET points = ?, updated_at = ? WHERE id = ? AND points <> ?');
      for (const { labelId, points } of entries) {
        if (update.run(points, actor.at, labelId, points).changes > 0)
          writeAudit(this.db, actor, 'activity-label', labelId, 'points', { points });
      }
      return true;
    });
    return done ? this.table() : ('unknown' as const);
  }

  async advisors(ids: number[] | null) {
    return sql(
      this.db,
      `SELECT id, display_name AS displayName, time_zone AS timeZone, monthly_quota AS monthlyQuota FROM advisors
         WHERE active = 1 AND (:all OR id IN (SELECT value FROM json_each(:ids)))
         ORDER BY display_name COLLATE NOCASE, id`,
    ).all({ all: ids === null ? 1 : 0, ids: list(ids ?? []) }) as PointsAdvisor[];
  }

  async earned(windows: PointsWindow[]) {
    const rows = sql(this.db, EARNED_POINTS).all(JSON.stringify(windows)) as { advisorId: number; points: number }[];
    return new Map(rows.map((row) => [row.advisorId, row.points]));
  }
}
