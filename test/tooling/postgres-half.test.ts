import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/**
 * Issue 16: without a PostgreSQL server the PostgreSQL half of `npm test` is left out loudly, and `.ci/run`'s
 * REGARDING_REQUIRE_POSTGRES=1 turns that into a failure. Run on a PostgreSQL suite in a mocha of its own, with no
 * server named and no binaries where it looks for them.
 */
describe('the PostgreSQL half of the tests, on a machine without PostgreSQL', function () {
  this.timeout(60_000);
  const runSuite = (env: Record<string, string>) => {
    const { REGARDING_TEST_POSTGRES_URL: _url, REGARDING_REQUIRE_POSTGRES: _required, ...rest } = process.env;
    return spawnSync(
      process.execPath,
      ['node_modules/mocha/bin/mocha.js', '--reporter', 'dot', 'test/server/postgres-migrations.test.ts'],
      { env: { ...rest, REGARDING_POSTGRES_ROOT: '/nonexistent/postgresql', ...env }, encoding: 'utf8' },
    );
  };

  it('says loudly that the PostgreSQL suites did not run, and runs none of them', () => {
    const run = runSuite({});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /PostgreSQL half SKIPPED: "PostgreSQL migrations" did not run/);
    assert.match(run.stdout, /0 passing/);
  });

  it('fails each PostgreSQL suite instead when REGARDING_REQUIRE_POSTGRES=1', () => {
    const run = runSuite({ REGARDING_REQUIRE_POSTGRES: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout, /1 failing/);
    assert.match(run.stdout, /REGARDING_REQUIRE_POSTGRES=1, but REGARDING_TEST_POSTGRES_URL is not set/);
    assert.doesNotMatch(run.stderr, /SKIPPED/);
  });

  const runPass = (env: Record<string, string>) => {
    const { REGARDING_TEST_POSTGRES_URL: _url, REGARDING_REQUIRE_POSTGRES: _required, ...rest } = process.env;
    return spawnSync(
      process.execPath,
      ['node_modules/mocha/bin/mocha.js', '--config', '.mocharc.postgres.cjs', '--reporter', 'dot'],
      { env: { ...rest, REGARDING_POSTGRES_ROOT: '/nonexistent/postgresql', ...env }, encoding: 'utf8' },
    );
  };

  it("skips the HTTP suites' PostgreSQL pass loudly, running none of them", () => {
    const run = runPass({});
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /PostgreSQL half SKIPPED: the HTTP tests did not run on PostgreSQL/);
    assert.doesNotMatch(run.stdout, /passing/);
  });

  it("fails the HTTP suites' PostgreSQL pass instead when REGARDING_REQUIRE_POSTGRES=1", () => {
    const run = runPass({ REGARDING_REQUIRE_POSTGRES: '1' });
    assert.notEqual(run.status, 0);
    assert.match(run.stdout + run.stderr, /REGARDING_REQUIRE_POSTGRES=1, but REGARDING_TEST_POSTGRES_URL is not set/);
    assert.doesNotMatch(run.stderr, /SKIPPED/);
  });
});
