import type { ChangeStamp } from '../repository';

/** Keys remembered as clean at most (all are forgotten when full). */
const CLEAN_MAX_KEYS = 10_000;

/**
 * Rate-limit keys found without hits in a window not yet ended, and the change stamp they were read at. While the
 * stamp holds they are still clean: a window only ends as time passes, and the clock is not behind the latest read
 * (`at`: set back, an ended window could be open again). The sign-in guard reads two keys on every request; most are
 * clean.
 */
export class CleanKeys {
  private clean = { stamp: '', at: 0, keys: new Set<string>() };

  /** Whether every key is known clean at this stamp and time. */
  all(keys: readonly string[], stamp: ChangeStamp, now: number): boolean {
    if (this.clean.stamp !== stamp || now < this.clean.at) this.clean = { stamp, at: now, keys: new Set() };
    this.clean.at = now;
    return keys.every((key) => this.clean.keys.has(key));
  }

  /** Keys read without hits at `stamp`: kept only if it is still the stamp `all` was last asked with. */
  add(keys: readonly string[], stamp: ChangeStamp): void {
    if (this.clean.stamp !== stamp) return;
    if (this.clean.keys.size + keys.length > CLEAN_MAX_KEYS) this.clean.keys.clear();
    for (const key of keys) this.clean.keys.add(key);
  }
}
