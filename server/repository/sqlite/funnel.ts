import type { Db } from '../../db/connection';
import type { FunnelFilter, FunnelSummary } from '../repository';
import type { Stage } from '../../../shared/schemas/opportunities';

const DAY = 86_400_000;
import { STAGES } from '../../../shared/schemas/opportunities';
import { funnelFromTotals } from './funnel-totals';
import { list, sql, sqlArrays } from './support';

/**
 * The opportunities a funnel counts, as `f (id, status, stage)`. For owners given (me, team) it starts from those
 * owners' rows (json_each first: CROSS JOIN keeps that order); the firm-wide funnel reads every opportunity.
 */
const filtered = (filter: FunnelFilter) => {
  // Only the conditions given: with none, the owners' rows are read from an index alone.
  const conditions = [
    filter.teamId !== undefined && 'o.owner_id IN (SELECT advisor_id FROM team_members WHERE team_id = :team)',
    filter.campaignId !== undefined && 'o.campaign_id = :campaign',
    filter.referrerAdvisorId !== undefined && 'o.referred_by_advisor_id = :referrerAdvisor',
    filter.referrerContactId !== undefined && 'o.referred_by_contact_id = :referrerContact',
    filter.createdFrom !== undefined && 'o.created_at >= :createdFrom',
    filter.createdBefore !== undefined && 'o.created_at < :createdBefore',
  ].filter(Boolean);
  return `f AS (
  SELECT o.id, o.status, o.stage FROM ${
    filter.ownerIds === null
      ? 'opportunities o'
      : 'json_each(:owners) j CROSS JOIN opportunities o ON o.owner_id = j.value'
  } ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''})`;
};

function params(filter: FunnelFilter) {
  const given = {
    owners: filter.ownerIds === null ? undefined : list(filter.ownerIds),
    team: filter.teamId,
    campaign: filter.campaignId,
    referrerAdvisor: filter.referrerAdvisorId,
    referrerContact: filter.referrerContactId,
    createdFrom: filter.createdFrom,
    createdBefore: filter.createdBefore,
  };
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** The milliseconds spent in `stage` until now: the finished stays, and the one going on when it is open there. */
const stayMs = (stage: Stage) =>
  `x.${stage}_ms + CASE WHEN x.open AND x.stay_stage = '${stage}' THEN max(0, CAST(:now AS INTEGER) - x.since_ms) ELSE 0 END`;

const STATUSES = ['won', 'lost'] as const;

/**
 * A funnel's numbers in one row: per stage, how many reached it (furthest stage rank at least r) and entered it (bit
 * 1 << r), won and lost by the stage last closed in, then per stage its stays' milliseconds as one comma-separated
 * text. One row crosses into JavaScript instead of one per opportunity (issue 15: reading every row's columns was
 * most of a funnel's time).
 */
const SUMMARY = (filter: FunnelFilter) => `WITH ${filtered(filter)}
  SELECT ${STAGES.map((_, r) => `count(*) FILTER (WHERE x.furthest >= ${r})`).join(', ')},
    ${STAGES.map((_, r) => `count(*) FILTER (WHERE x.entered & ${1 << r})`).join(', ')},
    ${STAGES.flatMap((stage) =>
      STATUSES.map(
        (status) => `count(*) FILTER (WHERE f.status = '${status}' AND coalesce(x.closed_stage, f.stage) = '${stage}')`,
      ),
    ).join(',\n    ')},
    ${STAGES.map((stage, r) => `group_concat(${stayMs(stage)}) FILTER (WHERE x.entered & ${1 << r})`).join(',\n    ')}
  FROM f LEFT JOIN opportunity_funnel x ON x.opportunity_id = f.id`;

/** Only owners (or none): the totals of migration 028 answer it. */
const unfiltered = ({ ownerIds, ...rest }: FunnelFilter) =>
  Object.values(rest).every((value) => value === undefined) && (ownerIds === null || ownerIds.length > 0);

/**
 * The counts and stays of a funnel (run by the report worker, see report-jobs.ts). Unfiltered (me, team, the firm),
 * from the totals the triggers of migration 028 keep (funnel-totals.ts): only the stays at the positions `percentiles`
 * read. Filtered (or when the totals cannot say), one read of the filtered opportunities' funnel facts (migration 022),
 * which the triggers keep with their history: every stay.
 */
export function funnelSummary(
  db: Db,
  filter: FunnelFilter,
  now: string,
  percentiles: readonly number[] = [],
): FunnelSummary {
  if (unfiltered(filter)) {
    // One read transaction: the totals, the periods and the stays they point to are of the same moment.
    const fromTotals = db.transaction(() => funnelFromTotals(db, filter.ownerIds, now, percentiles))();
    if (fromTotals) return fromTotals;
  }
  const row = sqlArrays(db, SUMMARY(filter)).get({ ...params(filter), now: Date.parse(now) }) as (number | string)[];
  const n = STAGES.length;
  const counts = STAGES.map((stage, r) => ({
    stage,
    reached: row[r] as number,
    entered: row[n + r] as number,
    won: row[2 * n + 2 * r] as number,
    lost: row[2 * n + 2 * r + 1] as number,
  }));
  const stays = STAGES.map((stage, r) => {
    const text = row[4 * n + r] as string | null;
    return { stage, days: text === null ? new Float64Array(0) : toDays(text) };
  });
  return { asOf: now, counts, stays };
}

/** Integer milliseconds as comma-separated text to days, shortest first (JSON.parse reads numbers fastest). */
function toDays(text: string): Float64Array {
  const days = Float64Array.from(JSON.parse(`[${text}]`) as number[]);
  for (let i = 0; i < days.length; i++) days[i] /= DAY;
  return days.sort();
}

/**
 * The funnel versions of the owners (migration 27), in their order, as one text: equal texts mean nothing a funnel
 * of theirs reads has changed in between.
 */
export function ownerVersions(db: Db, ownerIds: number[]): string {
  return sql(
    db,
    `SELECT json_group_array(coalesce(v.version, 0)) FROM json_each(:owners) j
       LEFT JOIN funnel_owner_versions v ON v.owner_id = j.value`,
  )
    .pluck()
    .get({ owners: list(ownerIds) }) as string;
}
