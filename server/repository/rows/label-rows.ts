import type { ActivityLabel, ActivityLabelKind } from '../../../shared/schemas/activity-labels';
import type { ActivityPointsEntry } from '../../../shared/schemas/activity-points';
import { caselessName } from '../../../shared/text';

/**
 * Call and task labels as both storage backends read them, and the rules on their names and keys that both check in
 * JavaScript. Each backend keeps its own SQL.
 */

/** A call or task label's columns. */
export interface LabelRow {
  id: number;
  kind: ActivityLabelKind;
  key: string;
  name: string;
  retired_at: string | null;
}

export const toLabel = (row: LabelRow): ActivityLabel => ({
  id: row.id,
  kind: row.kind,
  key: row.key,
  name: row.name,
  retired: row.retired_at !== null,
});

/** A label's columns with its points (the activity points list). */
export interface PointsEntryRow extends LabelRow {
  points: number;
}

export const toPointsEntry = (row: PointsEntryRow): ActivityPointsEntry => ({
  id: row.id,
  kind: row.kind,
  key: row.key,
  name: row.name,
  retired: row.retired_at !== null,
  points: row.points,
});

/**
 * Whether `name` is already one of the list's names (`rows`: the list's ids and names), however it is cased or
 * composed ("Réunion" and "RÉUNION" are the same name), the label `exceptId` (being renamed) aside.
 */
export function nameTakenAmong(rows: { id: number; name: string }[], name: string, exceptId: number | null): boolean {
  const wanted = caselessName(name);
  return rows.some((row) => row.id !== exceptId && caselessName(row.name) === wanted);
}

/** A key stays unique in its list even when two names make the same one: `key`, else `key-2`, `key-3`… not taken. */
export function uniqueKey(key: string, taken: Set<string>): string {
  let unique = key;
  for (let n = 2; taken.has(unique); n += 1) unique = `${key}-${n}`;
  return unique;
}
