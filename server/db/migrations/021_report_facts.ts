import type { Migration } from '../migrate';

/**
 * Indexes the stage report and the funnel read from, each holding every column the stage report reads (so it
 * never visits the table): an owner's (or a team's) opportunities by status, stage and time in it, so the report
 * for me or my team starts from the owners' rows (a few thousand); and the firm's by status, stage and time in it,
 * so the firm-wide counts, oldest and median per stage are walks of one index range in order, never a sort.
 */
export const reportFacts: Migration = {
  version: 21,
  name: 'report facts',
  sql: /* sql */ `
CREATE INDEX opportunities_owner_stage ON opportunities (owner_id, status, stage, stage_entered_at, estimated_value, actual_value);
CREATE INDEX opportunities_stage ON opportunities (status, stage, stage_entered_at, estimated_value, actual_value);
`,
};
