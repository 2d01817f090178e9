import type { Db } from '../../db/connection';
import type { FunnelFilter, FunnelHistoryEntry, FunnelStageCounts, FunnelStore } from '../repository';
import { list, sql, sqlArrays } from './support';

/**
 * The opportunities a funnel counts, as `f (id, status, stage)`. For owners given (me, team) it starts from those
 * owners' rows; the firm-wide funnel (no owners) reads every opportunity.
 */
const filtered = (filter: FunnelFilter) => `f AS (
  SELECT o.id, o.status, o.stage FROM opportunities o
  WHERE ${filter.ownerIds === null ? '1' : 'o.owner_id IN (SELECT value FROM json_each(:owners))'}
    AND (:team IS NULL OR o.owner_id IN (SELECT advisor_id FROM team_members WHERE team_id = :team))
    AND (:campaign IS NULL OR o.campaign_id = :campaign)
    AND (:referrerAdvisor IS NULL OR o.referred_by_advisor_id = :referrerAdvisor)
    AND (:referrerContact IS NULL OR o.referred_by_contact_id = :referrerContact)
    AND (:createdFrom IS NULL OR o.created_at >= :createdFrom)
    AND (:createdBefore IS NULL OR o.created_at < :createdBefore))`;

const RANKS = `ranks (stage, r) AS (VALUES ('qualify', 0), ('develop', 1), ('propose', 2), ('close', 3))`;

function params(filter: FunnelFilter) {
  return {
    ...(filter.ownerIds === null ? {} : { owners: list(filter.ownerIds) }),
    team: filter.teamId ?? null,
    campaign: filter.campaignId ?? null,
    referrerAdvisor: filter.referrerAdvisorId ?? null,
    referrerContact: filter.referrerContactId ?? null,
    createdFrom: filter.createdFrom ?? null,
    createdBefore: filter.createdBefore ?? null,
  };
}

export class SqliteFunnelStore implements FunnelStore {
  constructor(private readonly db: Db) {}

  async stageCounts(filter: FunnelFilter): Promise<FunnelStageCounts[]> {
    return sql(
      this.db,
      `WITH ${filtered(filter)}, ${RANKS},
       furthest AS (
         SELECT f.id, max(ranks.r) AS r FROM f
           JOIN stage_changes sc ON sc.opportunity_id = f.id JOIN ranks ON ranks.stage = sc.stage
         GROUP BY f.id),
       entered AS (
         SELECT sc.stage, count(DISTINCT sc.opportunity_id) AS n FROM f JOIN stage_changes sc ON sc.opportunity_id = f.id
         GROUP BY sc.stage),
       -- The stage each closed one was in when it was last closed (its current stage if the history says nothing).
       left_at AS (
         SELECT f.status, coalesce(
           (SELECT sc.stage FROM stage_changes sc WHERE sc.opportunity_id = f.id
              AND sc.at <= (SELECT max(e.created_at) FROM opportunity_events e WHERE e.opportunity_id = f.id AND e.kind = 'closed')
            ORDER BY sc.at DESC, sc.id DESC LIMIT 1),
           f.stage) AS stage
         FROM f WHERE f.status <> 'open')
       SELECT ranks.stage,
         (SELECT count(*) FROM furthest WHERE furthest.r >= ranks.r) AS reached,
         coalesce((SELECT n FROM entered WHERE entered.stage = ranks.stage), 0) AS entered,
         (SELECT count(*) FROM left_at WHERE left_at.stage = ranks.stage AND left_at.status = 'won') AS won,
         (SELECT count(*) FROM left_at WHERE left_at.stage = ranks.stage AND left_at.status = 'lost') AS lost
       FROM ranks ORDER BY ranks.r`,
    ).all(params(filter)) as FunnelStageCounts[];
  }

  async history(filter: FunnelFilter, visit: (entry: FunnelHistoryEntry) => void): Promise<void> {
    const rows = sqlArrays(
      this.db,
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
}
