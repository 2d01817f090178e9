/**
 * Business days in an advisor's own IANA time zone: Monday to Friday, less the firm's holidays (local
 * dates, `YYYY-MM-DD`, the same date in every zone). Pure functions over instants; the wall-clock arithmetic is
 * zoned-time's.
 */

import { localParts, nextDate, zonedInstant } from './zoned-time';

const DAY = 86_400_000;

export type Holidays = ReadonlySet<string>;
const NO_HOLIDAYS: Holidays = new Set();

/** Each date's weekday (0 Sunday), cached: parsing a date is most of the cost of counting business days. */
const weekdays = new Map<string, number>();
function weekdayOf(date: string): number {
  let weekday = weekdays.get(date);
  if (weekday === undefined) {
    if (weekdays.size >= 100_000) weekdays.clear();
    weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    weekdays.set(date, weekday);
  }
  return weekday;
}

export function isBusinessDay(date: string, holidays: Holidays = NO_HOLIDAYS): boolean {
  const weekday = weekdayOf(date);
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * The moment `days` business days after `from` in the zone: the same local time that many business days
 * later (Friday 17:00 Paris + 1 is Monday 17:00 Paris, whatever the clocks did in between). Something that
 * starts on a weekend or holiday starts counting at the next business day's local 00:00.
 */
export function addBusinessDays(from: Date, days: number, zone = 'UTC', holidays: Holidays = NO_HOLIDAYS): Date {
  let { date, time } = localParts(from, zone);
  if (!isBusinessDay(date, holidays)) {
    time = 0;
    do date = nextDate(date);
    while (!isBusinessDay(date, holidays));
  }
  for (let left = days; left > 0;) {
    date = nextDate(date);
    if (isBusinessDay(date, holidays)) left -= 1;
  }
  return zonedInstant(date, time, zone);
}

/**
 * The latest start for which `days` business days have passed at `now` (addBusinessDays(start) <= now).
 * addBusinessDays never goes back as its start moves later, so the starts that qualify are exactly those up
 * to one instant; a binary search to the millisecond finds it, which lets the store select with
 * `start <= that` instead of testing each row.
 */
export function latestStartMet(now: Date, days: number, zone = 'UTC', holidays: Holidays = NO_HOLIDAYS): Date {
  const met = (start: number) => addBusinessDays(new Date(start), days, zone, holidays).getTime() <= now.getTime();
  let span = (days + 3) * DAY;
  while (!met(now.getTime() - span)) span *= 2;
  let low = now.getTime() - span; // met
  let high = now.getTime() + 1; // not met: days >= 1 ends after the start
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (met(middle)) low = middle;
    else high = middle;
  }
  return new Date(low);
}
