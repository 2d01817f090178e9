import type { Migration } from '../migrate';

const COLUMNS = '(opportunity_id, owner_id, untouched_due, no_activity_due, no_next_step_due, past_close_due)';

/** Refreshes one opportunity's due times, every rule (as migration 019's triggers do). */
const refresh = (id: string) => `
  DELETE FROM opportunity_attention WHERE opportunity_id = ${id};
  INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source WHERE opportunity_id = ${id};`;

/** An owner with more open opportunities than this has a zone change recomputed in batches, not in its write. */
export const ZONE_INLINE_ROWS = 4000;

const OWNER_ROWS = `(SELECT count(*) FROM opportunity_attention WHERE owner_id = new.id)`;

/**
 * Needs attention's due times (migration 019) at firm scale (issue 15):
 *
 * - A change of the exception rules no longer recomputes every open opportunity in its own transaction (half a
 *   minute at 100k, a minute or more at 1M, with the server blocked): it records which rules changed in
 *   attention_recompute (owner_id 0), and the server recomputes those columns only, a few thousand rows per
 *   transaction, yielding between them (services/attention-recompute.ts). Until the cursor reaches a row, it keeps
 *   the due times of the rules it was computed with: each row is the old rules' answer or the new, never a mix,
 *   because a row's columns change together (a second change before the end merges into the pending one and
 *   starts the cursor again, so every row goes from one version of the rules to the last).
 * - An owner's zone change with more than ZONE_INLINE_ROWS open rows is queued the same way (attention_recompute
 *   with that owner_id, whole rows); smaller ones stay in the write.
 * - An email (or an activity not open) linked by its insert can only clear untouched and no-activity, whatever
 *   the rules: it sets them null instead of recomputing the row (set regarding's insert, 0.25 ms less a row).
 * - A close date changed alone recomputes past_close_due only (it recomputed all four rules through the view: 1.2
 *   ms a row instead of 0.013). While a recompute is pending the whole row is refreshed, so that it never holds a
 *   column of newer rules beside columns of older ones.
 */
export const attentionRecompute: Migration = {
  version: 23,
  name: 'needs-attention recompute in batches, close date alone',
  sql: /* sql */ `
CREATE TABLE attention_recompute (
  -- 0: every owner's rows, after a rules change; otherwise one owner's rows, after their zone changed.
  owner_id INTEGER PRIMARY KEY,
  -- The columns to recompute (1 each); an owner's entry recomputes whole rows.
  untouched INTEGER NOT NULL,
  no_activity INTEGER NOT NULL,
  no_next_step INTEGER NOT NULL,
  past_close INTEGER NOT NULL,
  -- Rows up to this opportunity_id are done.
  after_id INTEGER NOT NULL DEFAULT 0
);

DROP TRIGGER opportunity_attention_rules;
CREATE TRIGGER opportunity_attention_rules AFTER UPDATE ON exception_rules
WHEN old.untouched_on IS NOT new.untouched_on OR old.untouched_business_days IS NOT new.untouched_business_days
  OR old.no_activity_on IS NOT new.no_activity_on OR old.no_activity_business_days IS NOT new.no_activity_business_days
  OR old.no_next_step_on IS NOT new.no_next_step_on OR old.past_close_date_on IS NOT new.past_close_date_on
BEGIN
  INSERT INTO attention_recompute (owner_id, untouched, no_activity, no_next_step, past_close) VALUES (0,
    old.untouched_on IS NOT new.untouched_on OR old.untouched_business_days IS NOT new.untouched_business_days,
    old.no_activity_on IS NOT new.no_activity_on OR old.no_activity_business_days IS NOT new.no_activity_business_days,
    old.no_next_step_on IS NOT new.no_next_step_on,
    old.past_close_date_on IS NOT new.past_close_date_on)
  ON CONFLICT (owner_id) DO UPDATE SET untouched = untouched OR excluded.untouched,
    no_activity = no_activity OR excluded.no_activity, no_next_step = no_next_step OR excluded.no_next_step,
    past_close = past_close OR excluded.past_close, after_id = 0;
END;

DROP TRIGGER opportunity_attention_zone;
CREATE TRIGGER opportunity_attention_zone AFTER UPDATE OF time_zone ON advisors
WHEN old.time_zone IS NOT new.time_zone AND ${OWNER_ROWS} <= ${ZONE_INLINE_ROWS} BEGIN
  DELETE FROM opportunity_attention WHERE owner_id = new.id;
  INSERT INTO opportunity_attention ${COLUMNS} SELECT * FROM opportunity_attention_source WHERE owner_id = new.id;
END;
CREATE TRIGGER opportunity_attention_zone_batched AFTER UPDATE OF time_zone ON advisors
WHEN old.time_zone IS NOT new.time_zone AND ${OWNER_ROWS} > ${ZONE_INLINE_ROWS} BEGIN
  INSERT INTO attention_recompute (owner_id, untouched, no_activity, no_next_step, past_close)
    VALUES (new.id, 1, 1, 1, 1) ON CONFLICT (owner_id) DO UPDATE SET after_id = 0;
END;

DROP TRIGGER opportunity_attention_activity_insert;
CREATE TRIGGER opportunity_attention_activity_insert AFTER INSERT ON activities
WHEN new.regarding_opportunity_id IS NOT NULL AND new.kind <> 'email' AND new.status = 'open' BEGIN${refresh('new.regarding_opportunity_id')}
END;
CREATE TRIGGER opportunity_attention_activity_insert_done AFTER INSERT ON activities
WHEN new.regarding_opportunity_id IS NOT NULL AND (new.kind = 'email' OR new.status <> 'open') BEGIN
  UPDATE opportunity_attention SET no_activity_due = NULL, untouched_due = CASE
      WHEN new.created_at >= (SELECT assigned_at FROM opportunities WHERE id = new.regarding_opportunity_id) THEN NULL
      ELSE untouched_due END
    WHERE opportunity_id = new.regarding_opportunity_id;
END;

DROP TRIGGER opportunity_attention_opportunity_update;
CREATE TRIGGER opportunity_attention_opportunity_update
AFTER UPDATE OF status, owner_id, assigned_at, created_at, estimated_close_date ON opportunities
WHEN old.status IS NOT new.status OR old.owner_id IS NOT new.owner_id OR old.assigned_at IS NOT new.assigned_at
  OR old.created_at IS NOT new.created_at
  OR (old.estimated_close_date IS NOT new.estimated_close_date AND EXISTS (SELECT 1 FROM attention_recompute))
BEGIN${refresh('new.id')}
END;
CREATE TRIGGER opportunity_attention_close_date AFTER UPDATE OF estimated_close_date ON opportunities
WHEN old.estimated_close_date IS NOT new.estimated_close_date AND old.status IS new.status
  AND old.owner_id IS new.owner_id AND old.assigned_at IS new.assigned_at AND old.created_at IS new.created_at
  AND NOT EXISTS (SELECT 1 FROM attention_recompute)
BEGIN
  UPDATE opportunity_attention SET past_close_due = CASE
      WHEN (SELECT past_close_date_on FROM exception_rules WHERE id = 1) AND new.estimated_close_date IS NOT NULL
      THEN local_day_end(new.estimated_close_date, (SELECT time_zone FROM advisors WHERE id = new.owner_id)) END
    WHERE opportunity_id = new.id;
END;
`,
};
