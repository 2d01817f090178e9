import type { Postgres } from '../../db/postgres/connection';

/** Being written (issue 16): becomes the PostgreSQL NoteStore. */
export class PostgresNoteStore {
  constructor(readonly pool: Postgres) {}
}
