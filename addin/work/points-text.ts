import type { AdvisorPoints } from '../../shared/schemas/activity-points';

/** "45 / 60", or "45 points, no quota set": what a bar's text and its screen reader value say. */
export function pointsText(row: Pick<AdvisorPoints, 'points' | 'quota'>): string {
  return row.quota === null ? `${row.points} points, no quota set` : `${row.points} / ${row.quota}`;
}

/** The progress bar's spoken value. */
export function pointsValueText(row: Pick<AdvisorPoints, 'points' | 'quota'>): string {
  return `${row.points} of ${row.quota} points`;
}

/** The bar's value and maximum: full at or past the quota (a quota of 0 is met at once). */
export function barOf(row: Pick<AdvisorPoints, 'points' | 'quota'>): { value: number; max: number } {
  const max = Math.max(row.quota ?? 0, 1);
  return { value: row.quota === 0 ? max : Math.min(row.points, max), max };
}
