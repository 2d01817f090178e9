import type { Db } from '../../db/connection';
import type { OpenStageDays, StageReportData, StageRow } from '../repository';
import { list, sql } from './support';
import { STAGES } from '../../../shared/schemas/opportunities';

/**
 * The stage report's SQL. For owners given, each statement starts from those owners' rows
 * (opportunities_owner_stage); for the firm (null), the open ones are read in stage and time order from
 * opportunities_stage, so a median is a walk to the middle of one index range, with no sort.
 */
const opportunities = (ownerIds: number[] | null) =>
  ownerIds === null ? 'opportunities o' : 'json_each(:owners) j CROSS JOIN opportunities o ON o.owner_id = j.value';

/** The stage report's data, read at `now` (run by the report worker, see report-jobs.ts). */
export function stageReport(db: Db, ownerIds: number[] | null, now: string): StageReportData {
  return { asOf: now, rows: stageRows(db, ownerIds), openStageDays: openStageDays(db, ownerIds) };
}

/** Count and sums of values per stage and status. */
export function stageRows(db: Db, ownerIds: number[] | null): StageRow[] {
  return sql(
    db,
    `SELECT o.stage, o.status, count(*) AS count, coalesce(sum(o.estimated_value), 0) AS estimatedValue,
         coalesce(sum(o.actual_value), 0) AS actualValue
       FROM ${opportunities(ownerIds)}
       GROUP BY o.stage, o.status`,
  ).all(ownerIds === null ? {} : { owners: list(ownerIds) }) as StageRow[];
}

/**
 * Per stage, the open opportunities: how many, when the longest-waiting one entered its stage, and the one or two
 * entry times in the middle (latest first, so their order is that of the days in stage, shortest first).
 */
export function openStageDays(db: Db, ownerIds: number[] | null): OpenStageDays[] {
  const owners = ownerIds === null ? {} : { owners: list(ownerIds) };
  const counts = sql(
    db,
    `SELECT o.stage, count(*) AS open, min(o.stage_entered_at) AS oldest FROM ${opportunities(ownerIds)}
       WHERE o.status = 'open' GROUP BY o.stage`,
  ).all(owners) as { stage: StageRow['stage']; open: number; oldest: string }[];
  const middle = sql(
    db,
    `SELECT o.stage_entered_at FROM ${opportunities(ownerIds)} WHERE o.status = 'open' AND o.stage = :stage
       ORDER BY o.stage_entered_at DESC LIMIT :take OFFSET :skip`,
  ).pluck();
  return STAGES.map((stage) => {
    const found = counts.find((row) => row.stage === stage);
    if (!found) return { stage, open: 0, oldest: null, middle: [] };
    const take = found.open % 2 ? 1 : 2;
    const skip = Math.floor(found.open / 2) - (take - 1);
    return { ...found, middle: middle.all({ ...owners, stage, take, skip }) as string[] };
  });
}
