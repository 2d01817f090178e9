import type { Db } from '../../db/connection';
import type { WorkStore } from '../repository';
import { loadAssignments, toSummary } from './opportunities';
import { recomputeAttentionBatch } from './attention-recompute';
import type { ReportRunner } from './report-runner';

export { SORT_DUE_ROWS } from './attention-page';

export class SqliteWorkStore implements WorkStore {
  constructor(
    private readonly db: Db,
    private readonly reports: ReportRunner,
    /** My Work's heavy reads: a worker of their own, so they never wait behind a firm-wide report. */
    private readonly reads: ReportRunner = reports,
  ) {}

  async needingAttention(ownerIds: number[], now: string, limit: number, offset: number) {
    // Read off the event loop (attention-page.ts, in the read worker): a team's page is the heaviest of the advisors'
    // everyday reads, and a health check or a write waits behind every one the event loop runs.
    const { rows, total } = await this.reads.run('attentionPage', [ownerIds, now, limit, offset]);
    const candidates = rows.map(([untouched, noActivity, noNextStep, pastCloseDate, assignedAt, ...summary]) => ({
      opportunity: toSummary(summary),
      assignedAt,
      dues: { untouched, noActivity, noNextStep, pastCloseDate },
    }));
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
