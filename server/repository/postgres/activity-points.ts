import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL ActivityPointsStore. */
export class PostgresActivityPointsStore {
  constructor(readonly pool: Postgres) {}
}
