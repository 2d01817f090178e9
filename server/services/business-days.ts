const isWeekend = (date: Date) => date.getUTCDay() === 0 || date.getUTCDay() === 6;

/**
 * The moment `days` business days (Monday to Friday, in UTC; public holidays are not known)
 * after `from`. Something that starts on a weekend starts counting on Monday at 00:00.
 */
export function addBusinessDays(from: Date, days: number): Date {
  const result = new Date(from);
  while (isWeekend(result)) {
    result.setUTCDate(result.getUTCDate() + 1);
    result.setUTCHours(0, 0, 0, 0);
  }
  for (let left = days; left > 0;) {
    result.setUTCDate(result.getUTCDate() + 1);
    if (!isWeekend(result)) left -= 1;
  }
  return result;
}

/**
 * The latest assignment time that is "untouched" at `now`: assigned more than one business day ago.
 * addBusinessDays never goes back in time as its start moves later, so the moments whose next business
 * day has passed are exactly those up to one instant; a binary search to the millisecond finds it, which
 * lets the store select untouched opportunities with `assigned_at <= that` instead of testing each one.
 */
export function latestUntouchedAssignment(now: Date): Date {
  let low = now.getTime() - 5 * 86_400_000; // always untouched: a week's worth of business day ago
  let high = now.getTime(); // never: one business day after now is later than now
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (addBusinessDays(new Date(middle), 1) < now) low = middle;
    else high = middle;
  }
  return new Date(low);
}
