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
