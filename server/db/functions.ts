import type { Db } from './connection';
import { addBusinessDays } from '../services/business-days';
import { endOfLocalDate } from '../services/zoned-time';

/**
 * The application functions the schema's triggers call (migration 019 keeps each open opportunity's
 * needs-attention due times with them), registered on every connection openDatabase makes: the server, the CLI,
 * migrations, tests and a second process all write through the same triggers. Everything they depend on comes in
 * as arguments (the rules and holidays from the database, in the same statement), so no cache can go stale.
 */
/**
 * Due times are compared as ISO text, which orders only four-digit years: a later instant (a close date of
 * 9999-12-31, a common "no date yet") would print as "+010000-…" and sort before every real time. Such a due
 * time is stored as the last instant of 9999, which no `now` reaches.
 */
const LAST_INSTANT = '9999-12-31T23:59:59.999Z';
const LAST_TIME = Date.parse(LAST_INSTANT);
const isoText = (instant: Date) => (instant.getTime() > LAST_TIME ? LAST_INSTANT : instant.toISOString());

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
  /**
   * migration_progress(label, total): 1, and every 100,000th row of a long backfill a line on stderr, so a
   * migration over a big table never runs silently inside start-up.
   */
  const counted = new Map<string, { rows: number; started: number }>();
  db.function('migration_progress', (label, total) => {
    const key = label as string;
    const progress = counted.get(key) ?? { rows: 0, started: Date.now() };
    counted.set(key, progress);
    progress.rows += 1;
    if (Number(total) >= 200_000 && progress.rows % 100_000 === 0) {
      const seconds = ((Date.now() - progress.started) / 1000).toFixed(1);
      process.stderr.write(`migration ${key}: ${progress.rows} of about ${Number(total)} rows, ${seconds} s\n`);
    }
    return 1;
  });
  /** local_day_end(date, zone): the first instant after that local date in the zone, ISO. */
  db.function('local_day_end', { deterministic: true }, (date, zone) =>
    date === null ? null : isoText(endOfLocalDate(date as string, zone as string)),
  );
}
