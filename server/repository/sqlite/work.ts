import type { Db } from '../../db/connection';
import type { WorkStore } from '../repository';
import {
  loadAssignments,
  OPPORTUNITY_COLUMNS,
  OPPORTUNITY_JOINS,
  toOpportunity,
  type OpportunityRow,
} from './opportunities';
import { list, sql, sqlArrays } from './support';
import { recomputeAttentionBatch } from './attention-recompute';
import type { ReportRunner } from './report-runner';

/**
 * Needs attention reads the due times the schema keeps (migration 019): the owners' entries of the index
 * (owner_id, attention_due) up to now, never the facts of every open opportunity. CROSS JOIN keeps the owners
 * the outer loop (the planner cannot count json_each's rows and may otherwise walk every due time of the firm).
 */
const OWNERS_DUE_TIMES = `json_each(:owners) w CROSS JOIN opportunity_attention t`;
const DUE_BY_NOW = `t.owner_id = w.value AND t.attention_due <= :now`;

export class SqliteWorkStore implements WorkStore {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportRunner,
  ) {}

  async needingAttention(ownerIds: number[], now: string, limit: number, offset: number) {
    const params = { now, owners: list([...new Set(ownerIds)]), limit, offset };
    // The page is chosen from the due times and each row's updated_at alone; only its rows are joined for display.
    // CROSS JOIN keeps the page the outer loop: otherwise the planner may start from the advisors (a small table)
    // and walk every opportunity of every owner through the owner index (100 ms and more at 100k).
    const rows = sqlArrays(
      this.db,
      `SELECT p.untouched_due, p.no_activity_due, p.no_next_step_due, p.past_close_due, ${OPPORTUNITY_COLUMNS}
         FROM (SELECT t.*, o.updated_at FROM ${OWNERS_DUE_TIMES} JOIN opportunities o ON o.id = t.opportunity_id
           WHERE ${DUE_BY_NOW} ORDER BY o.updated_at DESC, o.id DESC LIMIT :limit OFFSET :offset) p
         CROSS JOIN opportunities o ON o.id = p.opportunity_id ${OPPORTUNITY_JOINS}
       ORDER BY p.updated_at DESC, p.opportunity_id DESC`,
    ).all(params) as [
      untouched: string | null,
      noActivity: string | null,
      noNextStep: string | null,
      pastCloseDate: string | null,
      ...opportunity: OpportunityRow,
    ][];
    const total = sql(this.db, `SELECT count(*) FROM ${OWNERS_DUE_TIMES} WHERE ${DUE_BY_NOW}`)
      .pluck()
      .get(params) as number;
    const candidates = rows.map(([untouched, noActivity, noNextStep, pastCloseDate, ...opportunity]) => {
      const record = toOpportunity(opportunity);
      return {
        opportunity: record,
        assignedAt: record.assignedAt,
        dues: { untouched, noActivity, noNextStep, pastCloseDate },
      };
    });
    return { candidates, total };
  }

  /** From the advisor's assignments by others (the partial index assignments_to_by_others), newest first. */
  async assignmentsTo(advisorId: number, since: string | null, limit: number, offset: number) {
    return loadAssignments(
      this.db,
      `s.to_advisor_id = :me AND s.by_advisor_id <> s.to_advisor_id AND (:since IS NULL OR s.created_at > :since)
       AND s.id = (SELECT max(id) FROM assignments latest WHERE latest.opportunity_id = s.opportunity_id)
       AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.opportunity_id AND o.status = 'open' AND o.owner_id = :me)
       ORDER BY s.created_at DESC, s.id DESC LIMIT :limit OFFSET :offset`,
      { me: advisorId, since, limit, offset },
      // Named: with statistics from a firm's data the planner may prefer assignments_to and sort all of the
      // advisor's assignments (thousands) for each page; this index gives them newest first, up to the page.
      'assignments s INDEXED BY assignments_to_by_others',
    );
  }

  // The stage report's SQL (stage-report.ts) runs in the report worker; the firm's answer may be cached.
  async stageReport(ownerIds: number[] | null, now: string) {
    return this.reports.run('stageReport', [ownerIds, now], { key: [ownerIds], cache: ownerIds === null ? now : null });
  }

  async recomputeAttentionBatch(rows: number) {
    return recomputeAttentionBatch(this.db, rows);
  }
}
