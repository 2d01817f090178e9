import assert from 'node:assert/strict';
import { PostgresChangeStamps } from '../../server/repository/postgres/change-stamp';
import type { ChangeStamp } from '../../server/repository/repository';
import { CleanKeys } from '../../server/repository/stamped/clean-keys';

/** PostgreSQL's change stamp (SIGN_IN_REUSE_MS) and the reuse both backends build on a stamp. */
describe('change stamps on PostgreSQL and what is reused on them (issue 16)', () => {
  it('holds within one period of maxAgeMs while nothing is written, and names the next period once it begins', () => {
    let now = 10_000;
    const stamps = new PostgresChangeStamps(1000, () => now);
    const first = stamps.stamp();
    now = 10_999;
    assert.equal(stamps.stamp(), first);
    now = 11_000;
    const next = stamps.stamp();
    assert.notEqual(next, first);
    assert.equal(stamps.stamp(), next);
  });

  it("changes once this instance's write has ended, committed or failed, and not before", async () => {
    const stamps = new PostgresChangeStamps(60_000, () => 0);
    const before = stamps.stamp();
    let commit!: () => void;
    const writing = stamps.after(new Promise<void>((resolve) => (commit = resolve)));
    assert.equal(stamps.stamp(), before, 'a write in flight is not yet visible to a reader');
    commit();
    await writing;
    const committed = stamps.stamp();
    assert.notEqual(committed, before);
    await assert.rejects(stamps.after(Promise.reject(new Error('refused'))), /refused/);
    assert.notEqual(stamps.stamp(), committed);
  });

  it('with maxAgeMs 0 (SIGN_IN_REUSE_MS=0) every stamp is new', () => {
    const stamps = new PostgresChangeStamps(0, () => 0);
    assert.notEqual(stamps.stamp(), stamps.stamp());
  });

  it('keeps clean keys for one stamp only, and drops what a read at an older stamp found', () => {
    const clean = new CleanKeys();
    const [s1, s2] = ['s1', 's2'] as ChangeStamp[];
    assert.equal(clean.all(['a'], s1, 0), false);
    clean.add(['a'], s1);
    assert.equal(clean.all(['a'], s1, 1), true);
    assert.equal(clean.all(['a', 'b'], s1, 1), false, 'every key must be known clean');
    assert.equal(clean.all(['a'], s2, 1), false, 'a new stamp forgets them');
    // A read begun at s1 ends after a request saw s2 (PostgreSQL answers asynchronously): not kept for s2.
    clean.add(['a'], s1);
    assert.equal(clean.all(['a'], s2, 1), false);
    clean.add(['a'], s2);
    assert.equal(clean.all(['a'], s2, 1), true);
    assert.equal(clean.all(['a'], s2, 0), false, 'a clock set back forgets them: an ended window may be open again');
  });
});
