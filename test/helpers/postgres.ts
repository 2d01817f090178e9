import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresBinaries, startTestCluster, stopTestCluster } from '../../scripts/test-postgres';

/**
 * The PostgreSQL half of the tests (issue 16). The server they run on: REGARDING_TEST_POSTGRES_URL when set (`.ci/run`
 * starts one), else a cluster started here from Debian's server binaries and stopped when the tests end. When neither
 * is possible the PostgreSQL suites are not registered and the run says so loudly; with REGARDING_REQUIRE_POSTGRES=1
 * (`.ci/run` sets it) each of them fails instead.
 */
const givenUrl = process.env.REGARDING_TEST_POSTGRES_URL;
const required = process.env.REGARDING_REQUIRE_POSTGRES === '1';
const available = Boolean(givenUrl) || postgresBinaries() !== null;

/** Whether the PostgreSQL half can run here (a given server, or binaries to start one). */
export const postgresAvailable = available;
/** REGARDING_REQUIRE_POSTGRES=1: a PostgreSQL half that cannot run fails instead of being skipped. */
export const postgresRequired = required;

let cluster: Promise<{ url: string; dir: string | undefined }> | null = null;

/**
 * The server's admin URL (the `postgres` database) and, when known, its folder (where its Unix socket is), starting a
 * cluster the first time when none was given.
 */
function testServer(): Promise<{ url: string; dir: string | undefined }> {
  cluster ??= givenUrl
    ? Promise.resolve({ url: givenUrl, dir: process.env.REGARDING_TEST_POSTGRES_DIR })
    : startTestCluster().then(({ url, dir }) => {
        process.once('exit', () => stopTestCluster(dir));
        // Stopped on Ctrl-C or a kill too, then the signal ends the process as it would have.
        for (const signal of ['SIGINT', 'SIGTERM'] as const)
          process.once(signal, () => {
            stopTestCluster(dir);
            process.kill(process.pid, signal);
          });
        return { url, dir };
      });
  return cluster;
}

/**
 * A new, empty database on the test server (with `locale`, that locale's, from template0); `drop` removes it (closing
 * every pool on it first is the caller's).
 */
export async function freshPostgresDatabase(
  options: { locale?: 'C' } = {},
): Promise<{ url: string; socketUrl: string | undefined; drop(): Promise<void> }> {
  const { url: admin, dir } = await testServer();
  const name = `regarding_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(
      options.locale
        ? `CREATE DATABASE ${name} TEMPLATE template0 LOCALE '${options.locale}'`
        : `CREATE DATABASE ${name}`,
    );
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // The same database through the server's Unix socket, in libpq's form with a user and no host.
    socketUrl: dir && `postgres://${url.username}@/${name}?host=${encodeURIComponent(dir)}&port=${url.port || 5432}`,
    async drop() {
      const dropping = new pg.Client({ connectionString: admin });
      await dropping.connect();
      try {
        await dropping.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropping.end();
      }
    },
  };
}

/** `describe` for a suite that needs PostgreSQL: see the top of this file for when it runs, fails or is left out. */
export function describeOnPostgres(title: string, suite: (this: Mocha.Suite) => void): void {
  if (available) {
    describe(title, suite);
    return;
  }
  if (required) {
    describe(title, () => {
      it('has a PostgreSQL server to run on', () => {
        assert.fail(
          'REGARDING_REQUIRE_POSTGRES=1, but REGARDING_TEST_POSTGRES_URL is not set and no PostgreSQL server ' +
            'binaries are installed (Debian package: postgresql).',
        );
      });
    });
    return;
  }
  process.stderr.write(
    `\n*** PostgreSQL half SKIPPED: "${title}" did not run: no REGARDING_TEST_POSTGRES_URL and no PostgreSQL ` +
      'server installed (apt-get install postgresql). `.ci/run` installs it and makes this a failure. ***\n\n',
  );
}
