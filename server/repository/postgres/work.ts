import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL WorkStore. */
export class PostgresWorkStore {
  constructor(readonly pool: Postgres) {}
}
