import { transaction, type Postgres } from '../../db/postgres/connection';
import type { Actor, ActivityPointsStore, PointsAdvisor, PointsWindow } from '../repository';
import { toPointsEntry, type PointsEntryRow } from '../rows/label-rows';
import { writeAudit } from './support';

/**
 * Each window's points: its advisor's activities counted in [from, to) (the generated column counted_at, as SQLite's
 * migration 018), one range of the index (created_by_id, counted_at) per advisor; summed per advisor.
 */
const EARNED_POINTS = `SELECT w.advisor_id, coalesce(sum(coalesce(c.points, 0) + coalesce(o.points, 0)), 0) AS points
  FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) AS w (advisor_id, from_at, to_at)
  JOIN activities a ON a.created_by_id = w.advisor_id AND a.counted_at >= w.from_at AND a.counted_at < w.to_at
  LEFT JOIN activity_labels c ON c.id = a.category_id
  LEFT JOIN activity_labels o ON o.id = a.outcome_id
  GROUP BY w.advisor_id`;

export class PostgresActivityPointsStore implements ActivityPointsStore {
  constructor(private readonly db: Postgres) {}

  /** By kind, then name (SQLite's binary order, as the labels list orders them). */
  async table() {
    const { rows } = await this.db.query<PointsEntryRow>(
      'SELECT id, kind, key, name, retired_at, points FROM activity_labels ORDER BY kind COLLATE "C", name COLLATE "C"',
    );
    return rows.map(toPointsEntry);
  }

  async setPoints(entries: { labelId: number; points: number }[], actor: Actor) {
    const done = await transaction(this.db, async (db) => {
      const { rows } = await db.query<{ known: number }>(
        'SELECT count(*) AS known FROM activity_labels WHERE id = ANY($1::bigint[])',
        [entries.map((entry) => entry.labelId)],
      );
      if (rows[0].known !== entries.length) return false;
      for (const { labelId, points } of entries) {
        const changed = await db.query(
          'UPDATE activity_labels SET points = $1, updated_at = $2 WHERE id = $3 AND points <> $1',
          [points, actor.at, labelId],
        );
        if (changed.rowCount) await writeAudit(db, actor, 'activity-label', labelId, 'points', { points });
      }
      return true;
    });
    return done ? this.table() : ('unknown' as const);
  }

  async advisors(ids: number[] | null) {
    const { rows } = await this.db.query<PointsAdvisor>(
      `SELECT id, display_name AS "displayName", time_zone AS "timeZone", monthly_quota AS "monthlyQuota"
         FROM advisors WHERE active AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
         ORDER BY lower(display_name) COLLATE "C", id`,
      [ids],
    );
    return rows;
  }

  async earned(windows: PointsWindow[]) {
    if (windows.length === 0) return new Map<number, number>();
    const { rows } = await this.db.query<{ advisor_id: number; points: number }>(EARNED_POINTS, [
      windows.map((w) => w.advisorId),
      windows.map((w) => w.from),
      windows.map((w) => w.to),
    ]);
    return new Map(rows.map((row) => [row.advisor_id, row.points]));
  }
}
