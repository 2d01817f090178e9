import type { Migration } from '../migrate';

/**
 * The advisor's own unsent links (a compose draft's tracking token, no internetMessageId yet), by when
 * they were made: a sent copy with neither the draft's custom property nor its header (office-js #4773,
 * #6796, #5467) is matched against these alone (server/services/draft-matching.ts). Partial, so it
 * holds only the links still waiting, however many activities there are.
 */
export const pendingDrafts: Migration = {
  version: 9,
  name: 'pending drafts by advisor',
  sql: /* sql */ `
CREATE INDEX activities_pending_drafts ON activities (created_by_id, created_at)
  WHERE internet_message_id IS NULL AND tracking_token IS NOT NULL;
`,
};
