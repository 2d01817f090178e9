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
 * Needs attention reads the due times the schema keeps (migrations 019, 024): the owners' entries up to now, never
 * the facts of every open opportunity. CROSS JOIN keeps the owners the outer loop (the planner cannot count
 * json_each's rows and may otherwise walk every due time of the firm).
 */
const OWNERS_DUE_TIMES = `json_each(:owners) w CROSS JOIN opportunity_attention t`;
const DUE_BY_NOW = `t.owner_id = w.value AND t.attention_due <= :now`;

/**
 * Up to this many due rows, the page is sorted from the owners' due rows (opportunity_attention_due); beyond, it is
 * read in order from opportunity_attention_page, which stops as soon as the page is complete but walks the rows not
 * yet due on the way: with many due rows few are passed over, with few, sorting them costs less than the walk.
 */
export const SORT_DUE_ROWS = 500;

/** The page's rows, newest change first; `INDEXED BY` names the plan chosen by the count (see SORT_DUE_ROWS). */
const pageOfDueTimes = (index: 'opportunity_attention_due' | 'opportunity_attention_page') =>
  `SELECT t.opportunity_id, t.untouched_due, t.no_activity_due, t.no_next_step_due, t.past_close_due, t.updated_at
     FROM json_each(:owners) w CROSS JOIN opportunity_attention t INDEXED BY ${index}
     WHERE ${DUE_BY_NOW} ORDER BY t.updated_at DESC, t.opportunity_id DESC LIMIT :limit OFFSET :offset`;

export class SqliteWorkStore implements WorkStore {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportRunner,
  ) {}

  async needingAttention(ownerIds: number[], now: string, limit: number, offset: number) {
    const params = { now, owners: list([...new Set(ownerIds)]), limit, offset };
    const total = sql(this.db, `SELECT count(*) FROM ${OWNERS_DUE_TIMES} WHERE ${DUE_BY_NOW}`)
      .pluck()
      .get(params) as number;
    if (offset >= total) return { candidates: [], total };
    // The page is chosen from the due-time rows alone (they keep updated_at); only its rows are joined for display,
    // by primary key (CROSS JOIN keeps the page the outer loop).
    const index = total <= SORT_DUE_ROWS ? 'opportunity_attention_due' : 'opportunity_attention_page';
    const rows = sqlArrays(
      this.db,
      `SELECT p.untouched_due, p.no_activity_due, p.no_next_step_due, p.past_close_due, ${OPPORTUNITY_COLUMNS}
         FROM (${pageOfDueTimes(index)}) p CROSS JOIN opportunities o ON o.id = p.opportunity_id ${OPPORTUNITY_JOINS}
       ORDER BY p.updated_at DESC, p.opportunity_id DESC`,
    ).all(params) as [
      untouched: string | null,
      noActivity: string | null,
      noNextStep: string | null,
      pastCloseDate: string | null,
      ...opportunity: OpportunityRow,
    ][];
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
