import type { Db } from '../../db/connection';
import type { WorkStore } from '../repository';
import { toSummary } from '../rows/opportunity-rows';
import { ownerVersions } from './funnel';
import { recomputeAttentionBatch } from './attention-recompute';
import type { ReportRunner } from './report-runner';

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

  async newForMe(advisorId: number, since: string | null, limit: number, offset: number, notesPerOpportunity: number) {
    // In the read worker too: with needs attention, the heaviest of My Work's reads.
    const page = await this.reads.run('newForMePage', [advisorId, since, limit, offset, notesPerOpportunity]);
    return { ...page, opportunities: page.opportunities.map(toSummary) };
  }

  // The stage report's SQL (stage-report.ts) runs in the report worker. The firm's answer may be cached; an advisor's
  // or team's is shared or reused only while its owners' versions (migrations 27, 29) are those it was read at, so a
  // change of theirs saved before the request is always read, as for the funnel.
  async stageReport(ownerIds: number[] | null, now: string) {
    return this.reports.run('stageReport', [ownerIds, now], {
      key: ownerIds === null ? [ownerIds] : [ownerIds, ownerVersions(this.db, ownerIds)],
      cache: now,
      owners: ownerIds !== null,
    });
  }

  async recomputeAttentionBatch(rows: number) {
    return recomputeAttentionBatch(this.db, rows);
  }
}
