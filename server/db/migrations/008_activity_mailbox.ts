import type { Migration } from '../migrate';

/**
 * Whose mailbox a linked item is in: the owner's address when the advisor linked it in a shared folder
 * (delegate access) or a shared mailbox, as Outlook reports it (getSharedPropertiesAsync); null in the
 * advisor's own mailbox, and for every activity recorded before.
 */
export const activityMailbox: Migration = {
  version: 8,
  name: 'activity mailbox',
  sql: /* sql */ `
ALTER TABLE activities ADD COLUMN mailbox TEXT;
`,
};
