import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

const COLUMNS = '(opportunity_id, owner_id, untouched_due, no_activity_due, no_next_step_due, past_close_due)';

/** Refreshes one opportunity's due times (`:id` replaced by the trigger's expression). */
const refresh = (id: string) => `
  DELETE FROM opportunity_attention WHERE opportunity_id = ${id};
  INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source WHERE opportunity_id = ${id};`;

/**
 * After a holiday on `date` is added or removed: the business-day due times from the day before it on (a due time
 * before that local date, in any zone, counted no day from it). The IN list is read before the replacing starts.
 */
const refreshFromHoliday = (date: string) => `
  INSERT OR REPLACE INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source
  WHERE opportunity_id IN (SELECT opportunity_id FROM opportunity_attention
    WHERE untouched_due >= date(${date}, '-1 day') OR no_activity_due >= date(${date}, '-1 day'));`;

/** Recomputes every open opportunity's due times: after the rules change. */
const REFRESH_ALL = `
  DELETE FROM opportunity_attention;
  INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source;`;

/**
 * Needs attention, precomputed (issue 15): for each open opportunity, the instant each exception rule is (or was)
 * met, null when it cannot be (the rule is off, or the fact that stops it holds), and the earliest of them. Time
 * alone makes an exception due, with no write: "needs attention now" is `attention_due <= now`, one range of the
 * index per owner, instead of testing every open opportunity of the owners on each read.
 *
 * - untouched: assigned_at + N business days in the owner's zone, less the holidays; null once an activity is
 *   linked or the owner wrote a note since the assignment;
 * - no activity: created_at + N business days; null once any activity is linked;
 * - no next step: when the last open appointment, call or task ahead starts (an open task without a start never
 *   lapses: null); the beginning of time when there is none (met at any moment);
 * - past close date: the first instant after the estimated close date, in the owner's zone.
 *
 * Triggers keep the rows right in the same transaction as every write that changes a fact, whichever process
 * makes it; the business-day arithmetic is the application's (`business_days_after`, `local_day_end`, registered
 * on every connection by openDatabase), given the rules and holidays as arguments read in the same statement.
 * Changing the rules recomputes every open opportunity; a holiday, the due times from the day before it on; an
 * owner's zone, that owner's.
 *
 * Also an index for New for me (below).
 */
export const attentionDue: Migration = {
  version: 19,
  name: 'needs-attention due times, new-for-me index',
  sql: /* sql */ `
CREATE TABLE opportunity_attention (
  opportunity_id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL,
  untouched_due TEXT,
  no_activity_due TEXT,
  no_next_step_due TEXT,
  past_close_due TEXT,
  -- The earliest, computed here rather than in the view: a view's column used twice is computed twice.
  attention_due TEXT GENERATED ALWAYS AS (nullif(min(coalesce(untouched_due, '~'), coalesce(no_activity_due, '~'),
    coalesce(no_next_step_due, '~'), coalesce(past_close_due, '~')), '~')) VIRTUAL
);
CREATE INDEX opportunity_attention_due ON opportunity_attention (owner_id, attention_due);

CREATE VIEW opportunity_attention_source AS
SELECT o.id AS opportunity_id, o.owner_id,
    CASE WHEN (SELECT untouched_on FROM exception_rules WHERE id = 1)
      AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.created_at >= o.assigned_at)
      AND NOT EXISTS (SELECT 1 FROM notes n
        WHERE n.opportunity_id = o.id AND n.author_id = o.owner_id AND n.created_at >= o.assigned_at)
      THEN business_days_after(o.assigned_at, (SELECT untouched_business_days FROM exception_rules WHERE id = 1),
        ad.time_zone, (SELECT json_group_array(date) FROM holidays)) END AS untouched_due,
    CASE WHEN (SELECT no_activity_on FROM exception_rules WHERE id = 1)
      AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id)
      THEN business_days_after(o.created_at, (SELECT no_activity_business_days FROM exception_rules WHERE id = 1),
        ad.time_zone, (SELECT json_group_array(date) FROM holidays)) END AS no_activity_due,
    CASE WHEN (SELECT no_next_step_on FROM exception_rules WHERE id = 1)
      AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
        AND a.kind = 'task' AND a.start_at IS NULL)
      THEN coalesce((SELECT max(a.start_at) FROM activities a WHERE a.regarding_opportunity_id = o.id
        AND a.status = 'open' AND a.kind IN ('appointment', 'task', 'phone_call')), '0000-01-01T00:00:00.000Z') END
      AS no_next_step_due,
    CASE WHEN (SELECT past_close_date_on FROM exception_rules WHERE id = 1) AND o.estimated_close_date IS NOT NULL
      THEN local_day_end(o.estimated_close_date, ad.time_zone) END AS past_close_due
  FROM opportunities o JOIN advisors ad ON ad.id = o.owner_id
  WHERE o.status = 'open';


CREATE TRIGGER opportunity_attention_opportunity_insert AFTER INSERT ON opportunities BEGIN${refresh('new.id')}
END;
CREATE TRIGGER opportunity_attention_opportunity_update
AFTER UPDATE OF status, owner_id, assigned_at, created_at, estimated_close_date ON opportunities BEGIN${refresh('new.id')}
END;
CREATE TRIGGER opportunity_attention_opportunity_delete AFTER DELETE ON opportunities BEGIN
  DELETE FROM opportunity_attention WHERE opportunity_id = old.id;
END;

CREATE TRIGGER opportunity_attention_activity_insert AFTER INSERT ON activities
WHEN new.regarding_opportunity_id IS NOT NULL BEGIN${refresh('new.regarding_opportunity_id')}
END;
CREATE TRIGGER opportunity_attention_activity_update
AFTER UPDATE OF regarding_opportunity_id, kind, status, start_at, created_at ON activities BEGIN${refresh('old.regarding_opportunity_id')}${refresh('new.regarding_opportunity_id')}
END;
CREATE TRIGGER opportunity_attention_activity_delete AFTER DELETE ON activities
WHEN old.regarding_opportunity_id IS NOT NULL BEGIN${refresh('old.regarding_opportunity_id')}
END;

CREATE TRIGGER opportunity_attention_note_insert AFTER INSERT ON notes BEGIN${refresh('new.opportunity_id')}
END;
CREATE TRIGGER opportunity_attention_note_update AFTER UPDATE OF opportunity_id, author_id, created_at ON notes BEGIN${refresh('old.opportunity_id')}${refresh('new.opportunity_id')}
END;
CREATE TRIGGER opportunity_attention_note_delete AFTER DELETE ON notes BEGIN${refresh('old.opportunity_id')}
END;

CREATE TRIGGER opportunity_attention_zone AFTER UPDATE OF time_zone ON advisors
WHEN old.time_zone IS NOT new.time_zone BEGIN
  DELETE FROM opportunity_attention WHERE owner_id = new.id;
  INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source WHERE owner_id = new.id;
END;

CREATE TRIGGER opportunity_attention_rules AFTER UPDATE ON exception_rules
WHEN old.untouched_on IS NOT new.untouched_on OR old.untouched_business_days IS NOT new.untouched_business_days
  OR old.no_activity_on IS NOT new.no_activity_on OR old.no_activity_business_days IS NOT new.no_activity_business_days
  OR old.no_next_step_on IS NOT new.no_next_step_on OR old.past_close_date_on IS NOT new.past_close_date_on
BEGIN${REFRESH_ALL}
END;
CREATE TRIGGER opportunity_attention_holiday_insert AFTER INSERT ON holidays BEGIN${refreshFromHoliday('new.date')}
END;
CREATE TRIGGER opportunity_attention_holiday_update AFTER UPDATE OF date ON holidays BEGIN${refreshFromHoliday('min(old.date, new.date)')}
END;
CREATE TRIGGER opportunity_attention_holiday_delete AFTER DELETE ON holidays BEGIN${refreshFromHoliday('old.date')}
END;

-- New for me: the advisor's assignments made by someone else, newest first, without walking the ones they made
-- themselves (every opportunity they create is one).
CREATE INDEX assignments_to_by_others ON assignments (to_advisor_id, created_at) WHERE by_advisor_id <> to_advisor_id;
`,
  run: (db, progress) =>
    inIdRanges(db, progress, {
      label: 'opportunities',
      table: 'opportunities',
      statement: `INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source
        WHERE opportunity_id > :from AND opportunity_id <= :to`,
    }),
};
