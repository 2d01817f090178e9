import type { Db } from '../../db/connection';
import type { FunnelFilter, FunnelSummary } from '../repository';
import type { Stage } from '../../../shared/schemas/opportunities';

const DAY = 86_400_000;
import { STAGES } from '../../../shared/schemas/opportunities';
import { list, sqlArrays } from './support';

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

/**
 * The counts and stays of a funnel (run by the report worker, see report-jobs.ts): one read of the filtered
 * opportunities' funnel facts (migration 022), which the triggers keep with their history.
 */
export function funnelSummary(db: Db, filter: FunnelFilter, now: string): FunnelSummary {
  const rows = sqlArrays(
    db,
    `WITH ${filtered(filter)}
     SELECT f.status, coalesce(x.closed_stage, f.stage), x.furthest, x.entered,
       ${STAGES.map(
         (stage) =>
           `x.${stage}_ms + CASE WHEN x.open AND x.stay_stage = '${stage}' THEN max(0, :now - x.since_ms) ELSE 0 END`,
       ).join(',\n       ')}
     FROM f LEFT JOIN opportunity_funnel x ON x.opportunity_id = f.id`,
  ).iterate({ ...params(filter), now: Date.parse(now) }) as IterableIterator<
    [status: string, leftStage: Stage, furthest: number | null, entered: number | null, ...ms: number[]]
  >;
  const counts = STAGES.map((stage) => ({ stage, reached: 0, entered: 0, won: 0, lost: 0 }));
  const days: number[][] = STAGES.map(() => []);
  for (const [status, leftStage, furthest, entered, ...ms] of rows) {
    for (let r = 0; r < STAGES.length; r++) {
      if (furthest !== null && furthest >= r) counts[r].reached += 1;
      if (entered !== null && entered & (1 << r)) {
        counts[r].entered += 1;
        days[r].push(ms[r] / DAY);
      }
    }
    if (status === 'won' || status === 'lost') counts[STAGES.indexOf(leftStage)][status] += 1;
  }
  return {
    asOf: now,
    counts,
    stays: STAGES.map((stage, r) => ({ stage, days: Float64Array.from(days[r]).sort() })),
  };
}
