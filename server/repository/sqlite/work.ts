import type { Db } from '../../db/connection';
import type { AttentionCandidate, StageRow, WorkStore } from '../repository';
import {
  loadAssignments,
  OPPORTUNITY_COLUMNS,
  OPPORTUNITY_JOINS,
  toOpportunity,
  type OpportunityRow,
} from './opportunities';
import { list, sql, sqlArrays } from './support';

export class SqliteWorkStore implements WorkStore {
  constructor(private readonly db: Db) {}

  async attentionCandidates(ownerIds: number[], now: string): Promise<AttentionCandidate[]> {
    const rows = sqlArrays(
      this.db,
      `SELECT EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.created_at >= o.assigned_at)
              OR EXISTS (SELECT 1 FROM notes n WHERE n.opportunity_id = o.id AND n.author_id = o.owner_id AND n.created_at >= o.assigned_at)
                AS touched,
              EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
                        AND a.kind IN ('appointment', 'task', 'phone_call')
                        AND (a.start_at > :now OR (a.kind <> 'appointment' AND a.start_at IS NULL)))
                AS has_next_step,
              ${OPPORTUNITY_COLUMNS}
       FROM opportunities o ${OPPORTUNITY_JOINS}
       WHERE o.status = 'open' AND o.owner_id IN (SELECT value FROM json_each(:owners))
       ORDER BY o.updated_at DESC, o.id DESC`,
    ).all({ now, owners: list(ownerIds) }) as [touched: number, hasNextStep: number, ...opportunity: OpportunityRow][];
    return rows.map(([touched, hasNextStep, ...opportunity]) => {
      const record = toOpportunity(opportunity);
      return {
        opportunity: record,
        assignedAt: record.assignedAt,
        touchedSinceAssignment: touched === 1,
        hasNextStep: hasNextStep === 1,
      };
    });
  }

  async assignmentsTo(advisorId: number, since: string | null) {
    return loadAssignments(
      this.db,
      `s.to_advisor_id = :me AND s.by_advisor_id <> :me AND (:since IS NULL OR s.created_at > :since)
       AND s.id = (SELECT max(id) FROM assignments latest WHERE latest.opportunity_id = s.opportunity_id)
       AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.opportunity_id AND o.status = 'open' AND o.owner_id = :me)
       ORDER BY s.created_at DESC, s.id DESC LIMIT 100`,
      { me: advisorId, since },
    );
  }

  async stageRows(ownerIds: number[] | null): Promise<StageRow[]> {
    return sql(
      this.db,
      `SELECT stage, status, count(*) AS count, coalesce(sum(estimated_value), 0) AS estimatedValue,
           coalesce(sum(actual_value), 0) AS actualValue
         FROM opportunities WHERE (:all OR owner_id IN (SELECT value FROM json_each(:owners)))
         GROUP BY stage, status`,
    ).all({ all: ownerIds === null ? 1 : 0, owners: list(ownerIds ?? []) }) as StageRow[];
  }

  async openStageEntries(ownerIds: number[] | null) {
    return sql(
      this.db,
      `SELECT stage, stage_entered_at AS stageEnteredAt FROM opportunities
         WHERE status = 'open' AND (:all OR owner_id IN (SELECT value FROM json_each(:owners)))`,
    ).all({ all: ownerIds === null ? 1 : 0, owners: list(ownerIds ?? []) }) as {
      stage: StageRow['stage'];
      stageEnteredAt: string;
    }[];
  }
}
