import type { Db } from './connection';

/** Reports how far a data-moving migration got: rows of `label` done out of `total`. */
export type MigrationProgress = (label: string, done: number, total: number) => void;

/** Rows a data-moving step copies: a step over 10,000 opportunities takes well under a second. */
const ROWS_PER_STEP = 10_000;

/**
 * Runs `statement` (with :from and :to) over `table` in ranges of ids, reporting the rows done after each
 * range. The statement filters `id > :from AND id <= :to`; a gap in the ids only makes a step smaller.
 */
export function inIdRanges(
  db: Db,
  progress: MigrationProgress,
  { label, table, statement }: { label: string; table: string; statement: string },
): void {
  const { low, high, total } = db
    .prepare(`SELECT min(id) AS low, max(id) AS high, count(*) AS total FROM ${table}`)
    .get() as {
    low: number | null;
    high: number | null;
    total: number;
  };
  if (low === null || high === null) return;
  const step = db.prepare(statement);
  const count = db.prepare(`SELECT count(*) FROM ${table} WHERE id > ? AND id <= ?`).pluck();
  let done = 0;
  for (let from = low - 1; from < high; from += ROWS_PER_STEP) {
    const to = Math.min(from + ROWS_PER_STEP, high);
    step.run({ from, to });
    done += count.get(from, to) as number;
    progress(label, done, total);
  }
}
