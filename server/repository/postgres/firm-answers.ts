/** At most this many answers are kept (as SQLite's runner keeps 50 of the firm's). */
export const FIRM_ANSWERS_KEPT = 50;

/**
 * Firm-wide reports (the stage report and funnels of every owner) in this instance, reused for REPORT_CACHE_SECONDS
 * as SQLite's report runner reuses them: each answer keeps the asOf it was read at, and a call made as of a time
 * outside [asOf, asOf + cacheMs) reads again (the app's clock decides, so a clock set back reads again too). Identical
 * calls in flight share one reading. Owner-scoped reports are never kept here: on PostgreSQL no cheap sign tells that
 * nothing in their scope changed (SQLite's owner versions), and an advisor must see their own change at once.
 */
export class FirmAnswers {
  private readonly kept = new Map<string, { at: number; answer: Promise<unknown>; read: boolean }>();

  constructor(private readonly cacheMs: number) {}

  /** The answer for `key` as of `now` (ISO): one being read, one kept, or a new reading by `read`. */
  get<T>(key: string, now: string, read: () => Promise<T>): Promise<T> {
    const at = Date.parse(now);
    const kept = this.kept.get(key);
    if (kept && at >= kept.at && (!kept.read || at - kept.at < this.cacheMs)) return kept.answer as Promise<T>;
    const entry = { at, answer: read() as Promise<unknown>, read: false };
    // Deleted first, so a key read again moves to the end, and the bound below drops the longest unread.
    this.kept.delete(key);
    this.kept.set(key, entry);
    // A failed reading is not kept, nor a finished one that may not be reused.
    const done = (keep: boolean) => {
      entry.read = true;
      if (!keep && this.kept.get(key) === entry) this.kept.delete(key);
    };
    entry.answer.then(
      () => done(this.cacheMs > 0),
      () => done(false),
    );
    // Keys are few (the firm's filters); past a bound, the one read longest ago goes.
    if (this.kept.size > FIRM_ANSWERS_KEPT) this.kept.delete(this.kept.keys().next().value!);
    return entry.answer as Promise<T>;
  }
}
