import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

const STAGES = ['qualify', 'develop', 'propose', 'close'] as const;
/** Milliseconds since the epoch of an ISO time, exact (as Date.parse). */
const ms = (iso: string) => `CAST(round(unixepoch(${iso}, 'subsec') * 1000) AS INTEGER)`;
const rank = (column: string) =>
  `CASE ${column} ${STAGES.map((stage, r) => `WHEN '${stage}' THEN ${r}`).join(' ')} END`;
/** Adds the stay that ends at `at` (ms) to the stage it was in, when open (a stay never counts less than nothing). */
const stayEnds = (at: string, when = 'TRUE') =>
  STAGES.map(
    (stage) =>
      `${stage}_ms = ${stage}_ms + CASE WHEN ${when} AND open AND stay_stage = '${stage}' THEN max(0, ${at} - since_ms) ELSE 0 END`,
  ).join(',\n    ');

/**
 * Fills the facts of the opportunities with ids in (:from, :to] from their history (the migration runs it over ranges
 * of ids; a test over all of them, to compare with what the triggers kept).
 */
export const FUNNEL_FACTS_BACKFILL = /* sql */ `
INSERT INTO opportunity_funnel (opportunity_id, furthest, entered, closed_stage, closed_ms,
    ${STAGES.map((stage) => `${stage}_ms`).join(', ')}, stay_stage, since_ms, open)
WITH h AS (
  SELECT opportunity_id AS o, ${ms('at')} AS at_ms, 0 AS source, id, 'stage' AS kind, stage FROM stage_changes
    WHERE opportunity_id > :from AND opportunity_id <= :to
  UNION ALL
  SELECT opportunity_id, ${ms('created_at')}, 1, id, kind, NULL FROM opportunity_events
    WHERE kind IN ('closed', 'reopened') AND opportunity_id > :from AND opportunity_id <= :to
), numbered AS (
  SELECT *,
    count(stage) OVER running AS stage_group,
    count(CASE WHEN kind <> 'stage' THEN 1 END) OVER running AS status_group,
    count(CASE WHEN kind = 'closed' THEN 1 END) OVER (PARTITION BY o ORDER BY at_ms, source, id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS closes_after,
    lead(at_ms) OVER (PARTITION BY o ORDER BY at_ms, source, id) AS next_ms
  FROM h WINDOW running AS (PARTITION BY o ORDER BY at_ms, source, id ROWS UNBOUNDED PRECEDING)
), state AS (
  -- After each entry: the stage it is in, and whether it is open (the last close or reopen so far says).
  SELECT *,
    first_value(stage) OVER (PARTITION BY o, stage_group ORDER BY at_ms, source, id) AS in_stage,
    status_group = 0 OR first_value(kind) OVER (PARTITION BY o, status_group ORDER BY at_ms, source, id) = 'reopened'
      AS is_open
  FROM numbered
)
SELECT o, max(${rank('stage')}), coalesce(sum(DISTINCT 1 << ${rank('stage')}), 0),
  max(CASE WHEN kind = 'closed' AND closes_after = 0 THEN in_stage END),
  max(CASE WHEN kind = 'closed' AND closes_after = 0 THEN at_ms END),
  ${STAGES.map(
    (stage) =>
      `coalesce(sum(CASE WHEN next_ms IS NOT NULL AND is_open AND in_stage = '${stage}' THEN max(0, next_ms - at_ms) END), 0)`,
  ).join(',\n  ')},
  max(CASE WHEN next_ms IS NULL THEN in_stage END),
  max(CASE WHEN next_ms IS NULL THEN at_ms END),
  coalesce(max(CASE WHEN next_ms IS NULL THEN is_open END), 1)
FROM state
GROUP BY o;`;

/**
 * The funnel's facts per opportunity, kept by triggers in the transaction that writes its history, so the funnel is
 * one aggregate over its opportunities' rows (no walk of the history per request): the furthest stage rank it
 * entered, the stages it entered (bit 1 << rank), the stage it was in when last closed, the milliseconds it has spent
 * in each stage in finished stays, and the stay going on (its stage, since when, whether it is open: closed time does
 * not count). The rules are those of the funnel in the README: a stay ends at the next stage change or a close; a
 * reopen starts the clock again. Owners are not copied: the funnel finds an owner's rows through opportunities, so a
 * reassignment moves them with nothing to update. The backfill folds each opportunity's history in time order (as the
 * funnel walked it) with window functions; past 200,000 opportunities it prints progress on stderr.
 */
export const funnelFacts: Migration = {
  version: 22,
  name: 'funnel facts',
  sql: /* sql */ `
CREATE TABLE opportunity_funnel (
  opportunity_id INTEGER PRIMARY KEY REFERENCES opportunities (id) ON DELETE CASCADE,
  furthest INTEGER,
  entered INTEGER NOT NULL DEFAULT 0,
  closed_stage TEXT,
  closed_ms INTEGER,
  ${STAGES.map((stage) => `${stage}_ms INTEGER NOT NULL DEFAULT 0`).join(',\n  ')},
  stay_stage TEXT,
  since_ms INTEGER,
  open INTEGER NOT NULL DEFAULT 1
);

CREATE TRIGGER opportunity_funnel_stage AFTER INSERT ON stage_changes BEGIN
  INSERT INTO opportunity_funnel (opportunity_id) VALUES (new.opportunity_id) ON CONFLICT DO NOTHING;
  UPDATE opportunity_funnel SET
    ${stayEnds(ms('new.at'))},
    stay_stage = new.stage,
    since_ms = ${ms('new.at')},
    furthest = max(coalesce(furthest, -1), ${rank('new.stage')}),
    entered = entered | (1 << ${rank('new.stage')}),
    -- A stage entered at the moment of the last close (or before it) is the stage it was closed in.
    closed_stage = CASE WHEN closed_ms IS NOT NULL AND ${ms('new.at')} <= closed_ms THEN new.stage ELSE closed_stage END
  WHERE opportunity_id = new.opportunity_id;
END;

CREATE TRIGGER opportunity_funnel_status AFTER INSERT ON opportunity_events
  WHEN new.kind IN ('closed', 'reopened') BEGIN
  INSERT INTO opportunity_funnel (opportunity_id) VALUES (new.opportunity_id) ON CONFLICT DO NOTHING;
  UPDATE opportunity_funnel SET
    ${stayEnds(ms('new.created_at'), "new.kind = 'closed'")},
    open = new.kind = 'reopened',
    since_ms = ${ms('new.created_at')},
    closed_stage = CASE WHEN new.kind = 'closed' THEN stay_stage ELSE closed_stage END,
    closed_ms = CASE WHEN new.kind = 'closed' THEN ${ms('new.created_at')} ELSE closed_ms END
  WHERE opportunity_id = new.opportunity_id;
END;
`,
  run: (db, progress) =>
    inIdRanges(db, progress, { label: 'opportunities', table: 'opportunities', statement: FUNNEL_FACTS_BACKFILL }),
};
