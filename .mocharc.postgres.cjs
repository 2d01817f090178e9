// The PostgreSQL pass of the HTTP tests (`npm test` runs it after the main run): the same suites, each test server on
// a fresh PostgreSQL database. A suite that reads the SQLite file itself (query plans, the file's own upkeep, workers)
// is left out; every other HTTP suite is listed here.
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  timeout: 30000,
  reporter: './test/summary-reporter.cjs',
  require: ['./test/helpers/on-postgres.ts'],
  spec: [
    'test/server/activities.test.ts',
    'test/server/activity-ownership.test.ts',
    'test/server/atomic-rules.test.ts',
    'test/server/authorization-matrix.test.ts',
    'test/server/calls-and-tasks.test.ts',
    'test/server/draft-matching.test.ts',
    'test/server/email-alerts.test.ts',
    'test/server/exception-rules.test.ts',
    'test/server/funnel.test.ts',
    'test/server/input-bounds.test.ts',
    'test/server/notes.test.ts',
    'test/server/nul-characters.test.ts',
    'test/server/opportunities.test.ts',
    'test/server/opportunity-detail.test.ts',
    'test/server/paging.test.ts',
    'test/server/pane-context.test.ts',
    'test/server/pane-page.test.ts',
    'test/server/people-contacts.test.ts',
    'test/server/people-limits.test.ts',
    'test/server/report-scope.test.ts',
    'test/server/shared-mailbox.test.ts',
    'test/server/work.test.ts',
  ],
};
