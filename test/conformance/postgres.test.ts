import { openPostgres, type Postgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { createPostgresStores, type PostgresStores } from '../../server/repository/postgres';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';
import {
  describeAlertConformance,
  describeCustomerConformance,
  describePeopleConformance,
  describeRateLimitConformance,
  describeSettingConformance,
  type ConformanceBackend,
} from './repository-conformance';

/**
 * PostgreSQL: each instance is a pool of its own on one database, as each server process has. It passes the people,
 * customer, alert, rate-limit and setting parts so far (issue 16); describeRepositoryConformance replaces them once every store is there.
 */
describeOnPostgres('PostgreSQL conformance', () => {
  const backend: ConformanceBackend<PostgresStores> = {
    name: 'PostgreSQL',
    async open() {
      const database = await freshPostgresDatabase();
      const pools: Postgres[] = [openPostgres(database.url)];
      await migratePostgres(pools[0]);
      return {
        repo: createPostgresStores(pools[0]),
        another() {
          const pool = openPostgres(database.url);
          pools.push(pool);
          return Promise.resolve(createPostgresStores(pool));
        },
        async close() {
          await Promise.all(pools.map((pool) => pool.end()));
          await database.drop();
        },
      };
    },
  };
  describePeopleConformance(backend);
  describeCustomerConformance(backend);
  describeAlertConformance(backend);
  describeRateLimitConformance(backend);
  describeSettingConformance(backend);
});
