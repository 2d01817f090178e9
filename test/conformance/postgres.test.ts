import { openPostgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { createPostgresStores, type PostgresStores } from '../../server/repository/postgres';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';
import {
  describeAlertConformance,
  describeOperationConformance,
  describeCustomerConformance,
  describePeopleConformance,
  describeRateLimitConformance,
  describeSettingConformance,
  type ConformanceBackend,
} from './repository-conformance';

/**
 * PostgreSQL: each instance is a pool of its own on one database, as each server process has. It passes the people,
 * customer, alert, rate-limit, setting and operation parts so far (issue 16); describeRepositoryConformance replaces them once every store is there.
 */
describeOnPostgres('PostgreSQL conformance', () => {
  const backend: ConformanceBackend<PostgresStores> = {
    name: 'PostgreSQL',
    async open() {
      const database = await freshPostgresDatabase();
      const pool = openPostgres(database.url);
      await migratePostgres(pool);
      const instances = [createPostgresStores(pool)];
      return {
        repo: instances[0],
        another() {
          instances.push(createPostgresStores(openPostgres(database.url)));
          return Promise.resolve(instances[instances.length - 1]);
        },
        async close() {
          await Promise.all(instances.map((instance) => instance.close()));
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
  describeOperationConformance(backend);
});
