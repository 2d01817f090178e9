import type { Migration } from '../migrate';

/**
 * Two things the activity rules need (issue 11). `version` grows with every change of an activity,
 * so a write can be made conditional on the state its rule checked (`... WHERE id = ? AND version = ?`).
 * `tracking_token_by_id` is who wrote the tracking token: only they are shown it, and it stays theirs
 * when a draft is folded into another advisor's record of the sent message. Existing tokens were
 * written by their activity's creator.
 */
export const activityVersion: Migration = {
  version: 4,
  name: 'activity version and tracking token owner',
  sql: /* sql */ `
ALTER TABLE activities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE activities ADD COLUMN tracking_token_by_id INTEGER REFERENCES advisors (id);
UPDATE activities SET tracking_token_by_id = created_by_id WHERE tracking_token IS NOT NULL;
`,
};
