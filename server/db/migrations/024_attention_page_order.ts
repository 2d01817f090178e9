import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';
import { ZONE_INLINE_ROWS } from './023_attention_recompute';

/** The columns of opportunity_attention as its source view gives them (updated_at added here). */
const ATTENTION_COLUMNS =
  '(opportunity_id, owner_id, untouched_due, no_activity_due, no_next_step_due, past_close_due, updated_at)';

/** Refreshes one opportunity's due times, every rule (as migration 019's triggers do). */
const refresh = (id: string) => `
  DELETE FROM opportunity_attention WHERE opportunity_id = ${id};
  INSERT INTO opportunity_attention ${ATTENTION_COLUMNS}
    SELECT * FROM opportunity_attention_source WHERE opportunity_id = ${id};`;

/** As migration 019's: the business-day due times from the day before a holiday's date on. */
const refreshFromHoliday = (date: string) => `
  INSERT OR REPLACE INTO opportunity_attention ${ATTENTION_COLUMNS} SELECT * FROM opportunity_attention_source
  WHERE opportunity_id IN (SELECT opportunity_id FROM opportunity_attention
    WHERE untouched_due >= date(${date}, '-1 day') OR no_activity_due >= date(${date}, '-1 day'));`;

const OWNER_ROWS = `(SELECT count(*) FROM opportunity_attention WHERE owner_id = new.id)`;

/**
 * Needs attention's page in order from an index (issue 15): the list is ordered by the opportunity's updated_at,
 * which lived only in `opportunities`, so choosing a page read every due row's opportunity (a random row read
 * each: thousands for a big book) and sorted them all. The due-time rows now keep updated_at too, and the index
 * opportunity_attention_page gives an owner's rows newest first with their earliest due time: a page is the first
 * due entries of each owner's range (SQLite stops each owner's walk once the page cannot change), then only the
 * page's opportunities are read.
 *
 * The view gains the column, so every trigger that copies a row from it is recreated with the new column list
 * (same events and conditions as migrations 019 and 023); one more keeps the column when only updated_at changes.
 */
export const attentionPageOrder: Migration = {
  version: 24,
  name: 'needs-attention page order: updated_at beside the due times',
  sql: /* sql */ `
ALTER TABLE opportunity_attention ADD COLUMN updated_at TEXT;

DROP VIEW opportunity_attention_source;
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
      THEN local_day_end(o.estimated_close_date, ad.time_zone) END AS past_close_due,
    o.updated_at
  FROM opportunities o JOIN advisors ad ON ad.id = o.owner_id
  WHERE o.status = 'open';

DROP TRIGGER opportunity_attention_opportunity_insert;
CREATE TRIGGER opportunity_attention_opportunity_insert AFTER INSERT ON opportunities BEGIN${refresh('new.id')}
END;
DROP TRIGGER opportunity_attention_opportunity_update;
CREATE TRIGGER opportunity_attention_opportunity_update
AFTER UPDATE OF status, owner_id, assigned_at, created_at, estimated_close_date ON opportunities
WHEN old.status IS NOT new.status OR old.owner_id IS NOT new.owner_id OR old.assigned_at IS NOT new.assigned_at
  OR old.created_at IS NOT new.created_at
  OR (old.estimated_close_date IS NOT new.estimated_close_date AND EXISTS (SELECT 1 FROM attention_recompute))
BEGIN${refresh('new.id')}
END;
CREATE TRIGGER opportunity_attention_updated_at AFTER UPDATE OF updated_at ON opportunities
WHEN old.updated_at IS NOT new.updated_at BEGIN
  UPDATE opportunity_attention SET updated_at = new.updated_at WHERE opportunity_id = new.id;
END;

DROP TRIGGER opportunity_attention_activity_insert;
CREATE TRIGGER opportunity_attention_activity_insert AFTER INSERT ON activities
WHEN new.regarding_opportunity_id IS NOT NULL AND new.kind <> 'email' AND new.status = 'open' BEGIN${refresh('new.regarding_opportunity_id')}
END;
DROP TRIGGER opportunity_attention_activity_update;
CREATE TRIGGER opportunity_attention_activity_update
AFTER UPDATE OF regarding_opportunity_id, kind, status, start_at, created_at ON activities BEGIN${refresh('old.regarding_opportunity_id')}${refresh('new.regarding_opportunity_id')}
END;
DROP TRIGGER opportunity_attention_activity_delete;
CREATE TRIGGER opportunity_attention_activity_delete AFTER DELETE ON activities
WHEN old.regarding_opportunity_id IS NOT NULL BEGIN${refresh('old.regarding_opportunity_id')}
END;

DROP TRIGGER opportunity_attention_note_insert;
CREATE TRIGGER opportunity_attention_note_insert AFTER INSERT ON notes BEGIN${refresh('new.opportunity_id')}
END;
DROP TRIGGER opportunity_attention_note_update;
CREATE TRIGGER opportunity_attention_note_update AFTER UPDATE OF opportunity_id, author_id, created_at ON notes BEGIN${refresh('old.opportunity_id')}${refresh('new.opportunity_id')}
END;
DROP TRIGGER opportunity_attention_note_delete;
CREATE TRIGGER opportunity_attention_note_delete AFTER DELETE ON notes BEGIN${refresh('old.opportunity_id')}
END;

DROP TRIGGER opportunity_attention_zone;
CREATE TRIGGER opportunity_attention_zone AFTER UPDATE OF time_zone ON advisors
WHEN old.time_zone IS NOT new.time_zone AND ${OWNER_ROWS} <= ${ZONE_INLINE_ROWS} BEGIN
  DELETE FROM opportunity_attention WHERE owner_id = new.id;
  INSERT INTO opportunity_attention ${ATTENTION_COLUMNS} SELECT * FROM opportunity_attention_source WHERE owner_id = new.id;
END;

DROP TRIGGER opportunity_attention_holiday_insert;
CREATE TRIGGER opportunity_attention_holiday_insert AFTER INSERT ON holidays BEGIN${refreshFromHoliday('new.date')}
END;
DROP TRIGGER opportunity_attention_holiday_update;
CREATE TRIGGER opportunity_attention_holiday_update AFTER UPDATE OF date ON holidays BEGIN${refreshFromHoliday('min(old.date, new.date)')}
END;
DROP TRIGGER opportunity_attention_holiday_delete;
CREATE TRIGGER opportunity_attention_holiday_delete AFTER DELETE ON holidays BEGIN${refreshFromHoliday('old.date')}
END;
`,
  run: (db, progress) => {
    inIdRanges(db, progress, {
      label: 'opportunities',
      table: 'opportunities',
      statement: `UPDATE opportunity_attention SET updated_at = (SELECT o.updated_at FROM opportunities o
          WHERE o.id = opportunity_attention.opportunity_id)
        WHERE opportunity_id > :from AND opportunity_id <= :to`,
    });
    // Built after the rows are filled. Only rows that can be due; attention_due included so that the rows not yet
    // due are skipped from the index alone.
    db.exec(`CREATE INDEX opportunity_attention_page ON opportunity_attention
      (owner_id, updated_at DESC, opportunity_id DESC, attention_due) WHERE attention_due IS NOT NULL`);
  },
};
