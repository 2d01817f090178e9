import type { Migration } from '../migrate';

/**
 * The moment an activity counts for points, as a column an index can serve: a completed call's start, a completed
 * task's completion, null for anything else. The points report then reads each advisor's month as one range of
 * the index (created_by_id, counted_at) instead of every completed call and task they ever logged. A virtual
 * generated column: it cannot disagree with the columns it comes from, and building the index fills it for the
 * rows already there.
 */
export const pointsCountedAt: Migration = {
  version: 18,
  name: 'points counted at',
  sql: /* sql */ `
ALTER TABLE activities ADD COLUMN counted_at TEXT GENERATED ALWAYS AS (
  CASE WHEN status = 'completed' THEN CASE kind WHEN 'phone_call' THEN start_at WHEN 'task' THEN completed_at END END
) VIRTUAL;
CREATE INDEX activities_counted_at ON activities (created_by_id, counted_at);
`,
};
