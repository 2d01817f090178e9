import { STAGES, type Stage } from '../../../shared/schemas/opportunities';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type { FunnelFilter, FunnelStore, FunnelSummary } from '../repository';
import { FirmAnswers } from './firm-answers';

const DAY = 86_400_000;

/** Milliseconds since the epoch of a timestamptz, exact (as SQLite's round(unixepoch(at, 'subsec') * 1000)). */
const ms = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::bigint`;
const rank = (column: string) =>
  `CASE ${column} ${STAGES.map((stage, r) => `WHEN '${stage}' THEN ${r}`).join(' ')} END`;

/**
 * The opportunities a funnel counts, as `f (id, status, stage)`, with their parameters ($1, $2, … in order): every
 * condition given must hold (as SQLite's funnel.ts filters them).
 */
function filtered(filter: FunnelFilter): { cte: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const conditions = [
    filter.ownerIds !== null && `o.owner_id = ANY(${param([...new Set(filter.ownerIds)], 'bigint[]')})`,
    filter.teamId !== undefined &&
      `o.owner_id IN (SELECT advisor_id FROM team_members WHERE team_id = ${param(filter.teamId, 'bigint')})`,
    filter.campaignId !== undefined && `o.campaign_id = ${param(filter.campaignId, 'bigint')}`,
    filter.referrerAdvisorId !== undefined && `o.referred_by_advisor_id = ${param(filter.referrerAdvisorId, 'bigint')}`,
    filter.referrerContactId !== undefined && `o.referred_by_contact_id = ${param(filter.referrerContactId, 'bigint')}`,
    filter.createdFrom !== undefined && `o.created_at >= ${param(filter.createdFrom, 'timestamptz')}`,
    filter.createdBefore !== undefined && `o.created_at < ${param(filter.createdBefore, 'timestamptz')}`,
  ].filter(Boolean);
  return {
    cte: `f AS (SELECT o.id, o.status, o.stage FROM opportunities o
      ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''})`,
    params,
  };
}

/**
 * The funnel facts of the filtered opportunities (`x`), folded from their history as SQLite's migration 022 folds it
 * (its backfill, which its triggers keep equal): in time order (stage entries before a close or reopen at the same
 * moment), the furthest stage rank entered, the stages entered (bit 1 << rank), the stage it was in when last closed,
 * the milliseconds spent in each stage in finished stays (closed time does not count), and the stay going on (its
 * stage, since when, whether it is open).
 */
const FACTS = `h AS (
  SELECT s.opportunity_id AS o, ${ms('s.at')} AS at_ms, 0 AS source, s.id, 'stage' AS kind, s.stage
    FROM stage_changes s WHERE s.opportunity_id IN (SELECT id FROM f)
  UNION ALL
  SELECT e.opportunity_id, ${ms('e.created_at')}, 1, e.id, e.kind, NULL FROM opportunity_events e
    WHERE e.kind IN ('closed', 'reopened') AND e.opportunity_id IN (SELECT id FROM f)
), numbered AS (
  SELECT h.*,
    count(h.stage) OVER running AS stage_group,
    count(CASE WHEN h.kind <> 'stage' THEN 1 END) OVER running AS status_group,
    count(CASE WHEN h.kind = 'closed' THEN 1 END) OVER (PARTITION BY h.o ORDER BY h.at_ms, h.source, h.id
      ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS closes_after,
    lead(h.at_ms) OVER (PARTITION BY h.o ORDER BY h.at_ms, h.source, h.id) AS next_ms
  FROM h WINDOW running AS (PARTITION BY h.o ORDER BY h.at_ms, h.source, h.id ROWS UNBOUNDED PRECEDING)
), state AS (
  SELECT n.*,
    first_value(n.stage) OVER (PARTITION BY n.o, n.stage_group ORDER BY n.at_ms, n.source, n.id) AS in_stage,
    n.status_group = 0
      OR first_value(n.kind) OVER (PARTITION BY n.o, n.status_group ORDER BY n.at_ms, n.source, n.id) = 'reopened'
      AS is_open
  FROM numbered n
), x AS (
  SELECT o AS opportunity_id, max(${rank('stage')}) AS furthest,
    coalesce(sum(DISTINCT 1 << ${rank('stage')}), 0) AS entered,
    max(CASE WHEN kind = 'closed' AND closes_after = 0 THEN in_stage END) AS closed_stage,
    ${STAGES.map(
      (stage) =>
        `coalesce(sum(CASE WHEN next_ms IS NOT NULL AND is_open AND in_stage = '${stage}'
          THEN greatest(0, next_ms - at_ms) END), 0) AS ${stage}_ms`,
    ).join(',\n    ')},
    max(CASE WHEN next_ms IS NULL THEN in_stage END) AS stay_stage,
    max(CASE WHEN next_ms IS NULL THEN at_ms END) AS since_ms,
    coalesce(bool_or(CASE WHEN next_ms IS NULL THEN is_open END), true) AS open
  FROM state GROUP BY o
)`;

/** The milliseconds spent in `stage` until now ($now): the finished stays, and the one going on when open there. */
const stayMs = (stage: Stage, now: string) =>
  `x.${stage}_ms + CASE WHEN x.open AND x.stay_stage = '${stage}' THEN greatest(0, ${now} - x.since_ms) ELSE 0 END`;

const entered = (r: number) => `(x.entered & ${1 << r}) <> 0`;

const SUMMARY = (cte: string, now: string) => `WITH ${cte}, ${FACTS}
  SELECT ${STAGES.map((stage, r) => `count(*) FILTER (WHERE x.furthest >= ${r}) AS reached_${stage}`).join(', ')},
    ${STAGES.map((stage, r) => `count(*) FILTER (WHERE ${entered(r)}) AS entered_${stage}`).join(', ')},
    ${STAGES.flatMap((stage) =>
      (['won', 'lost'] as const).map(
        (status) =>
          `count(*) FILTER (WHERE f.status = '${status}' AND coalesce(x.closed_stage, f.stage) = '${stage}')
            AS ${status}_${stage}`,
      ),
    ).join(',\n    ')},
    ${STAGES.map(
      (stage, r) =>
        `coalesce(array_agg((${stayMs(stage, now)})::float8) FILTER (WHERE ${entered(r)}), '{}') AS stays_${stage}`,
    ).join(',\n    ')}
  FROM f LEFT JOIN x ON x.opportunity_id = f.id`;

/**
 * The funnel computed from the opportunities' history on each read: PostgreSQL keeps none of SQLite's funnel facts or
 * totals (migrations 022, 028), so every stay is read (the interface allows it) and `percentiles` are not needed.
 */
export class PostgresFunnelStore implements FunnelStore {
  constructor(
    private readonly db: Postgres,
    private readonly firm = new FirmAnswers(0),
  ) {}

  summary(filter: FunnelFilter, now: string, _percentiles: readonly number[]): Promise<FunnelSummary> {
    // A team's funnel is read afresh, as every owner-scoped one is here (SQLite keeps it with the firm's answers).
    const firmWide = filter.ownerIds === null && filter.teamId === undefined;
    return firmWide
      ? this.firm.get(`funnel ${JSON.stringify(filter)}`, now, () => this.read(filter, now))
      : this.read(filter, now);
  }

  private async read(filter: FunnelFilter, now: string): Promise<FunnelSummary> {
    const { cte, params } = filtered(filter);
    const nowParam = `$${params.length + 1}::bigint`;
    // One snapshot: the opportunities and their history are of the same moment.
    const row = await transaction(
      this.db,
      async (db) =>
        (await db.query<Record<string, number | number[]>>(SUMMARY(cte, nowParam), [...params, Date.parse(now)]))
          .rows[0],
      { snapshot: true },
    );
    const counts = STAGES.map((stage) => ({
      stage,
      reached: row[`reached_${stage}`] as number,
      entered: row[`entered_${stage}`] as number,
      won: row[`won_${stage}`] as number,
      lost: row[`lost_${stage}`] as number,
    }));
    const stays = STAGES.map((stage) => {
      // Days, shortest first, as SQLite's funnel gives them.
      const days = Float64Array.from(row[`stays_${stage}`] as number[]);
      for (let i = 0; i < days.length; i++) days[i] /= DAY;
      return { stage, days: days.sort() };
    });
    return { asOf: now, counts, stays };
  }
}
