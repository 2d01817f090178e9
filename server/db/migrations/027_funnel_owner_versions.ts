import type { Migration } from '../migrate';

/** Counts one more change to an owner's funnel rows (`owner` an SQL expression; nothing when it is NULL). */
export const bump = (owner: string) => `
  INSERT INTO funnel_owner_versions (owner_id, version) SELECT ${owner}, 1 WHERE ${owner} IS NOT NULL
    ON CONFLICT DO UPDATE SET version = version + 1;`;

/** The opportunity's columns a funnel reads: its owner, where it stands, and what its filters compare. */
export const FUNNEL_READ = [
  'owner_id',
  'status',
  'stage',
  'campaign_id',
  'referred_by_advisor_id',
  'referred_by_contact_id',
  'created_at',
];

/** The trigger that bumps the owners' versions when one of these opportunity columns changes (both owners on a move). */
export const versionsUpdateTrigger = (columns: string[]) => `
CREATE TRIGGER funnel_owner_versions_update AFTER UPDATE OF ${columns.join(', ')} ON opportunities
  WHEN ${columns.map((column) => `old.${column} IS NOT new.${column}`).join(' OR ')}
BEGIN${bump('old.owner_id')}${bump('CASE WHEN new.owner_id IS NOT old.owner_id THEN new.owner_id END')}
END;`;

const ownerOfFacts = (row: string) => `(SELECT owner_id FROM opportunities WHERE id = ${row}.opportunity_id)`;

/**
 * A version per owner, bumped by triggers in the transaction of every change a funnel of that owner reads: their
 * opportunities (created, deleted, or a read column changed; moving to another owner bumps both), those
 * opportunities' funnel facts (migration 22), and the owner's team memberships (a funnel filtered by team reads
 * them). A me or team funnel may reuse an answer while every owner in scope has the version it was computed at
 * (see FunnelStore.summary): one a write could have changed is computed again, whichever process wrote it. Owners
 * never changed have no row (version 0); rows are never deleted, so a version never comes back. Nothing to backfill.
 */
export const funnelOwnerVersions: Migration = {
  version: 27,
  name: 'funnel owner versions',
  sql: /* sql */ `
CREATE TABLE funnel_owner_versions (
  owner_id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL
);

CREATE TRIGGER funnel_owner_versions_insert AFTER INSERT ON opportunities BEGIN${bump('new.owner_id')}
END;

CREATE TRIGGER funnel_owner_versions_delete AFTER DELETE ON opportunities BEGIN${bump('old.owner_id')}
END;

${versionsUpdateTrigger(FUNNEL_READ)}

CREATE TRIGGER funnel_owner_versions_facts_insert AFTER INSERT ON opportunity_funnel BEGIN${bump(ownerOfFacts('new'))}
END;

CREATE TRIGGER funnel_owner_versions_facts_update AFTER UPDATE ON opportunity_funnel BEGIN${bump(ownerOfFacts('new'))}
END;

CREATE TRIGGER funnel_owner_versions_facts_delete AFTER DELETE ON opportunity_funnel BEGIN${bump(ownerOfFacts('old'))}
END;

CREATE TRIGGER funnel_owner_versions_member_insert AFTER INSERT ON team_members BEGIN${bump('new.advisor_id')}
END;

CREATE TRIGGER funnel_owner_versions_member_delete AFTER DELETE ON team_members BEGIN${bump('old.advisor_id')}
END;

CREATE TRIGGER funnel_owner_versions_member_update AFTER UPDATE ON team_members BEGIN${bump('old.advisor_id')}${bump('new.advisor_id')}
END;
`,
};
