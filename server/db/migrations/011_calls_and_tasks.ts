import type { Migration } from '../migrate';

/**
 * Phone calls and tasks as the advisor logs them (issue 13): their details, the admin-editable list of
 * categories and outcomes (a later issue gives points per entry, so each keeps its id and key for good:
 * renamed or retired, never deleted), and the flag of a task recorded by "Schedule next step", so only
 * that task is offered to be replaced by the appointment later linked to the same opportunity.
 * A task's due date stays in start_at, as the needs-attention rules already read it.
 */
export const callsAndTasks: Migration = {
  version: 11,
  name: 'calls and tasks',
  sql: /* sql */ `
CREATE TABLE activity_labels (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('category', 'outcome')),
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  retired_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (kind, key)
);
CREATE UNIQUE INDEX activity_labels_name ON activity_labels (kind, name COLLATE NOCASE);

INSERT INTO activity_labels (kind, key, name, created_at, updated_at) VALUES
  ('category', 'first-appointment', 'First appointment', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('category', 'discovery-meeting', 'Discovery meeting', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('category', 'follow-up-call', 'Follow-up call', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('category', 'referral-given', 'Referral given', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('category', 'proposal', 'Proposal', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('category', 'paperwork', 'Paperwork', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('outcome', 'reached', 'Reached', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('outcome', 'left-voicemail', 'Left voicemail', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('outcome', 'no-answer', 'No answer', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('outcome', 'meeting-booked', 'Meeting booked', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z'),
  ('outcome', 'not-interested', 'Not interested', '2026-11-23T00:00:00.000Z', '2026-11-23T00:00:00.000Z');

ALTER TABLE activities ADD COLUMN description TEXT;
ALTER TABLE activities ADD COLUMN direction TEXT CHECK (direction IN ('incoming', 'outgoing'));
ALTER TABLE activities ADD COLUMN duration_minutes INTEGER;
ALTER TABLE activities ADD COLUMN contact_id INTEGER REFERENCES contacts (id);
ALTER TABLE activities ADD COLUMN category_id INTEGER REFERENCES activity_labels (id);
ALTER TABLE activities ADD COLUMN outcome_id INTEGER REFERENCES activity_labels (id);
ALTER TABLE activities ADD COLUMN scheduled_next_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN replaced_by_id INTEGER REFERENCES activities (id) ON DELETE SET NULL;
`,
};
