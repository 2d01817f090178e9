import { ConflictError } from '../../errors';
import type { ActivityChanges } from '../repository';

/**
 * Activities as both storage backends keep them: the stamps their rules are checked on, and which columns an edit
 * sets. Each backend keeps its own SQL.
 */

/** ActivityRecord.stamp: the activity's version and that of the opportunity it is regarding (null: none). */
export const activityStamp = (version: number, regardingVersion: number | null) =>
  `${version}.${regardingVersion ?? '-'}`;

/** ActivityMatches.stamp: each identity's record (null: none) with its stamp, in the identities' order. */
export const matchStamp = (ids: (number | null)[], stamp: (id: number) => string | null) =>
  ids.map((id) => (id === null ? '-' : `${id}@${stamp(id)}`)).join(' ');

/**
 * A link whose rule saw the item's records otherwise than they are now. A conflict when it escapes
 * (creating an opportunity with a linked item: nothing was saved, the caller tries again).
 */
export class ActivityChangedError extends ConflictError {
  constructor() {
    super('This item was changed by someone else at the same time; nothing was saved: try again.');
  }
}

/** The columns an edit sets, with their values, in this order (those it leaves as they are left out). */
export function editedColumns(changes: ActivityChanges): [string, unknown][] {
  const columns: [string, unknown][] = [
    ['status', changes.status],
    ['subject', changes.subject],
    ['start_at', changes.startAt],
    ['end_at', changes.endAt],
    ['description', changes.description],
    ['direction', changes.direction],
    ['duration_minutes', changes.durationMinutes],
    ['contact_id', changes.contactId],
    ['category_id', changes.categoryId],
    ['outcome_id', changes.outcomeId],
    // A task reopened is no longer replaced by anything.
    ['replaced_by_id', changes.status === 'open' ? null : changes.replacedById],
  ];
  return columns.filter(([, value]) => value !== undefined);
}
