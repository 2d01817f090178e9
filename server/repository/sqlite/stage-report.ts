import type { Db } from '../../db/connection';
import type { OpenStageDays, StageReportData, StageRow } from '../repository';
import { list, sql } from './support';
import { STAGES, type Stage } from '../../../shared/schemas/opportunities';

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

/** The open opportunities' entries counted per month, by stage (the owners' summed). */
const months = (ownerIds: number[] | null) =>
  ownerIds === null
    ? `SELECT stage, month AS period, count FROM open_stage_months_firm WHERE count > 0 ORDER BY stage, month`
    : ownerIds.length === 1
      ? `SELECT stage, month AS period, count FROM open_stage_months WHERE owner_id = :owner AND count > 0
           ORDER BY stage, month`
      : `SELECT m.stage, m.month AS period, sum(m.count) AS count
           FROM json_each(:owners) j CROSS JOIN open_stage_months m ON m.owner_id = j.value
           GROUP BY m.stage, m.month HAVING sum(m.count) > 0 ORDER BY m.stage, m.month`;

/** The firm's entries in one month of a stage, counted per day. */
const FIRM_DAYS = `SELECT day AS period, count FROM open_stage_days_firm
  WHERE stage = :stage AND day >= :period AND day < :period || '~' AND count > 0 ORDER BY day`;

/** The entry time at a position (:skip) among one period's entries (a month, or a day), earliest first. */
const entryAt = (ownerIds: number[] | null) =>
  // ISO times sort as text: a period's entries are those from 'YYYY-MM' up to 'YYYY-MM~' ('~' sorts after them all).
  ownerIds === null
    ? `SELECT stage_entered_at FROM opportunities
         WHERE status = 'open' AND stage = :stage AND stage_entered_at >= :period AND stage_entered_at < :period || '~'
         ORDER BY stage_entered_at LIMIT 1 OFFSET :skip`
    : ownerIds.length === 1
      ? `SELECT stage_entered_at FROM opportunities
           WHERE owner_id = :owner AND status = 'open' AND stage = :stage AND stage_entered_at >= :period
             AND stage_entered_at < :period || '~'
           ORDER BY stage_entered_at LIMIT 1 OFFSET :skip`
      : `SELECT o.stage_entered_at FROM json_each(:owners) j CROSS JOIN opportunities o ON o.owner_id = j.value
           WHERE o.status = 'open' AND o.stage = :stage AND o.stage_entered_at >= :period
             AND o.stage_entered_at < :period || '~'
           ORDER BY o.stage_entered_at LIMIT 1 OFFSET :skip`;

interface Period {
  period: string;
  count: number;
}

/** The period holding the entry at `position` among counted periods, and the position within it. */
function locate(periods: Period[], position: number): { period: string; skip: number } {
  let before = 0;
  for (const { period, count } of periods) {
    if (position < before + count) return { period, skip: position - before };
    before += count;
  }
  throw new Error(`the counts hold fewer than ${position + 1} open entries`);
}

/**
 * Per stage, the open opportunities: how many, when the longest-waiting one entered its stage, and the one or two
 * entry times in the middle (latest first, so their order is that of the days in stage, shortest first). The counts
 * per month (open_stage_months, for the firm open_stage_months_firm then open_stage_days_firm) say which period holds
 * the entry at a position; that period's entries are then read in order from the report index (migration 21) to the
 * one wanted: exact, and never more than one period's entries.
 */
export function openStageDays(db: Db, ownerIds: number[] | null): OpenStageDays[] {
  const params = ownerIds === null ? {} : ownerIds.length === 1 ? { owner: ownerIds[0] } : { owners: list(ownerIds) };
  const counted = sql(db, months(ownerIds)).all(params) as (Period & { stage: Stage })[];
  const days = sql(db, FIRM_DAYS);
  const entry = sql(db, entryAt(ownerIds)).pluck();
  return STAGES.map((stage): OpenStageDays => {
    const counts = counted.filter((row) => row.stage === stage);
    const open = counts.reduce((sum, { count }) => sum + count, 0);
    if (open === 0) return { stage, open: 0, oldest: null, middle: [] };
    const at = (position: number): string => {
      let found = locate(counts, position);
      if (ownerIds === null) found = locate(days.all({ stage, period: found.period }) as Period[], found.skip);
      return entry.get({ ...params, stage, ...found }) as string;
    };
    const half = Math.floor(open / 2);
    return { stage, open, oldest: at(0), middle: open % 2 ? [at(half)] : [at(half), at(half - 1)] };
  });
}
