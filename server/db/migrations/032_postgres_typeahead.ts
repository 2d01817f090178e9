import type { Migration } from '../migrate';

/**
 * Nothing changes on SQLite: this number is PostgreSQL's migration 32 (indexes its owner-scoped type-ahead walks),
 * and each schema level has one number on both backends. SQLite's owner-scoped type-ahead reads its own search
 * indexes (migrations 20, 26 and 31).
 */
export const postgresTypeahead: Migration = {
  version: 32,
  name: 'PostgreSQL type-ahead (nothing on SQLite)',
  sql: '',
};
