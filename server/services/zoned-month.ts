/** Calendar months in an IANA time zone, with Intl only (no time zone library is a dependency). */

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(
  instant: number,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  const parts = Object.fromEntries(
    formatIn(timeZone)
      .formatToParts(new Date(instant))
      .filter((part) => part.type !== 'literal')
      .map((part) => [part.type, Number(part.value)]),
  );
  return parts as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/** The instant a local midnight falls on; where a midnight does not exist (a DST gap), the first instant after it. */
function localMidnight(year: number, month: number, timeZone: string): Date {
  const asUtc = Date.UTC(year, month - 1, 1);
  let instant = asUtc - offsetAt(asUtc, timeZone);
  // Once more with the offset in force at the first guess: right across a change of offset near midnight.
  instant = asUtc - offsetAt(instant, timeZone);
  return new Date(instant);
}

/** The month (YYYY-MM) an instant falls in, in a zone. */
export function monthOf(instant: Date, timeZone: string): string {
  const w = wallClock(instant.getTime(), timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}`;
}

/** A month's first instant and the next month's first instant (exclusive), in a zone. */
export function monthRange(month: string, timeZone: string): { from: Date; to: Date } {
  const [year, number] = month.split('-').map(Number);
  const next = number === 12 ? { year: year + 1, month: 1 } : { year, month: number + 1 };
  return { from: localMidnight(year, number, timeZone), to: localMidnight(next.year, next.month, timeZone) };
}
