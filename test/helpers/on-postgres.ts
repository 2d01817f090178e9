import { postgresAvailable, postgresRequired } from './postgres';

/**
 * Loaded first by the PostgreSQL pass of the HTTP tests (.mocharc.postgres.cjs): every test server of the run is on a
 * fresh PostgreSQL database instead of a SQLite file (see startTestServer). Where no PostgreSQL can run, the pass says
 * so loudly and runs nothing, or fails under REGARDING_REQUIRE_POSTGRES=1, as the other PostgreSQL suites do.
 */
process.env.REGARDING_TEST_BACKEND = 'postgres';

if (!postgresAvailable) {
  if (postgresRequired) {
    throw new Error(
      'REGARDING_REQUIRE_POSTGRES=1, but REGARDING_TEST_POSTGRES_URL is not set and no PostgreSQL server binaries ' +
        'are installed (Debian package: postgresql): the HTTP tests cannot run on PostgreSQL.',
    );
  }
  process.stderr.write(
    '\n*** PostgreSQL half SKIPPED: the HTTP tests did not run on PostgreSQL: no REGARDING_TEST_POSTGRES_URL and no ' +
      'PostgreSQL server installed (apt-get install postgresql). `.ci/run` installs it and makes this a failure. ***\n\n',
  );
  process.exit(0);
}
