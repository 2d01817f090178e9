import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

/**
 * Activity points (issue 14): each category and each outcome carries a number of points, and a completed call or
 * task earns its category's points plus its outcome's. Points live on the label itself, so the admin edits one
 * number per entry in the list they already know; retired entries keep theirs for the activities that name them.
 *
 * A task counts in the month it was marked completed, so completed_at records that moment. Triggers keep it, so
 * every path that completes, reopens or cancels an activity (and any added later) stays right without knowing of
 * points; it takes the row's updated_at, which the repository writes from the service clock. Tasks completed
 * before this migration take their last change as their completion.
 */
export const activityPoints: Migration = {
  version: 17,
  name: 'activity points',
  sql: /* sql */ `
ALTER TABLE activity_labels ADD COLUMN points INTEGER NOT NULL DEFAULT 0 CHECK (points BETWEEN 0 AND 1000);

UPDATE activity_labels SET points = CASE key
  WHEN 'first-appointment' THEN 10
  WHEN 'discovery-meeting' THEN 10
  WHEN 'follow-up-call' THEN 3
  WHEN 'referral-given' THEN 15
  WHEN 'proposal' THEN 10
  WHEN 'paperwork' THEN 2
  WHEN 'reached' THEN 2
  WHEN 'meeting-booked' THEN 5
  ELSE 0 END;

ALTER TABLE activities ADD COLUMN completed_at TEXT;
CREATE INDEX activities_completed_by ON activities (created_by_id, status, kind);

CREATE TRIGGER activities_completed_at_insert AFTER INSERT ON activities WHEN NEW.status = 'completed'
BEGIN
  UPDATE activities SET completed_at = NEW.updated_at WHERE id = NEW.id;
END;

CREATE TRIGGER activities_completed_at_update AFTER UPDATE OF status ON activities WHEN NEW.status IS NOT OLD.status
BEGIN
  UPDATE activities SET completed_at = CASE WHEN NEW.status = 'completed' THEN NEW.updated_at END WHERE id = NEW.id;
END;
`,
  // Fills completed_at for the activities already there, in ranges of ids with progress (the same rows as one
  // UPDATE; the index above does not hold the column and the triggers only fire on inserts and status changes).
  run: (db, progress) =>
    inIdRanges(db, progress, {
      label: 'activities',
      table: 'activities',
      statement: `UPDATE activities SET completed_at = updated_at WHERE status = 'completed' AND id > :from AND id <= :to`,
    }),
};
