import type { Postgres } from '../../db/postgres/connection';
import type { Repository } from '../repository';
import { PostgresActivityLabelStore } from './activity-labels';
import { PostgresAlertDeliveryStore } from './alert-deliveries';
import { PostgresContactStore } from './contacts';
import { PostgresExceptionRuleStore } from './exception-rules';
import { PostgresAdvisorStore, PostgresTeamStore } from './people';
import { PostgresRateLimitStore } from './rate-limits';
import { PostgresTokenStore } from './tokens';

/** The stores the PostgreSQL backend has so far (issue 16): the rest of Repository follows before it is selectable. */
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
> & {
  close(): Promise<void>;
};

export function createPostgresStores(pool: Postgres): PostgresStores {
  return {
    advisors: new PostgresAdvisorStore(pool),
    teams: new PostgresTeamStore(pool),
    tokens: new PostgresTokenStore(pool),
    contacts: new PostgresContactStore(pool),
    alertDeliveries: new PostgresAlertDeliveryStore(pool),
    rateLimitStore: (options) => new PostgresRateLimitStore(pool, options),
    exceptionRules: new PostgresExceptionRuleStore(pool),
    activityLabels: new PostgresActivityLabelStore(pool),
    close: () => pool.end(),
  };
}
