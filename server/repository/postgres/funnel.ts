import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL FunnelStore. */
export class PostgresFunnelStore {
  constructor(readonly pool: Postgres) {}
}
