import type { Db } from '../../db/connection';
import type { AttentionRules, StageRow, WorkStore } from '../repository';
import {
  loadAssignments,
  OPPORTUNITY_COLUMNS,
  OPPORTUNITY_JOINS,
  toOpportunity,
  type OpportunityRow,
} from './opportunities';
import { list, sql, sqlArrays } from './support';
import { openStageDays, stageRows } from './stage-report';

/**
 * The thresholds of the owner's zone come from the service's function (`attention_thresholds`, below), called
 * with the zone each row has in this statement's snapshot: an owner who changes zone meanwhile is judged by the
 * thresholds of the zone the statement read, never by none.
 */
const ATTENTION_FACTS = `SELECT f.*,
    json_extract(f.thresholds, '$.today') AS today,
    json_extract(f.thresholds, '$.untouchedIfAssignedBy') AS untouched_by,
    json_extract(f.thresholds, '$.noActivityIfCreatedBy') AS no_activity_by
  FROM (SELECT o.id, ad.time_zone, attention_thresholds(ad.time_zone) AS thresholds,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.created_at >= o.assigned_at)
      OR EXISTS (SELECT 1 FROM notes n WHERE n.opportunity_id = o.id AND n.author_id = o.owner_id AND n.created_at >= o.assigned_at)
      AS touched,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
              AND a.kind IN ('appointment', 'task', 'phone_call')
              AND (a.start_at > :now OR (a.kind = 'task' AND a.start_at IS NULL)))
      AS has_next_step,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id) AS has_activity
  FROM opportunities o
  JOIN advisors ad ON ad.id = o.owner_id
  WHERE o.status = 'open' AND o.owner_id IN (SELECT value FROM json_each(:owners))) f`;

/**
 * The thresholds function of the call running on each connection. better-sqlite3 runs a statement to the end
 * synchronously, so the function set for a call is the one its statements see.
 */
const thresholdsOfCall = new WeakMap<Db, (zone: string) => string>();

/** At least one rule is met (the same rules the service names as reasons); a null threshold is a rule off. */
const NEEDS_ATTENTION = `((:noNextStep AND NOT f.has_next_step)
  OR o.estimated_close_date < f.today
  OR (NOT f.touched AND o.assigned_at <= f.untouched_by)
  OR (NOT f.has_activity AND o.created_at <= f.no_activity_by))`;

export class SqliteWorkStore implements WorkStore {
  constructor(private readonly db: Db) {
    db.function('attention_thresholds', (zone) => {
      const thresholdsOf = thresholdsOfCall.get(db);
      if (!thresholdsOf) throw new Error('attention_thresholds is only for needingAttention');
      return thresholdsOf(zone as string);
    });
  }

  async needingAttention(ownerIds: number[], rules: AttentionRules, limit: number, offset: number) {
    const params = { now: rules.now, noNextStep: rules.noNextStep ? 1 : 0, owners: list(ownerIds), limit, offset };
    const known = new Map<string, string>();
    thresholdsOfCall.set(this.db, (zone) => {
      let json = known.get(zone);
      if (json === undefined) known.set(zone, (json = JSON.stringify(rules.thresholdsOf(zone))));
      return json;
    });
    try {
      return this.attentionPage(params);
    } finally {
      thresholdsOfCall.delete(this.db);
    }
  }

  private attentionPage(params: Record<string, unknown>) {
    const rows = sqlArrays(
      this.db,
      `SELECT touched, has_next_step, has_activity, f.time_zone, ${OPPORTUNITY_COLUMNS} FROM (${ATTENTION_FACTS}) f
         JOIN opportunities o ON o.id = f.id ${OPPORTUNITY_JOINS}
       WHERE ${NEEDS_ATTENTION}
       ORDER BY o.updated_at DESC, o.id DESC LIMIT :limit OFFSET :offset`,
    ).all(params) as [
      touched: number,
      hasNextStep: number,
      hasActivity: number,
      timeZone: string,
      ...opportunity: OpportunityRow,
    ][];
    const total = sql(
      this.db,
      `SELECT count(*) FROM (${ATTENTION_FACTS}) f JOIN opportunities o ON o.id = f.id WHERE ${NEEDS_ATTENTION}`,
    )
      .pluck()
      .get(params) as number;
    const candidates = rows.map(([touched, hasNextStep, hasActivity, timeZone, ...opportunity]) => {
      const record = toOpportunity(opportunity);
      return {
        opportunity: record,
        assignedAt: record.assignedAt,
        touchedSinceAssignment: touched === 1,
        hasNextStep: hasNextStep === 1,
        hasActivity: hasActivity === 1,
        ownerTimeZone: timeZone,
      };
    });
    return { candidates, total };
  }

  async assignmentsTo(advisorId: number, since: string | null, limit: number, offset: number) {
    return loadAssignments(
      this.db,
      `s.to_advisor_id = :me AND s.by_advisor_id <> :me AND (:since IS NULL OR s.created_at > :since)
       AND s.id = (SELECT max(id) FROM assignments latest WHERE latest.opportunity_id = s.opportunity_id)
       AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.opportunity_id AND o.status = 'open' AND o.owner_id = :me)
       ORDER BY s.created_at DESC, s.id DESC LIMIT :limit OFFSET :offset`,
      { me: advisorId, since, limit, offset },
    );
  }

  async stageRows(ownerIds: number[] | null): Promise<StageRow[]> {
    return stageRows(this.db, ownerIds);
  }

  async openStageDays(ownerIds: number[] | null) {
    return openStageDays(this.db, ownerIds);
  }
}
