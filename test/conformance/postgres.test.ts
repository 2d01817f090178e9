import { openPostgres } from '../../server/db/postgres/connection';
import { migratePostgres } from '../../server/db/postgres/migrate';
import { createPostgresRepository } from '../../server/repository/postgres';
import type { Repository } from '../../server/repository/repository';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';
import { describeRepositoryConformance, type ConformanceBackend } from './repository-conformance';

/** PostgreSQL: each instance is a pool of its own on one database, as each server process has: the whole suite. */
describeOnPostgres('PostgreSQL conformance', () => {
  const backend: ConformanceBackend<Repository> = {
    name: 'PostgreSQL',
    async open() {
      const database = await freshPostgresDatabase();
      const pool = openPostgres(database.url);
      await migratePostgres(pool);
      const instances = [createPostgresRepository(pool)];
      return {
        repo: instances[0],
        another() {
          instances.push(createPostgresRepository(openPostgres(database.url)));
          return Promise.resolve(instances[instances.length - 1]);
        },
        async close() {
          await Promise.all(instances.map((instance) => instance.close()));
          await database.drop();
        },
      };
    },
  };
  describeRepositoryConformance(backend);
});
