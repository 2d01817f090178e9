import type { Migration } from '../migrate';

/**
 * What the email alerts sent, or decided not to send, so every server process agrees: a daily digest
 * once per recipient and local date, an untouched-referral alert once per manager, opportunity and
 * assignment. A process claims the row (status 'claimed') in a write transaction before it sends, so
 * two processes never both send; a failed send deletes its claim so a later run retries. 'skipped'
 * records a digest day with nothing to say.
 */
export const alertDeliveries: Migration = {
  version: 15,
  name: 'alert deliveries',
  sql: /* sql */ `
CREATE TABLE alert_deliveries (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('digest', 'untouched')),
  recipient_id INTEGER NOT NULL REFERENCES advisors (id),
  local_date TEXT,
  opportunity_id INTEGER REFERENCES opportunities (id),
  assigned_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'skipped')),
  claimed_at TEXT NOT NULL,
  done_at TEXT,
  CHECK (kind <> 'digest' OR (local_date IS NOT NULL AND opportunity_id IS NULL)),
  CHECK (kind <> 'untouched' OR (opportunity_id IS NOT NULL AND assigned_at IS NOT NULL AND local_date IS NULL))
);
CREATE UNIQUE INDEX alert_deliveries_digest ON alert_deliveries (recipient_id, local_date) WHERE kind = 'digest';
CREATE UNIQUE INDEX alert_deliveries_untouched ON alert_deliveries (recipient_id, opportunity_id, assigned_at)
  WHERE kind = 'untouched';
`,
};
