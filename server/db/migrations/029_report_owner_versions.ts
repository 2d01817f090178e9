import type { Migration } from '../migrate';
import { FUNNEL_READ, versionsUpdateTrigger } from './027_funnel_owner_versions';

/** What a funnel reads (migration 27) and, beside it, what the stage report reads: when a stage began, the values. */
const READ = [...FUNNEL_READ, 'stage_entered_at', 'estimated_value', 'actual_value'];

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

${versionsUpdateTrigger(READ)}
`,
};
