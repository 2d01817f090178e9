import type { Migration } from '../migrate';

/**
 * The exception rules an admin sets (issue 14): one row of thresholds in business days, each switchable
 * off, and the firm's holidays. A holiday is a local date, the same date in each advisor's own time zone,
 * so it is stored as that date and never as an instant.
 */
export const exceptionRules: Migration = {
  version: 14,
  name: 'exception rules and holidays',
  sql: /* sql */ `
CREATE TABLE exception_rules (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  untouched_on INTEGER NOT NULL DEFAULT 1 CHECK (untouched_on IN (0, 1)),
  untouched_business_days INTEGER NOT NULL DEFAULT 1 CHECK (untouched_business_days BETWEEN 1 AND 60),
  no_activity_on INTEGER NOT NULL DEFAULT 1 CHECK (no_activity_on IN (0, 1)),
  no_activity_business_days INTEGER NOT NULL DEFAULT 5 CHECK (no_activity_business_days BETWEEN 1 AND 60),
  no_next_step_on INTEGER NOT NULL DEFAULT 1 CHECK (no_next_step_on IN (0, 1)),
  past_close_date_on INTEGER NOT NULL DEFAULT 1 CHECK (past_close_date_on IN (0, 1)),
  updated_at TEXT
);
INSERT INTO exception_rules (id) VALUES (1);

CREATE TABLE holidays (
  id INTEGER PRIMARY KEY,
  date TEXT NOT NULL UNIQUE CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
};
