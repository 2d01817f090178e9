import type pg from 'pg';
import type { OpportunitySummary, Stage } from '../../../shared/schemas/opportunities';
import { STAGES } from '../../../shared/schemas/opportunities';
import type { Assignment } from '../../../shared/schemas/timeline';
import { transaction, type Postgres } from '../../db/postgres/connection';
import { addBusinessDays, latestStartMet, type Holidays } from '../../services/business-days';
import { endOfLocalDate, localDate } from '../../services/zoned-time';
import type { AttentionCandidate, OpenStageDays, StageReportData, StageRow, WorkStore } from '../repository';
import { toSummary, type SummaryRow } from '../rows/opportunity-rows';
import { FirmAnswers } from './firm-answers';
import { visibleNotesOnMany } from './notes';
import { SUMMARY_COLUMNS } from './opportunities';
import { arrays, type Queryable } from './support';
import type { RulesRow } from './exception-rules';

/**
 * Runs `read` in one read-only REPEATABLE READ transaction: every statement sees the same snapshot, as SQLite's
 * read transactions do (a count and its page, a page and its notes, are of one moment while others write).
 */
function snapshot<T>(db: Postgres, read: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return transaction(db, read, { snapshot: true });
}

/** The summaries of these opportunities, by id. */
async function summariesOf(db: Queryable, ids: number[]): Promise<Map<number, OpportunitySummary>> {
  if (ids.length === 0) return new Map();
  const rows = await arrays<SummaryRow>(
    db,
    `SELECT ${SUMMARY_COLUMNS} FROM opportunities o WHERE o.id = ANY($1::bigint[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row[0], toSummary(row)]));
}

/**
 * Due times are compared as ISO text, which orders only four-digit years: SQLite stores a later instant (a close date
 * of 9999-12-31) as the last instant of 9999 (server/db/functions.ts), and so does this.
 */
const LAST_INSTANT = '9999-12-31T23:59:59.999Z';
const LAST_TIME = Date.parse(LAST_INSTANT);
const isoText = (instant: Date) => (instant.getTime() > LAST_TIME ? LAST_INSTANT : instant.toISOString());

/** No open appointment, call or task at all: the no-next-step rule is met from the beginning of time (migration 019). */
const NO_NEXT_STEP_EVER = '0000-01-01T00:00:00.000Z';

/** An open opportunity's facts its due times come from (kept by migration 33's triggers), and its owner's zone. */
interface AttentionFacts {
  id: number;
  time_zone: string;
  assigned_at: string;
  created_at: string;
  estimated_close_date: string | null;
  /** An activity linked, or a note by the owner, since the assignment. */
  touched: boolean;
  has_activity: boolean;
  /** An open task without a start: a next step that never lapses. */
  undated_task: boolean;
  /** The latest start of its open appointments, calls and tasks. */
  last_start: string | null;
}

/** Per zone of the owners: the thresholds of the rules at `now` (null: the rule is off), as attention-reference.ts. */
interface ZoneThresholds {
  zone: string;
  today: string | null;
  untouchedBy: string | null;
  noActivityBy: string | null;
}

/**
 * The open opportunities of the owners ($1, each with its zone's thresholds: $3 local date, $4 untouched-if-assigned-
 * by, $5 no-activity-if-created-by) that meet a rule at $2 (now), $6 whether the no-next-step rule is on. A rule's due
 * time is at or before now exactly when its threshold is met (latestStartMet; the consistency test of
 * attention-due.test.ts holds the two answers equal), so the rows and their count are chosen from the facts migration
 * 33 keeps, one range of its index per owner, and the due times computed only for a page.
 */
const DUE = `WITH owners AS (
  SELECT * FROM unnest($1::bigint[], $3::date[], $4::timestamptz[], $5::timestamptz[])
    AS z (owner_id, today, untouched_by, no_activity_by)
), due AS (
  SELECT f.* FROM owners z JOIN opportunity_attention_facts f ON f.owner_id = z.owner_id
  WHERE f.estimated_close_date < z.today
    OR ($6 AND NOT f.undated_task AND (f.last_start IS NULL OR f.last_start <= $2::timestamptz))
    OR (f.assigned_at <= z.untouched_by AND NOT f.touched)
    OR (f.created_at <= z.no_activity_by AND NOT f.has_activity)
)`;

/**
 * A page of those meeting a rule, most recently changed first ($7 limit, $8 offset), each row (an array) its facts
 * (DuePageFacts), how many meet one in all (none when the page is past the end), then its summary (SUMMARY_COLUMNS).
 */
const DUE_PAGE = `${DUE}
SELECT p.opportunity_id, p.owner_id, p.assigned_at, p.created_at, p.estimated_close_date, p.touched, p.has_activity,
    p.undated_task, p.last_start, p.total, ${SUMMARY_COLUMNS}
  FROM (SELECT due.*, count(*) OVER () AS total FROM due
         ORDER BY updated_at DESC, opportunity_id DESC LIMIT $7 OFFSET $8) p
  JOIN opportunities o ON o.id = p.opportunity_id
  ORDER BY p.updated_at DESC, p.opportunity_id DESC`;

/** The first columns of a DUE_PAGE row. */
type DuePageFacts = [
  id: number,
  ownerId: number,
  assignedAt: string,
  createdAt: string,
  estimatedCloseDate: string | null,
  touched: boolean,
  hasActivity: boolean,
  undatedTask: boolean,
  lastStart: string | null,
  total: number,
];

/** What a needs-attention read starts from, in one statement: the rules, the holidays, and the owners' zones ($1). */
const ATTENTION_INPUTS = `SELECT (SELECT to_jsonb(r) FROM exception_rules r WHERE r.id = 1) AS rules,
    ARRAY(SELECT date::text FROM holidays) AS holidays,
    (SELECT coalesce(jsonb_agg(jsonb_build_array(id, time_zone)), '[]') FROM advisors WHERE id = ANY($1::bigint[]))
      AS zones`;

const DUE_COUNT = `${DUE} SELECT count(*) AS total FROM due`;

/** Each zone's thresholds at `now` under the rules (computed as the service did before due times were kept). */
function thresholdsOf(zones: string[], rules: RulesRow, holidays: Holidays, now: Date): ZoneThresholds[] {
  return zones.map((zone) => ({
    zone,
    today: rules.past_close_date_on ? localDate(now, zone) : null,
    untouchedBy: rules.untouched_on
      ? latestStartMet(now, rules.untouched_business_days, zone, holidays).toISOString()
      : null,
    noActivityBy: rules.no_activity_on
      ? latestStartMet(now, rules.no_activity_business_days, zone, holidays).toISOString()
      : null,
  }));
}

/**
 * Each rule's due time for one open opportunity, exactly as SQLite's source view (migrations 019, 024) computes what
 * its triggers store: null when the rule is off or what stops it holds.
 */
function duesOf(facts: AttentionFacts, rules: RulesRow, holidays: Holidays): AttentionCandidate['dues'] {
  const zone = facts.time_zone;
  return {
    untouched:
      rules.untouched_on && !facts.touched
        ? isoText(addBusinessDays(new Date(facts.assigned_at), rules.untouched_business_days, zone, holidays))
        : null,
    noActivity:
      rules.no_activity_on && !facts.has_activity
        ? isoText(addBusinessDays(new Date(facts.created_at), rules.no_activity_business_days, zone, holidays))
        : null,
    noNextStep: rules.no_next_step_on && !facts.undated_task ? (facts.last_start ?? NO_NEXT_STEP_EVER) : null,
    pastCloseDate:
      rules.past_close_date_on && facts.estimated_close_date !== null
        ? isoText(endOfLocalDate(facts.estimated_close_date, zone))
        : null,
  };
}

/** A value in whole cents as SQLite's round(coalesce(v, 0) * 100) makes it (migration 025), in double precision. */
const cents = (column: string) =>
  `trunc(coalesce(${column}, 0) * 100 + CASE WHEN coalesce(${column}, 0) < 0 THEN -0.5 ELSE 0.5 END)::bigint`;

/**
 * The stage report's rows from the opportunities themselves: count and sums of values to the cent per stage and
 * status (as SQLite's totals, migration 025, sum each opportunity's cents).
 */
const STAGE_ROWS = (owners: boolean) => `SELECT stage, status, count(*) AS count,
    sum(${cents('estimated_value')})::bigint AS estimated, sum(${cents('actual_value')})::bigint AS actual
  FROM opportunities ${owners ? 'WHERE owner_id = ANY($1::bigint[])' : ''}
  GROUP BY stage, status`;

/**
 * Per stage, the open opportunities: how many, the earliest entry time, and the middle entry times. percentile_disc
 * (0.5) ascending is the entry at position ⌈n/2⌉ - 1, descending the one at ⌊n/2⌋: the same entry for an odd count,
 * the two middle ones for an even count (as SQLite's openStageDays reads them).
 */
const OPEN_STAGE_DAYS = (owners: boolean) => `SELECT stage, count(*) AS open, min(stage_entered_at) AS oldest,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY stage_entered_at) AS lower_middle,
    percentile_disc(0.5) WITHIN GROUP (ORDER BY stage_entered_at DESC) AS upper_middle
  FROM opportunities WHERE status = 'open' ${owners ? 'AND owner_id = ANY($1::bigint[])' : ''}
  GROUP BY stage`;

/** The assignment columns, in the order the rows are mapped. */
interface AssignmentRow {
  id: number;
  opportunity_id: number;
  from_advisor_id: number | null;
  from_name: string | null;
  from_email: string | null;
  to_advisor_id: number;
  to_name: string;
  to_email: string;
  by_advisor_id: number;
  by_name: string;
  by_email: string;
  message: string | null;
  created_at: string;
}

/**
 * New for me's assignments: the latest assignment of each open opportunity the advisor owns, made by someone else,
 * since `since`, newest first (as SQLite's assignmentsTo).
 */
const NEW_ASSIGNMENTS = `SELECT s.id, s.opportunity_id, s.from_advisor_id, f.display_name AS from_name, f.email AS from_email,
    s.to_advisor_id, t.display_name AS to_name, t.email AS to_email,
    s.by_advisor_id, b.display_name AS by_name, b.email AS by_email, s.message, s.created_at
  FROM assignments s
  LEFT JOIN advisors f ON f.id = s.from_advisor_id
  JOIN advisors t ON t.id = s.to_advisor_id
  JOIN advisors b ON b.id = s.by_advisor_id
  WHERE s.to_advisor_id = $1 AND s.by_advisor_id <> s.to_advisor_id AND ($2::timestamptz IS NULL OR s.created_at > $2)
    AND s.id = (SELECT max(latest.id) FROM assignments latest WHERE latest.opportunity_id = s.opportunity_id)
    AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.opportunity_id AND o.status = 'open' AND o.owner_id = $1)
  ORDER BY s.created_at DESC, s.id DESC LIMIT $3 OFFSET $4`;

const toAssignment = (row: AssignmentRow): Assignment => ({
  id: row.id,
  opportunityId: row.opportunity_id,
  from: row.from_advisor_id ? { id: row.from_advisor_id, displayName: row.from_name!, email: row.from_email! } : null,
  to: { id: row.to_advisor_id, displayName: row.to_name, email: row.to_email },
  by: { id: row.by_advisor_id, displayName: row.by_name, email: row.by_email },
  message: row.message,
  messageHidden: false,
  createdAt: row.created_at,
});

/**
 * My Work and the stage report. Needs attention reads the facts migration 33 keeps with each open opportunity (SQLite
 * keeps due times, migrations 019/023/024); the stage report is computed from the rows (SQLite keeps totals,
 * migration 025).
 */
export class PostgresWorkStore implements WorkStore {
  constructor(
    private readonly db: Postgres,
    private readonly firm = new FirmAnswers(0),
  ) {}

  /**
   * The owners' open opportunities that meet a rule at `now`, chosen and counted in SQL from their facts (migration 33)
   * by the thresholds of each owner's zone (DUE); the page's due times computed here with the functions SQLite's
   * triggers call (business-days.ts, zoned-time.ts), so they are the times SQLite stores (migration 019).
   */
  async needingAttention(ownerIds: number[], now: string, limit: number, offset: number) {
    const owners = [...new Set(ownerIds)];
    if (owners.length === 0) return { candidates: [], total: 0 };
    return snapshot(this.db, async (db) => {
      const inputs = (
        await db.query<{ rules: RulesRow; holidays: string[]; zones: [number, string][] }>(ATTENTION_INPUTS, [owners])
      ).rows[0];
      const { rules } = inputs;
      const holidays: Holidays = new Set(inputs.holidays);
      const zoneOf = new Map(inputs.zones);
      const thresholds = new Map(
        thresholdsOf([...new Set(zoneOf.values())], rules, holidays, new Date(now)).map((t) => [t.zone, t]),
      );
      const ownersFound = [...zoneOf.keys()];
      const of = (owner: number) => thresholds.get(zoneOf.get(owner)!)!;
      const params = [
        ownersFound,
        now,
        ownersFound.map((owner) => of(owner).today),
        ownersFound.map((owner) => of(owner).untouchedBy),
        ownersFound.map((owner) => of(owner).noActivityBy),
        rules.no_next_step_on,
      ];
      const rows = await arrays<[...DuePageFacts, ...SummaryRow]>(db, DUE_PAGE, [...params, limit, offset]);
      // A page past the end has no row to carry the count: only then is it counted apart.
      const total =
        rows[0]?.[9] ?? (offset > 0 ? (await db.query<{ total: number }>(DUE_COUNT, params)).rows[0].total : 0);
      const candidates = rows.map((row): AttentionCandidate => {
        const [id, owner, assignedAt, createdAt, estimatedCloseDate, touched, hasActivity, undatedTask, lastStart] =
          row;
        const facts: AttentionFacts = {
          id,
          time_zone: zoneOf.get(owner)!,
          assigned_at: assignedAt,
          created_at: createdAt,
          estimated_close_date: estimatedCloseDate,
          touched,
          has_activity: hasActivity,
          undated_task: undatedTask,
          last_start: lastStart,
        };
        return {
          opportunity: toSummary(row.slice(10) as SummaryRow),
          assignedAt,
          dues: duesOf(facts, rules, holidays),
        };
      });
      return { candidates, total };
    });
  }

  async newForMe(advisorId: number, since: string | null, limit: number, offset: number, notesPerOpportunity: number) {
    return snapshot(this.db, async (db) => {
      const assignments = (await db.query<AssignmentRow>(NEW_ASSIGNMENTS, [advisorId, since, limit, offset])).rows.map(
        toAssignment,
      );
      const ids = assignments.map((a) => a.opportunityId);
      if (ids.length === 0) return { assignments, opportunities: [], notes: [] };
      const summaries = await summariesOf(db, ids);
      const opportunities = [...summaries.values()].sort((a, b) => a.id - b.id);
      return { assignments, opportunities, notes: await visibleNotesOnMany(db, ids, advisorId, notesPerOpportunity) };
    });
  }

  /** Nothing to recompute on PostgreSQL: its facts (migration 33) depend on no rule, holiday or zone. */
  recomputeAttentionBatch(_rows: number) {
    return Promise.resolve(false);
  }

  stageReport(ownerIds: number[] | null, now: string): Promise<StageReportData> {
    return ownerIds === null
      ? this.firm.get('stage report', now, () => this.readStageReport(null, now))
      : this.readStageReport(ownerIds, now);
  }

  private async readStageReport(ownerIds: number[] | null, now: string): Promise<StageReportData> {
    const scoped = ownerIds !== null;
    const params = scoped ? [[...new Set(ownerIds)]] : [];
    return snapshot(this.db, async (db) => {
      const totals = await db.query<{
        stage: Stage;
        status: StageRow['status'];
        count: number;
        estimated: number;
        actual: number;
      }>(STAGE_ROWS(scoped), params);
      const rows = totals.rows
        .filter((row) => row.count > 0)
        .map(({ stage, status, count, estimated, actual }): StageRow => ({
          stage,
          status,
          count,
          estimatedValue: estimated / 100,
          actualValue: actual / 100,
        }));
      const open = await db.query<{
        stage: Stage;
        open: number;
        oldest: string;
        lower_middle: string;
        upper_middle: string;
      }>(OPEN_STAGE_DAYS(scoped), params);
      const openStageDays = STAGES.map((stage): OpenStageDays => {
        const row = open.rows.find((found) => found.stage === stage);
        if (!row) return { stage, open: 0, oldest: null, middle: [] };
        return {
          stage,
          open: row.open,
          oldest: row.oldest,
          middle: row.open % 2 ? [row.lower_middle] : [row.upper_middle, row.lower_middle],
        };
      });
      return { asOf: now, rows, openStageDays };
    });
  }
}
