import type { Migration } from '../migrate';

/**
 * Hit counters for the rate limits (failed sign-ins per address and per token, changes per advisor),
 * kept in the database so every server process on it counts against the same limit. One row per key
 * and fixed window; `reset_at` is when the window ends (milliseconds since the epoch). No token is
 * stored: a token's key is its SHA-256 hash.
 */
export const rateLimits: Migration = {
  version: 5,
  name: 'rate limits',
  sql: /* sql */ `
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  hits INTEGER NOT NULL CHECK (hits >= 0),
  reset_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_limits_reset_at ON rate_limits (reset_at);
`,
};
