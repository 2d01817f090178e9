import type { Postgres } from '../../db/postgres/connection';
import type { ChangeStamp, Repository } from '../repository';
import { PostgresActivityStore } from './activities';
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
}

export function createPostgresRepository(pool: Postgres, options: PostgresRepositoryOptions = {}): Repository {
  const firm = new FirmAnswers(options.reportCacheMs ?? 0);
  let closing = false;
  let ended: Promise<void> | undefined;
  let stamps = 0;
  return {
    advisors: new PostgresAdvisorStore(pool),
    teams: new PostgresTeamStore(pool),
    tokens: new PostgresTokenStore(pool),
    contacts: new PostgresContactStore(pool),
    alertDeliveries: new PostgresAlertDeliveryStore(pool),
    rateLimitStore: (options) => new PostgresRateLimitStore(pool, options),
    exceptionRules: new PostgresExceptionRuleStore(pool),
    activityLabels: new PostgresActivityLabelStore(pool),
    opportunities: new PostgresOpportunityStore(pool),
    notes: new PostgresNoteStore(pool),
    activities: new PostgresActivityStore(pool),
    work: new PostgresWorkStore(pool, firm),
    funnel: new PostgresFunnelStore(pool, firm),
    activityPoints: new PostgresActivityPointsStore(pool),
    // Another instance's commit has no cheap sign here (SQLite's file has PRAGMA data_version): every stamp is new,
    // so nothing is reused on its strength and every request reads again.
    changeStamp: () => `pg:${++stamps}` as ChangeStamp,
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
      ended ??= pool.end();
      return ended;
    },
  };
}
