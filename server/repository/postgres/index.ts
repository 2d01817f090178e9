import type { Postgres } from '../../db/postgres/connection';
import type { ChangeStamp, Repository } from '../repository';
import { PostgresActivityLabelStore } from './activity-labels';
import { PostgresAlertDeliveryStore } from './alert-deliveries';
import { PostgresContactStore } from './contacts';
import { PostgresExceptionRuleStore } from './exception-rules';
import { PostgresAdvisorStore, PostgresTeamStore } from './people';
import { PostgresRateLimitStore } from './rate-limits';
import { PostgresTokenStore } from './tokens';

/** What the PostgreSQL backend has so far (issue 16): the rest of Repository follows before it is selectable. */
export type PostgresStores = Pick<
  Repository,
  | 'advisors'
  | 'teams'
  | 'tokens'
  | 'contacts'
  | 'alertDeliveries'
  | 'rateLimitStore'
  | 'exceptionRules'
  | 'activityLabels'
  | 'changeStamp'
  | 'ping'
  | 'writable'
  | 'maintain'
  | 'close'
  | 'isOpen'
>;

export function createPostgresStores(pool: Postgres): PostgresStores {
  let closing = false;
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
    // Another instance's commit has no cheap sign here (SQLite's file has PRAGMA data_version): every stamp is new,
    // so nothing is reused on its strength and every request reads again.
    changeStamp: () => `pg:${++stamps}` as ChangeStamp,
    async ping() {
      return (await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok === 1;
    },
    // A standby (in recovery) answers reads and refuses every write.
    async writable() {
      return !(await pool.query<{ standby: boolean }>('SELECT pg_is_in_recovery() AS standby')).rows[0].standby;
    },
    async maintain() {
      if (!closing) await pool.query('DELETE FROM rate_limits WHERE reset_at <= $1', [Date.now()]);
    },
    isOpen: () => !closing,
    async close() {
      if (closing) return;
      closing = true;
      await pool.end();
    },
  };
}
