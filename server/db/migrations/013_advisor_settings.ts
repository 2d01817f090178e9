import type { Migration } from '../migrate';

/**
 * What manage-by-exception needs to know of each advisor: the IANA time zone their business days, local
 * digest hour and month are counted in (UTC until an admin or they set it), whether they opted out of
 * their own daily digest (never of their manager's alerts), and their monthly activity-points quota
 * (null: none set).
 */
export const advisorSettings: Migration = {
  version: 13,
  name: 'advisor time zone, digest opt-out and quota',
  sql: /* sql */ `
ALTER TABLE advisors ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE advisors ADD COLUMN digest_opt_out INTEGER NOT NULL DEFAULT 0 CHECK (digest_opt_out IN (0, 1));
ALTER TABLE advisors ADD COLUMN monthly_quota INTEGER CHECK (monthly_quota >= 0);
`,
};
