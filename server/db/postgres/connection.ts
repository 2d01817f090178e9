import pg from 'pg';

/**
 * A PostgreSQL pool for `DATABASE_URL=postgres://…` (issue 16). Values come back as the repository's types: a
 * bigint (ids, counts) as a number (ids stay far below 2^53), a timestamptz as ISO-8601 UTC text with milliseconds
 * and a date as its YYYY-MM-DD text, what the SQLite backend stores, so both backends answer the same strings.
 */
export type Postgres = pg.Pool;

const INT8 = 20;
const DATE = 1082;
const TIMESTAMPTZ = 1184;
const types: pg.CustomTypesConfig = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
    // A calendar day stays its text (YYYY-MM-DD), as SQLite stores it: never a Date at some time zone's midnight.
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

export function openPostgres(url: string, options: { max?: number } = {}): Postgres {
  return new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
}

/** Runs `work` in one transaction on one connection of the pool: committed if it returns, rolled back if it throws. */
export async function transaction<T>(pool: Postgres, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
