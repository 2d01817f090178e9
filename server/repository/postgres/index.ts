import { openLookupPool, type Postgres } from '../../db/postgres/connection';
import type { Repository } from '../repository';
import { PostgresActivityStore } from './activities';
import { PostgresChangeStamps } from './change-stamp';
import { PostgresActivityPointsStore } from './activity-points';
import { PostgresFunnelStore } from './funnel';
import { PostgresNoteStore } from './notes';
import { PostgresOpportunityStore } from './opportunities';
import { PostgresWorkStore } from './work';
import { PostgresActivityLabelStore } from './activity-labels';
import { PostgresAlertDeliveryStore } from './alert-deliveries';
import { PostgresContactStore } from './contacts';
import { PostgresExceptionRuleStore } from './exception-rules';
import { FirmAnswers } from './firm-answers';
import { PostgresAdvisorStore, PostgresTeamStore } from './people';
import { PostgresRateLimitStore } from './rate-limits';
import { PostgresTokenStore } from './tokens';

/** How long a health check waits for the database: one that does not answer by then is down, for /healthz. */
const HEALTH_WAIT_MS = 5000;

/** The query's result, or null when it fails or takes longer than HEALTH_WAIT_MS. */
async function answered<T>(query: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), HEALTH_WAIT_MS);
  });
  try {
    return await Promise.race([query.catch(() => null), late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PostgresRepositoryOptions {
  /** How long this instance reuses a firm-wide stage report or funnel (REPORT_CACHE_SECONDS); 0: never. */
  reportCacheMs?: number;
  /** How long a change stamp holds at most (PostgresChangeStamps; SIGN_IN_REUSE_MS); 0, unless given: never. */
  stampMaxAgeMs?: number;
}

export function createPostgresRepository(pool: Postgres, options: PostgresRepositoryOptions = {}): Repository {
  const firm = new FirmAnswers(options.reportCacheMs ?? 0);
  let closing = false;
  let ended: Promise<void> | undefined;
  const stamps = new PostgresChangeStamps(options.stampMaxAgeMs ?? 0);
  // Type-ahead's named lookups, planned once (openLookupPool); ended with `pool`.
  const lookups = openLookupPool(pool);
  return {
    advisors: new PostgresAdvisorStore(pool, stamps),
    teams: new PostgresTeamStore(pool, stamps),
    tokens: new PostgresTokenStore(pool, stamps),
    contacts: new PostgresContactStore(pool),
    alertDeliveries: new PostgresAlertDeliveryStore(pool),
    rateLimitStore: (options) => new PostgresRateLimitStore(pool, stamps, options),
    exceptionRules: new PostgresExceptionRuleStore(pool),
    activityLabels: new PostgresActivityLabelStore(pool),
    opportunities: new PostgresOpportunityStore(pool, lookups),
    notes: new PostgresNoteStore(pool),
    activities: new PostgresActivityStore(pool),
    work: new PostgresWorkStore(pool, firm),
    funnel: new PostgresFunnelStore(pool, firm),
    activityPoints: new PostgresActivityPointsStore(pool),
    changeStamp: (options) => stamps.stamp(options),
    async ping() {
      return (await answered(pool.query<{ ok: number }>('SELECT 1 AS ok')))?.rows[0]?.ok === 1;
    },
    // A standby, or a primary set read-only (as managed services do when its storage is full), refuses every write.
    async writable() {
      const found = await answered(
        pool.query<{ writable: boolean }>("SELECT current_setting('transaction_read_only') = 'off' AS writable"),
      );
      return found?.rows[0]?.writable === true;
    },
    async maintain() {
      if (!closing) await pool.query('DELETE FROM rate_limits WHERE reset_at <= $1', [Date.now()]);
    },
    isOpen: () => !closing,
    close() {
      closing = true;
      ended ??= Promise.all([pool.end(), lookups.end()]).then(() => undefined);
      return ended;
    },
  };
}
