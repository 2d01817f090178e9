import type { PostgresMigration } from '../migrate';
import { initialPostgres } from './031_initial';
import { postgresTypeahead } from './032_typeahead';
import { postgresAttentionFacts } from './033_attention_facts';

/**
 * PostgreSQL's migrations, numbered as SQLite's (server/db/migrations): a PostgreSQL database starts at 31, the
 * level SQLite's schema had when the PostgreSQL backend began, and every later migration exists in both with the
 * same number.
 */
export const postgresMigrations: PostgresMigration[] = [initialPostgres, postgresTypeahead, postgresAttentionFacts];
