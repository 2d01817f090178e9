import type { Db } from '../../db/connection';
import type { Assignment } from '../../../shared/schemas/timeline';
import type { Note } from '../../../shared/schemas/notes';
import type { SummaryRow } from '../rows/opportunity-rows';
import { checkedLimit } from '../rows/page-size';
import { loadAssignments, OPPORTUNITY_JOINS, SUMMARY_COLUMNS } from './opportunities';
import { visibleNotesOnMany } from './notes';
import type { JsonText } from './report-jobs';
import { list, sql } from './support';

/** From the advisor's assignments by others (the partial index assignments_to_by_others), newest first. */
export function assignmentsTo(
  db: Db,
  advisorId: number,
  since: string | null,
  limit: number,
  offset: number,
): Assignment[] {
  return loadAssignments(
    db,
    `s.to_advisor_id = :me AND s.by_advisor_id <> s.to_advisor_id AND (:since IS NULL OR s.created_at > :since)
     AND s.id = (SELECT max(id) FROM assignments latest WHERE latest.opportunity_id = s.opportunity_id)
     AND EXISTS (SELECT 1 FROM opportunities o WHERE o.id = s.opportunity_id AND o.status = 'open' AND o.owner_id = :me)
     ORDER BY s.created_at DESC, s.id DESC LIMIT ${checkedLimit(limit)} OFFSET :offset`,
    { me: advisorId, since, offset },
    // Named: with statistics from a firm's data the planner may prefer assignments_to and sort all of the
    // advisor's assignments (thousands) for each page; this index gives them newest first, up to the page.
    'assignments s INDEXED BY assignments_to_by_others',
  );
}

/** New for me's page: the assignments, their opportunities' summary rows, the notes. */
export interface NewForMeRows {
  assignments: Assignment[];
  opportunities: SummaryRow[];
  notes: Note[];
}

/**
 * New for me's page in one call: the assignments, their opportunities (summaries: the list shows no more) and the
 * newest notes the advisor may see on each. It runs in the read worker (report-jobs.ts), off the event loop, and
 * answers JSON text; the summaries are rows (arrays) SQLite writes as JSON itself.
 */
export function newForMePage(...args: Parameters<typeof readNewForMePage>): JsonText<NewForMeRows> {
  // One read transaction: the assignments, their opportunities and notes are of one moment while the server writes.
  return args[0].transaction(readNewForMePage)(...args);
}

function readNewForMePage(
  db: Db,
  advisorId: number,
  since: string | null,
  limit: number,
  offset: number,
  notesPerOpportunity: number,
): JsonText<NewForMeRows> {
  const assignments = assignmentsTo(db, advisorId, since, limit, offset);
  const ids = assignments.map((a) => a.opportunityId);
  const opportunities = ids.length
    ? (sql(
        db,
        `SELECT json_array(${SUMMARY_COLUMNS}) FROM opportunities o ${OPPORTUNITY_JOINS}
           WHERE o.id IN (SELECT value FROM json_each(?))`,
      )
        .pluck()
        .all(list(ids)) as string[])
    : [];
  const notes = ids.length ? visibleNotesOnMany(db, ids, advisorId, notesPerOpportunity) : [];
  return `{"assignments":${JSON.stringify(assignments)},"opportunities":[${opportunities.join(',')}],"notes":${JSON.stringify(notes)}}` as JsonText<NewForMeRows>;
}
