import type { Db } from '../../db/connection';
import type { OpenStageDays, StageReportData, StageRow } from '../repository';
import { list, sql } from './support';
import { STAGES } from '../../../shared/schemas/opportunities';

/**
 * The stage report's SQL, from the totals the triggers of migration 25 keep: a few rows per owner in scope (me,
 * team) or the firm's own few rows (null), never a read that grows with the firm's opportunities.
 */
const owners = (ownerIds: number[] | null) => (ownerIds === null ? {} : { owners: list(ownerIds) });

/**
 * The stage report's data, read at `now` (run by the report worker, see report-jobs.ts), in one read transaction: the
 * months' counts and the entries they point to are of the same moment.
 */
export function stageReport(db: Db, ownerIds: number[] | null, now: string): StageReportData {
  return db.transaction(() => ({
    asOf: now,
    rows: stageRows(db, ownerIds),
    openStageDays: openStageDays(db, ownerIds),
  }))();
}

/** Count and sums of values (to the cent) per stage and status. */
export function stageRows(db: Db, ownerIds: number[] | null): StageRow[] {
  const rows = sql(
    db,
    ownerIds === null
      ? `SELECT stage, status, count, estimated_cents AS estimated, actual_cents AS actual FROM stage_totals_firm
           WHERE count > 0`
      : `SELECT t.stage, t.status, sum(t.count) AS count, sum(t.estimated_cents) AS estimated,
             sum(t.actual_cents) AS actual
           FROM json_each(:owners) j CROSS JOIN stage_totals t ON t.owner_id = j.value
           GROUP BY t.stage, t.status HAVING sum(t.count) > 0`,
  ).all(owners(ownerIds)) as (Omit<StageRow, 'estimatedValue' | 'actualValue'> & {
    estimated: number;
    actual: number;
  })[];
  return rows.map(({ stage, status, count, estimated, actual }) => ({
    stage,
    status,
    count,
    estimatedValue: estimated / 100,
    actualValue: actual / 100,
  }));
}

/**
 * Per stage, the open opportunities: how many, when the longest-waiting one entered its stage, and the one or two
 * entry times in the middle (latest first, so their order is that of the days in stage, shortest first). The months'
 * counts (open_stage_months) say which month holds the entry at a position; that month's entries are then read in
 * order from the report index (migration 21) to the one wanted, so the answer is exact and reads one month's rows.
 */
export function openStageDays(db: Db, ownerIds: number[] | null): OpenStageDays[] {
  const params = owners(ownerIds);
  const months = sql(
    db,
    ownerIds === null
      ? `SELECT month, count FROM open_stage_months_firm WHERE stage = :stage AND count > 0 ORDER BY month`
      : `SELECT m.month, sum(m.count) AS count
           FROM json_each(:owners) j CROSS JOIN open_stage_months m ON m.owner_id = j.value AND m.stage = :stage
           GROUP BY m.month HAVING sum(m.count) > 0 ORDER BY m.month`,
  );
  // ISO times sort as text: a month's entries are those from 'YYYY-MM' up to 'YYYY-MM~' ('~' sorts after them all).
  const entry = sql(
    db,
    ownerIds === null
      ? `SELECT stage_entered_at FROM opportunities
           WHERE status = 'open' AND stage = :stage AND stage_entered_at >= :month AND stage_entered_at < :month || '~'
           ORDER BY stage_entered_at LIMIT 1 OFFSET :skip`
      : `SELECT o.stage_entered_at FROM json_each(:owners) j CROSS JOIN opportunities o ON o.owner_id = j.value
           WHERE o.status = 'open' AND o.stage = :stage AND o.stage_entered_at >= :month
             AND o.stage_entered_at < :month || '~'
           ORDER BY o.stage_entered_at LIMIT 1 OFFSET :skip`,
  ).pluck();
  return STAGES.map((stage): OpenStageDays => {
    const counts = months.all({ ...params, stage }) as { month: string; count: number }[];
    const open = counts.reduce((sum, { count }) => sum + count, 0);
    if (open === 0) return { stage, open: 0, oldest: null, middle: [] };
    /** The entry time at `position` in order, earliest first. */
    const at = (position: number): string => {
      let before = 0;
      for (const { month, count } of counts) {
        if (position < before + count) return entry.get({ ...params, stage, month, skip: position - before }) as string;
        before += count;
      }
      throw new Error(`open_stage_months holds fewer than ${position + 1} ${stage} entries`);
    };
    const half = Math.floor(open / 2);
    return { stage, open, oldest: at(0), middle: open % 2 ? [at(half)] : [at(half), at(half - 1)] };
  });
}
