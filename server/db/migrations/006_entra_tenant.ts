import type { Migration } from '../migrate';

/**
 * An Entra ID account is the pair (tenant id, object id): the same `oid` from another tenant is
 * another identity. Bindings made before this keep their `oid` with no tenant; the authenticator
 * completes them on the next sign-in from the issuer's own tenant, the only one that could have made
 * them. `entra_oid` keeps its column UNIQUE (SQLite cannot drop it without rebuilding `advisors`,
 * which every table refers to); Entra object ids are GUIDs, so the pair is what sign-in matches on.
 */
export const entraTenant: Migration = {
  version: 6,
  name: 'entra tenant id',
  sql: /* sql */ `
ALTER TABLE advisors ADD COLUMN entra_tid TEXT;
CREATE UNIQUE INDEX advisors_entra_identity ON advisors (entra_tid, entra_oid);
`,
};
