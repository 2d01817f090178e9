import type { Assignment } from '../../shared/schemas/timeline';

/**
 * An assignment as one advisor sees it. Its message is private, like a note shared with the new owner:
 * only the assigner and the assignee read it; anyone else who may read the opportunity sees that it was
 * assigned, and that a message exists, but not the message.
 */
export function assignmentSeenBy(assignment: Assignment, advisorId: number): Assignment {
  if (assignment.message === null || assignment.by.id === advisorId || assignment.to.id === advisorId)
    return assignment;
  return { ...assignment, message: null, messageHidden: true };
}
