import type { Db } from './connection';
import { addBusinessDays } from '../services/business-days';
import { endOfLocalDate } from '../services/zoned-time';

/**
 * Due times are compared as ISO text, which orders only four-digit years: a later instant (a close date of
 * 9999-12-31, a common "no date yet") would print as "+010000-…" and sort before every real time. Such a due
 * time is stored as the last instant of 9999, which no `now` reaches.
 */
const LAST_INSTANT = '9999-12-31T23:59:59.999Z';
const LAST_TIME = Date.parse(LAST_INSTANT);
const isoText = (instant: Date) => (instant.getTime() > LAST_TIME ? LAST_INSTANT : instant.toISOString());

/**
 * The application functions the schema's triggers call (migration 019 keeps each open opportunity's
 * needs-attention due times with them), registered on every connection openDatabase makes: the server, the CLI,
 * migrations, tests and a second process all write through the same triggers. Everything they depend on comes in
 * as arguments (the rules and holidays from the database, in the same statement), so no cache can go stale.
 */
export function registerFunctions(db: Db): void {
  let lastHolidays: { json: string; set: ReadonlySet<string> } = { json: '[]', set: new Set() };
  const holidaysOf = (json: string) => {
    if (json !== lastHolidays.json) lastHolidays = { json, set: new Set(JSON.parse(json) as string[]) };
    return lastHolidays.set;
  };
  /** business_days_after(start, days, zone, holidays JSON array): the instant, ISO. */
  db.function('business_days_after', { deterministic: true }, (start, days, zone, holidays) => {
    if (start === null || days === null) return null;
    const from = new Date(start as string);
    return isoText(addBusinessDays(from, Number(days), zone as string, holidaysOf(holidays as string)));
  });
  /** local_day_end(date, zone): the first instant after that local date in the zone, ISO. */
  db.function('local_day_end', { deterministic: true }, (date, zone) =>
    date === null ? null : isoText(endOfLocalDate(date as string, zone as string)),
  );
}
