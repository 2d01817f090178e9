import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL OpportunityStore. */
export class PostgresOpportunityStore {
  constructor(readonly pool: Postgres) {}
}
