import type { Migration } from '../migrate';
import { inIdRanges } from '../migration-steps';

const DAY = 86_400_000;
/** The width of an owner's periods of stays (ms): a team reads each owner's few periods per stage. */
export const OWNER_PERIOD_MS = 30 * DAY;
/** The width of the firm's periods (ms): the firm has many times an owner's stays in a period. */
export const FIRM_PERIOD_MS = DAY;

const STAGES = ['qualify', 'develop', 'propose', 'close'] as const;
const STAGE_ROWS = STAGES.map((stage, r) => `('${stage}', ${r})`).join(', ');
const finishedMs = `CASE s.stage ${STAGES.map((stage) => `WHEN '${stage}' THEN x.${stage}_ms`).join(' ')} END`;

/**
 * An opportunity's rows, one per stage it counts in: reached (furthest stage at least this one), entered, won or lost
 * there (by the stage it was last closed in), and when entered its stay: a finished one (running 0) keyed by its
 * milliseconds, or the one going on (running 1, open and in that stage) keyed by `since - finished ms`, so that its
 * milliseconds at `now` are `now - key` (while since <= now) and a later key is a shorter stay.
 */
const STAYS_OF = (where: string) => /* sql */ `
INSERT INTO funnel_stays (opportunity_id, stage, owner_id, reached, entered, won, lost, running, key, since)
SELECT id, stage, owner_id, reached, entered, won, lost, running,
  CASE WHEN entered THEN CASE WHEN running THEN since - ms ELSE ms END END, CASE WHEN running THEN since END
FROM (
  SELECT o.id, s.stage, o.owner_id, coalesce(x.furthest >= s.r, 0) AS reached,
    coalesce((x.entered >> s.r) & 1, 0) AS entered,
    o.status = 'won' AND coalesce(x.closed_stage, o.stage) = s.stage AS won,
    o.status = 'lost' AND coalesce(x.closed_stage, o.stage) = s.stage AS lost,
    coalesce((x.entered >> s.r) & 1 AND x.open AND x.stay_stage = s.stage, 0) AS running,
    ${finishedMs} AS ms, x.since_ms AS since
  FROM opportunities o LEFT JOIN opportunity_funnel x ON x.opportunity_id = o.id
    CROSS JOIN (SELECT column1 AS stage, column2 AS r FROM (VALUES ${STAGE_ROWS})) s
  WHERE ${where})
WHERE reached OR entered OR won OR lost;`;

/** Fills the rows of the opportunities with ids in (:from, :to] (the migration runs it over ranges of ids). */
export const FUNNEL_STAYS_BACKFILL = STAYS_OF('o.id > :from AND o.id <= :to');

/** An opportunity's rows made again from its row and its facts (`id` an SQL expression). */
const rebuild = (id: string) => `
  DELETE FROM funnel_stays WHERE opportunity_id = ${id};${STAYS_OF(`o.id = ${id}`)}`;

/** Adds a row of funnel_stays (`new`) to its owner's and the firm's totals and periods, or takes one away (`old`). */
const tally = (row: 'new' | 'old') => {
  const sign = row === 'new' ? '' : '-';
  const flags = `${sign}${row}.reached, ${sign}${row}.entered, ${sign}${row}.won, ${sign}${row}.lost`;
  const add =
    'reached = reached + excluded.reached, entered = entered + excluded.entered, won = won + excluded.won, lost = lost + excluded.lost';
  return `
  INSERT INTO funnel_totals (owner_id, stage, reached, entered, won, lost) VALUES (${row}.owner_id, ${row}.stage, ${flags})
    ON CONFLICT DO UPDATE SET ${add};
  INSERT INTO funnel_totals_firm (stage, reached, entered, won, lost) VALUES (${row}.stage, ${flags})
    ON CONFLICT DO UPDATE SET ${add};
  INSERT INTO funnel_stay_periods (owner_id, stage, running, period, count)
    SELECT ${row}.owner_id, ${row}.stage, ${row}.running, ${row}.key / ${OWNER_PERIOD_MS}, ${sign}1 WHERE ${row}.key IS NOT NULL
    ON CONFLICT DO UPDATE SET count = count + excluded.count;
  INSERT INTO funnel_stay_periods_firm (stage, running, period, count)
    SELECT ${row}.stage, ${row}.running, ${row}.key / ${FIRM_PERIOD_MS}, ${sign}1 WHERE ${row}.key IS NOT NULL
    ON CONFLICT DO UPDATE SET count = count + excluded.count;`;
};

/** The totals and periods from the rows (after the backfill: one pass each, instead of a trigger per row). */
export const FUNNEL_TOTALS_BACKFILL = /* sql */ `
INSERT INTO funnel_totals (owner_id, stage, reached, entered, won, lost)
  SELECT owner_id, stage, sum(reached), sum(entered), sum(won), sum(lost) FROM funnel_stays GROUP BY 1, 2;
INSERT INTO funnel_totals_firm (stage, reached, entered, won, lost)
  SELECT stage, sum(reached), sum(entered), sum(won), sum(lost) FROM funnel_totals GROUP BY 1;
INSERT INTO funnel_stay_periods (owner_id, stage, running, period, count)
  SELECT owner_id, stage, running, key / ${OWNER_PERIOD_MS}, count(*) FROM funnel_stays WHERE key IS NOT NULL
  GROUP BY 1, 2, 3, 4;
INSERT INTO funnel_stay_periods_firm (stage, running, period, count)
  SELECT stage, running, key / ${FIRM_PERIOD_MS}, count(*) FROM funnel_stays WHERE key IS NOT NULL
  GROUP BY 1, 2, 3;
`;

/** The indexes the funnel reads a period's stays from, and the triggers that keep everything with its sources. */
const INDEXES_AND_TRIGGERS = /* sql */ `
CREATE INDEX funnel_stays_owner ON funnel_stays (owner_id, stage, running, key);
CREATE INDEX funnel_stays_firm ON funnel_stays (stage, running, key);
CREATE INDEX funnel_stays_since ON funnel_stays (since) WHERE running = 1;

CREATE TRIGGER funnel_stays_insert AFTER INSERT ON funnel_stays BEGIN${tally('new')}
END;

CREATE TRIGGER funnel_stays_delete AFTER DELETE ON funnel_stays BEGIN${tally('old')}
END;

CREATE TRIGGER funnel_stays_update AFTER UPDATE ON funnel_stays BEGIN${tally('old')}${tally('new')}
END;

CREATE TRIGGER funnel_stays_opportunity_insert AFTER INSERT ON opportunities BEGIN${rebuild('new.id')}
END;

CREATE TRIGGER funnel_stays_opportunity_delete AFTER DELETE ON opportunities BEGIN
  DELETE FROM funnel_stays WHERE opportunity_id = old.id;
END;

-- The row's stage counts only for a closed one without a recorded close stage (won, lost): a stage change of an open
-- one changes its facts, whose own trigger makes its rows again.
CREATE TRIGGER funnel_stays_opportunity_update AFTER UPDATE OF owner_id, status, stage ON opportunities
  WHEN old.owner_id IS NOT new.owner_id OR old.status IS NOT new.status
    OR (old.stage IS NOT new.stage AND new.status <> 'open')
BEGIN${rebuild('new.id')}
END;

CREATE TRIGGER funnel_stays_facts_insert AFTER INSERT ON opportunity_funnel BEGIN${rebuild('new.opportunity_id')}
END;

CREATE TRIGGER funnel_stays_facts_update AFTER UPDATE ON opportunity_funnel BEGIN${rebuild('new.opportunity_id')}
END;

CREATE TRIGGER funnel_stays_facts_delete AFTER DELETE ON opportunity_funnel BEGIN${rebuild('old.opportunity_id')}
END;
`;

/**
 * The funnel's numbers kept by triggers, so an unfiltered funnel (me, team, firm) reads a few rows per owner instead
 * of every opportunity's facts (issue 15: the firm's took 4.6 s at 1M):
 *
 * - funnel_stays: per opportunity and stage it counts in, its flags and its stay (see STAYS_OF), made again from the
 *   opportunity and its facts (migration 22) whenever either changes.
 * - funnel_totals (per owner and stage; the firm's in funnel_totals_firm): reached, entered, won, lost.
 * - funnel_stay_periods (per owner, stage, finished or running, and period of OWNER_PERIOD_MS of the key; the firm's
 *   per FIRM_PERIOD_MS in funnel_stay_periods_firm): how many stays. A percentile is then exact and cheap: the counts
 *   bound which range of values holds the stay at a position, and only that range's stays are read, in order, from
 *   funnel_stays' indexes (see sqlite/funnel-totals.ts).
 *
 * Rows whose counts went to 0 stay (the reads skip them). The backfill runs in ranges of ids with progress; the
 * indexes, totals and triggers are made after it, in the same transaction.
 */
export const funnelTotals: Migration = {
  version: 28,
  name: 'funnel totals',
  sql: /* sql */ `
CREATE TABLE funnel_stays (
  opportunity_id INTEGER NOT NULL,
  stage TEXT NOT NULL,
  owner_id INTEGER NOT NULL,
  reached INTEGER NOT NULL,
  entered INTEGER NOT NULL,
  won INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  running INTEGER NOT NULL,
  key INTEGER,
  since INTEGER,
  PRIMARY KEY (opportunity_id, stage)
) WITHOUT ROWID;

CREATE TABLE funnel_totals (
  owner_id INTEGER NOT NULL,
  stage TEXT NOT NULL,
  reached INTEGER NOT NULL,
  entered INTEGER NOT NULL,
  won INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  PRIMARY KEY (owner_id, stage)
) WITHOUT ROWID;

CREATE TABLE funnel_totals_firm (
  stage TEXT PRIMARY KEY,
  reached INTEGER NOT NULL,
  entered INTEGER NOT NULL,
  won INTEGER NOT NULL,
  lost INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE funnel_stay_periods (
  owner_id INTEGER NOT NULL,
  stage TEXT NOT NULL,
  running INTEGER NOT NULL,
  period INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (owner_id, stage, running, period)
) WITHOUT ROWID;

CREATE TABLE funnel_stay_periods_firm (
  stage TEXT NOT NULL,
  running INTEGER NOT NULL,
  period INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (stage, running, period)
) WITHOUT ROWID;
`,
  run: (db, progress) => {
    inIdRanges(db, progress, {
      label: 'opportunities (funnel)',
      table: 'opportunities',
      statement: FUNNEL_STAYS_BACKFILL,
    });
    // The steps after the backfill read every row again: each says when it is done.
    progress('funnel stays: totals and periods', 0, 2);
    db.exec(FUNNEL_TOTALS_BACKFILL);
    progress('funnel stays: totals and periods', 1, 2);
    db.exec(INDEXES_AND_TRIGGERS);
    progress('funnel stays: totals and periods, indexes', 2, 2);
  },
};
