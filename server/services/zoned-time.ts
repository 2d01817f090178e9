/**
 * Wall-clock arithmetic in an IANA time zone, with Intl only (no time zone library is a dependency): the local
 * date and time of an instant, and the instant a local date and time happen, daylight saving time included.
 * Dates are `YYYY-MM-DD`, months `YYYY-MM`.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface LocalParts {
  /** The local date, `YYYY-MM-DD`. */
  date: string;
  /** The local hour, 0-23. */
  hour: number;
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

/** The zone's wall clock at an instant, as if it were UTC (milliseconds), from Intl. */
function wallClockOf(instant: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const seconds = Math.floor(instant / 1000) * 1000;
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant - seconds);
}

/** Each zone's offset at the start of each UTC hour asked about (Intl is slow; the due times call this a lot). */
const hourOffsets = new Map<string, Map<number, number>>();
function offsetAtHour(hour: number, zone: string): number {
  let offsets = hourOffsets.get(zone);
  if (!offsets) hourOffsets.set(zone, (offsets = new Map<number, number>()));
  let offset = offsets.get(hour);
  if (offset === undefined) {
    if (offsets.size >= 200_000) offsets.clear();
    offset = wallClockOf(hour * HOUR, zone) - hour * HOUR;
    offsets.set(hour, offset);
  }
  return offset;
}

/**
 * The zone's wall clock at an instant, as if it were UTC (milliseconds). No zone changes its offset twice within
 * a UTC day (changes are months apart), so the same offset at the day's two ends is the offset all through it:
 * two cached look-ups for any instant of a day (instants asked about are spread over hours: an hour's cache alone
 * called Intl for nearly each). Otherwise the hour's ends decide the same way, and Intl within the changing hour.
 */
function wallClock(instant: number, zone: string): number {
  const hour = Math.floor(instant / HOUR);
  const dayStart = Math.floor(instant / DAY) * 24;
  const offset = offsetAtHour(dayStart, zone);
  if (offset === offsetAtHour(dayStart + 24, zone)) return instant + offset;
  const hourOffset = offsetAtHour(hour, zone);
  return hourOffset === offsetAtHour(hour + 1, zone) ? instant + hourOffset : wallClockOf(instant, zone);
}

/** The local date, hour and time of day of an instant in a zone. */
export function localParts(instant: Date, zone: string): LocalParts {
  const wall = wallClock(instant.getTime(), zone);
  const midnight = Math.floor(wall / DAY) * DAY;
  const time = wall - midnight;
  return { date: new Date(midnight).toISOString().slice(0, 10), hour: Math.floor(time / HOUR), time };
}

/** The local date of an instant in a zone. */
export function localDate(instant: Date, zone: string): string {
  return localParts(instant, zone).date;
}

/** Dates asked about, and the day after each: a recompute counts days for every open opportunity. */
const nextDates = new Map<string, string>();

/** The calendar date after `date` (the same in every zone). */
export function nextDate(date: string): string {
  let next = nextDates.get(date);
  if (next === undefined) {
    if (nextDates.size >= 100_000) nextDates.clear();
    next = new Date(Date.parse(`${date}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    nextDates.set(date, next);
  }
  return next;
}

/**
 * The instant a local date and time happen in a zone. A time the clocks skip (spring forward) is taken as the
 * moment they jump (02:30 → 03:00, the first instant after the gap); a time that happens twice, at its first
 * occurrence.
 */
export function zonedInstant(date: string, time: number, zone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + time;
  const offsetAt = (instant: number) => wallClock(instant, zone) - instant;
  // A day either side: offsets reach ±14 hours, so half a day could land past the change (Chatham, Auckland).
  const first = wall - offsetAt(wall - DAY);
  const second = wall - offsetAt(wall + DAY);
  const candidates = [first, second].filter((instant) => wallClock(instant, zone) === wall).sort((a, b) => a - b);
  if (candidates.length) return new Date(candidates[0]);
  // In a gap: the moment the clocks jump, the first instant after every skipped time. Moving the time on by the
  // change instead (00:30 → 01:30) would put a later local start before an earlier one's result (00:57 → 22:57Z
  // but 01:04 → 22:04Z in Cairo), and "N business days after" must never go back as its start moves on.
  let before = Math.min(first, second); // shows a time before the gap
  let after = Math.max(first, second); // shows a time after it
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallClock(middle, zone) - middle === offsetAt(after)) after = middle;
    else before = middle;
  }
  return new Date(after);
}

/** The local midnight that begins the day after `date` in the zone: when that date has passed there. */
export function endOfLocalDate(date: string, zone: string): Date {
  return zonedInstant(nextDate(date), 0, zone);
}

/** The month an instant falls in, in a zone. */
export function monthOf(instant: Date, zone: string): string {
  return localDate(instant, zone).slice(0, 7);
}

/**
 * A month's first instant and the next month's first instant (exclusive), in a zone: their local midnights, or
 * where the clocks skip midnight, the first instant after it.
 */
export function monthRange(month: string, zone: string): { from: Date; to: Date } {
  const [year, number] = month.split('-').map(Number);
  const next =
    number === 12
      ? `${String(year + 1).padStart(4, '0')}-01`
      : `${month.slice(0, 4)}-${String(number + 1).padStart(2, '0')}`;
  return { from: zonedInstant(`${month}-01`, 0, zone), to: zonedInstant(`${next}-01`, 0, zone) };
}
