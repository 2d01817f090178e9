import type { Migration } from '../migrate';

/**
 * Nothing changes on SQLite: this number is PostgreSQL's migration 33 (needs attention's facts kept with each open
 * opportunity), and each schema level has one number on both backends. SQLite keeps due times (migrations 19, 23, 24).
 */
export const postgresAttentionFacts: Migration = {
  version: 33,
  name: 'PostgreSQL needs-attention facts (nothing on SQLite)',
  sql: '',
};
