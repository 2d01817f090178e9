import type { Migration } from '../migrate';

/**
 * Indexes the stage report and the funnel read from: an owner's (or a team's) open opportunities by stage
 * and time in it, so the report for me or my team starts from the owners' rows (a few thousand), and the
 * firm's open ones by stage and time in it, so the firm-wide counts, oldest and median per stage are walks
 * of one index range in order, never a sort of the firm's opportunities.
 */
export const reportFacts: Migration = {
  version: 21,
  name: 'report facts',
  sql: /* sql */ `
CREATE INDEX opportunities_owner_stage ON opportunities (owner_id, status, stage, stage_entered_at);
CREATE INDEX opportunities_stage ON opportunities (status, stage, stage_entered_at);
`,
};
