/**
 * Business days in an advisor's own IANA time zone: Monday to Friday, less the firm's holidays (local
 * dates, `YYYY-MM-DD`, the same date in every zone). Pure functions over instants; the zone's rules,
 * daylight saving time included, come from Intl.
 */

const DAY = 86_400_000;

export type Holidays = ReadonlySet<string>;
const NO_HOLIDAYS: Holidays = new Set();

interface LocalTime {
  date: string;
  /** Milliseconds since local midnight. */
  time: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's wall clock at an instant, as if it were UTC (milliseconds). */
function wallClock(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const seconds = Math.floor(instant / 1000) * 1000;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant - seconds);
}

function localTime(instant: Date, zone: string): LocalTime {
  const wall = wallClock(instant.getTime(), zone);
  const midnight = Math.floor(wall / DAY) * DAY;
  return { date: new Date(midnight).toISOString().slice(0, 10), time: wall - midnight };
}

/** The local date (`YYYY-MM-DD`) of an instant in a zone. */
export function localDate(instant: Date, zone: string): string {
  return localTime(instant, zone).date;
}

/**
 * The instant a local date and time happen in a zone. A time the clocks skip (spring forward) is taken
 * as the same time after the change (02:30 → 03:30); a time that happens twice, at its first occurrence.
 */
export function zonedInstant(date: string, time: number, zone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + time;
  const offsetAt = (instant: number) => wallClock(instant, zone) - instant;
  const first = wall - offsetAt(wall - DAY / 2);
  const second = wall - offsetAt(wall + DAY / 2);
  const candidates = [first, second].filter((instant) => wallClock(instant, zone) === wall).sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]);
  // In a gap: the offset before the change, moved on by the change itself.
  return new Date(Math.max(first, second));
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

export function isBusinessDay(date: string, holidays: Holidays = NO_HOLIDAYS): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !holidays.has(date);
}

/**
 * The moment `days` business days after `from` in the zone: the same local time that many business days
 * later (Friday 17:00 Paris + 1 is Monday 17:00 Paris, whatever the clocks did in between). Something that
 * starts on a weekend or holiday starts counting at the next business day's local 00:00.
 */
export function addBusinessDays(from: Date, days: number, zone = 'UTC', holidays: Holidays = NO_HOLIDAYS): Date {
  let { date, time } = localTime(from, zone);
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

/** The local midnight that begins the day after `date` in the zone: when that date has passed there. */
export function endOfLocalDate(date: string, zone: string): Date {
  return zonedInstant(nextDate(date), 0, zone);
}
