import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

/**
 * Every stage an opportunity entered, when and by whom, written in the same transaction as the change: the
 * funnel report counts stages reached and time in each from it (closes and reopens, which stop and restart
 * that time, are in opportunity_events). Opportunities older than this migration get one entry: their current
 * stage at stage_entered_at, by no one known (by_advisor_id null), since no earlier change was recorded.
 * They are copied in ranges of ids, reporting progress (the same rows, in the same order, as one INSERT … SELECT).
 */
export const stageHistory: Migration = {
  version: 16,
  name: 'stage history',
  sql: /* sql */ `
CREATE TABLE stage_changes (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  stage TEXT NOT NULL CHECK (stage IN ('qualify', 'develop', 'propose', 'close')),
  from_stage TEXT CHECK (from_stage IN ('qualify', 'develop', 'propose', 'close')),
  at TEXT NOT NULL,
  by_advisor_id INTEGER REFERENCES advisors (id)
);
CREATE INDEX stage_changes_opportunity ON stage_changes (opportunity_id, at, id);
`,
  run: (db, progress) =>
    inIdRanges(db, progress, {
      label: 'opportunities',
      table: 'opportunities',
      statement: `INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id)
        SELECT id, stage, NULL, stage_entered_at, NULL FROM opportunities WHERE id > :from AND id <= :to ORDER BY id`,
    }),
};
