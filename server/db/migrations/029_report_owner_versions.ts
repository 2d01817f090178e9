import type { Migration } from '../migrate';
import { bump } from './027_funnel_owner_versions';

/** What a funnel reads (migration 27) and, beside it, what the stage report reads: when a stage began, the values. */
const READ = [
  'owner_id',
  'status',
  'stage',
  'campaign_id',
  'referred_by_advisor_id',
  'referred_by_contact_id',
  'created_at',
  'stage_entered_at',
  'estimated_value',
  'actual_value',
];

/**
 * The owner versions of migration 27 also count the changes an advisor's or team's stage report reads, so that report
 * is reused the way their funnel is (WorkStore.stageReport): while every owner in scope has the version it was read
 * at. The table keeps its name; it now versions both reports.
 */
export const reportOwnerVersions: Migration = {
  version: 29,
  name: 'report owner versions',
  sql: /* sql */ `
DROP TRIGGER funnel_owner_versions_update;

CREATE TRIGGER funnel_owner_versions_update AFTER UPDATE OF ${READ.join(', ')} ON opportunities
  WHEN ${READ.map((column) => `old.${column} IS NOT new.${column}`).join(' OR ')}
BEGIN${bump('old.owner_id')}${bump('CASE WHEN new.owner_id IS NOT old.owner_id THEN new.owner_id END')}
END;
`,
};
