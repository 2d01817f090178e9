import type { Db } from '../../db/connection';
import type { FunnelFilter, FunnelHistoryEntry, FunnelStageCounts, FunnelSummary } from '../repository';
import { StayCounter } from '../../services/funnel-stays';
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

/** A stage's rank (0 to 3) in the order of STAGES. */
const rank = (column: string) =>
  `CASE ${column} WHEN 'qualify' THEN 0 WHEN 'develop' THEN 1 WHEN 'propose' THEN 2 ELSE 3 END`;

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

/** The counts and stays of a funnel (run by the report worker, see report-jobs.ts). */
export function funnelSummary(db: Db, filter: FunnelFilter, now: string): FunnelSummary {
  const counts = stageCounts(db, filter);
  const stays = new StayCounter(Date.parse(now));
  history(db, filter, (entry) => stays.add(entry));
  stays.finish();
  return {
    asOf: now,
    counts,
    stays: STAGES.map((stage) => ({ stage, days: Float64Array.from(stays.days.get(stage)!).sort() })),
  };
}

function stageCounts(db: Db, filter: FunnelFilter): FunnelStageCounts[] {
  // One pass over the filtered opportunities, each read once with its own history (by opportunity_id):
  // its furthest stage, the stages it ever entered (one bit each) and, closed, the stage it was closed in.
  const row = sqlArrays(
    db,
    `WITH ${filtered(filter)},
       per AS MATERIALIZED (
         SELECT f.status,
           (SELECT max(${rank('sc.stage')}) FROM stage_changes sc WHERE sc.opportunity_id = f.id) AS furthest,
           (SELECT sum(DISTINCT 1 << ${rank('sc.stage')}) FROM stage_changes sc WHERE sc.opportunity_id = f.id) AS entered,
           -- The stage it was in when last closed (its current stage if the history says nothing).
           CASE WHEN f.status <> 'open' THEN coalesce(
             (SELECT sc.stage FROM stage_changes sc WHERE sc.opportunity_id = f.id
                AND sc.at <= (SELECT max(e.created_at) FROM opportunity_events e WHERE e.opportunity_id = f.id AND e.kind = 'closed')
              ORDER BY sc.at DESC, sc.id DESC LIMIT 1),
             f.stage) END AS left_stage
         FROM f)
       SELECT ${STAGES.map(
         (stage, r) => `count(*) FILTER (WHERE furthest >= ${r}), count(*) FILTER (WHERE entered & ${1 << r}),
           count(*) FILTER (WHERE status = 'won' AND left_stage = '${stage}'),
           count(*) FILTER (WHERE status = 'lost' AND left_stage = '${stage}')`,
       ).join(', ')}
       FROM per`,
  ).get(params(filter)) as number[];
  return STAGES.map((stage, r) => ({
    stage,
    reached: row[4 * r],
    entered: row[4 * r + 1],
    won: row[4 * r + 2],
    lost: row[4 * r + 3],
  }));
}

/**
 * Walks the stage changes, closes and reopens of the matching opportunities, one opportunity after the other and
 * each in time order, calling `visit` with each entry as it is read: nothing is held but the current row.
 */
function history(db: Db, filter: FunnelFilter, visit: (entry: FunnelHistoryEntry) => void): void {
  const rows = sqlArrays(
    db,
    `WITH ${filtered(filter)}
       SELECT opportunity_id, kind, stage, at FROM (
         SELECT sc.opportunity_id, 'stage' AS kind, sc.stage, sc.at, 0 AS source, sc.id
           FROM f JOIN stage_changes sc ON sc.opportunity_id = f.id
         UNION ALL
         SELECT e.opportunity_id, e.kind, NULL, e.created_at, 1, e.id
           FROM f JOIN opportunity_events e ON e.opportunity_id = f.id WHERE e.kind IN ('closed', 'reopened'))
       ORDER BY opportunity_id, at, source, id`,
  ).iterate(params(filter)) as IterableIterator<
    [opportunityId: number, kind: FunnelHistoryEntry['kind'], stage: FunnelHistoryEntry['stage'], at: string]
  >;
  for (const [opportunityId, kind, stage, at] of rows) visit({ opportunityId, kind, stage, at });
}
