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

/**
 * Every session reads times in UTC with ISO output, whatever the server's or role's settings, so the parsers above
 * always get text like `2026-11-24 09:30:00.123+00`.
 */
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD';

/**
 * The lookup pool's sessions (openLookupPool): each named statement planned once for every value, and never compiled
 * (JIT): a plan for every value estimates its LIMIT as a tenth of the rows, which can cross jit_above_cost (All Open's
 * lookup with nothing typed did at 100k, when it was planned so: 10 ms compiling a statement that runs in 0.2 ms).
 */
const PLAN_ONCE_OPTIONS = '-c plan_cache_mode=force_generic_plan -c jit=off';

export interface PostgresPoolOptions {
  max?: number;
  onError?: (error: Error) => void;
  /** Its sessions plan a named statement once, for every value, never compiled (see openLookupPool). */
  planOnce?: boolean;
  /**
   * PostgreSQL cancels a statement of its sessions that runs (or waits for a lock) longer than this (0 or none: no
   * limit), so that a stuck statement never holds a connection, and with it a request, for good. Migrations lift it
   * (migratePostgres).
   */
  statementTimeoutMs?: number;
}

/** What each pool was opened with: its lookup pool (openLookupPool) opens its own sessions the same way. */
const opened = new WeakMap<Postgres, PostgresPoolOptions>();

export function openPostgres(url: string, options: PostgresPoolOptions = {}): Postgres {
  const sessionOptions = [
    SESSION_OPTIONS,
    options.statementTimeoutMs ? `-c statement_timeout=${Math.floor(options.statementTimeoutMs)}` : '',
    options.planOnce ? PLAN_ONCE_OPTIONS : '',
  ];
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    options: sessionOptions.filter(Boolean).join(' '),
    // A server that cannot be reached fails the request after this long instead of holding it (pg waits forever).
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection the server ends (a restart, a failover, idle_session_timeout) is an 'error' event on the pool,
  // which without a listener would end the process; the pool opens a new connection when one is next needed.
  pool.on('error', options.onError ?? ((error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`)));
  opened.set(pool, options);
  return pool;
}

/**
 * The pool for type-ahead's named lookups, beside `pool`: the same server, a quarter of `pool`'s connections (at least
 * one). Its sessions plan each statement once for all its values (`plan_cache_mode = force_generic_plan`): planning a
 * lookup cost PostgreSQL more than running it, and under `auto` it kept planning them for every keystroke, judging
 * the plan for every value dearer by its estimates. Its sessions plan every statement with parameters so, named or
 * not: only statements whose plan for every value holds may be sent here (tested); every other statement stays on
 * `pool`, planned for its values.
 */
export function openLookupPool(pool: Postgres): Postgres {
  const { connectionString, max } = pool.options;
  if (!connectionString) throw new Error('openLookupPool: the pool was not opened from a URL');
  return openPostgres(connectionString, {
    ...opened.get(pool),
    max: Math.max(1, Math.ceil((max ?? 10) / 4)),
    planOnce: true,
  });
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction did nothing and may run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/**
 * Runs `work` in one transaction on one connection of the pool: committed if it returns, rolled back if it throws.
 * A transaction PostgreSQL ended as a deadlock's victim runs again (at most three times in all): `work` must only
 * talk to the database through the client it is given. `snapshot`: read-only, every statement reading the same
 * moment (REPEATABLE READ), as SQLite's read transactions do.
 */
export async function transaction<T>(
  pool: Postgres,
  work: (client: pg.PoolClient) => Promise<T>,
  { snapshot = false }: { snapshot?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    try {
      await client.query(snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY' : 'BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    } finally {
      client.release();
    }
  }
}

/** SQLSTATE classes and codes of a server that cannot serve now: connection exceptions, out of resources (too many
 * connections), shutting down or starting, a statement cancelled after DATABASE_STATEMENT_TIMEOUT_MS (its transaction
 * saved nothing), and a write on a server that became a standby (a failover). */
const UNAVAILABLE_STATES = /^(08...|53...|57P0[123]|57014|25006)$/;
/** The network's word for the same, and the pool's and driver's when a connection ends or never comes. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|database "[^"]*" is not currently accepting connections)/;

/** Whether an error means PostgreSQL could not be reached or could not serve now (answered 503, not 500). */
export function isPostgresUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  return UNAVAILABLE_MESSAGES.test(error.message);
}
