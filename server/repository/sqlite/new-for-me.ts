import type { Db } from '../../db/connection';
import type { Assignment } from '../../../shared/schemas/timeline';
import type { Note } from '../../../shared/schemas/notes';
import { loadAssignments, OPPORTUNITY_JOINS, SUMMARY_COLUMNS, type SummaryRow } from './opportunities';
import { visibleNotesOnMany } from './notes';
import { list, sqlArrays } from './support';

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
     ORDER BY s.created_at DESC, s.id DESC LIMIT :limit OFFSET :offset`,
    { me: advisorId, since, limit, offset },
    // Named: with statistics from a firm's data the planner may prefer assignments_to and sort all of the
    // advisor's assignments (thousands) for each page; this index gives them newest first, up to the page.
    'assignments s INDEXED BY assignments_to_by_others',
  );
}

/**
 * New for me's page in one call: the assignments, their opportunities (summaries: the list shows no more) and the
 * newest notes the advisor may see on each. It runs in the read worker (report-jobs.ts), off the event loop; the
 * summaries cross to it as rows (arrays), which copy in a fraction of the time their nested objects take.
 */
export function newForMePage(...args: Parameters<typeof readNewForMePage>): {
  assignments: Assignment[];
  opportunities: SummaryRow[];
  notes: Note[];
} {
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
): { assignments: Assignment[]; opportunities: SummaryRow[]; notes: Note[] } {
  const assignments = assignmentsTo(db, advisorId, since, limit, offset);
  if (assignments.length === 0) return { assignments, opportunities: [], notes: [] };
  const ids = assignments.map((a) => a.opportunityId);
  return {
    assignments,
    opportunities: sqlArrays(
      db,
      `SELECT ${SUMMARY_COLUMNS} FROM opportunities o ${OPPORTUNITY_JOINS} WHERE o.id IN (SELECT value FROM json_each(?))`,
    ).all(list(ids)) as SummaryRow[],
    notes: visibleNotesOnMany(db, ids, advisorId, notesPerOpportunity),
  };
}
