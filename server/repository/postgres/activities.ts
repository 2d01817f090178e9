import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL ActivityStore. */
export class PostgresActivityStore {
  constructor(readonly pool: Postgres) {}
}
