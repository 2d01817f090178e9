import assert from 'node:assert/strict';
import { FIRM_ANSWERS_KEPT, FirmAnswers } from '../../server/repository/postgres/firm-answers';

/** PostgreSQL's firm-wide report reuse (REPORT_CACHE_SECONDS), on the app's clock. */
describe('firm-wide answers on PostgreSQL (issue 16)', () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, seconds)).toISOString();

  it('shares one reading between identical calls in flight, even with REPORT_CACHE_SECONDS=0', async () => {
    const answers = new FirmAnswers(0);
    let reads = 0;
    let finish!: (value: string) => void;
    const read = () => {
      reads++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const first = answers.get('funnel', at(0), read);
    const second = answers.get('funnel', at(1), read);
    finish('answer');
    assert.deepEqual(await Promise.all([first, second]), ['answer', 'answer']);
    assert.equal(reads, 1);
    assert.equal(await answers.get('funnel', at(1), () => Promise.resolve('again')), 'again', 'not kept once read');
  });

  it('reuses a finished answer for cacheMs from the time it was read, per key; a clock set back reads again', async () => {
    const answers = new FirmAnswers(60_000);
    let reads = 0;
    const read = () => Promise.resolve(`read ${++reads}`);
    assert.equal(await answers.get('funnel', at(0), read), 'read 1');
    assert.equal(await answers.get('funnel', at(59), read), 'read 1');
    assert.equal(await answers.get('stage report', at(59), read), 'read 2', 'another key');
    assert.equal(await answers.get('funnel', at(60), read), 'read 3');
    assert.equal(await answers.get('funnel', at(30), read), 'read 4', 'a time before the kept reading');
  });

  it('keeps no failed reading', async () => {
    const answers = new FirmAnswers(60_000);
    await assert.rejects(answers.get('funnel', at(0), () => Promise.reject(new Error('connection lost'))));
    assert.equal(await answers.get('funnel', at(1), () => Promise.resolve('read')), 'read');
  });

  it('reads again when asked as of a time before a reading still in flight', async () => {
    const answers = new FirmAnswers(60_000);
    let finish!: (value: string) => void;
    const running = answers.get('funnel', at(10), () => new Promise<string>((resolve) => (finish = resolve)));
    assert.equal(await answers.get('funnel', at(5), () => Promise.resolve('earlier')), 'earlier');
    finish('later');
    assert.equal(await running, 'later');
  });

  it(`keeps at most ${FIRM_ANSWERS_KEPT} answers, dropping the one read longest ago`, async () => {
    const answers = new FirmAnswers(60_000);
    const keys = Array.from({ length: FIRM_ANSWERS_KEPT }, (_, i) => `filter ${i}`);
    for (const key of keys) await answers.get(key, at(0), () => Promise.resolve(`first ${key}`));
    // The first key is read again (its time passed), so the second is now the one read longest ago.
    assert.equal(await answers.get(keys[0], at(60), () => Promise.resolve('again')), 'again');
    await answers.get('one more', at(0), () => Promise.resolve('one more'));
    assert.equal(await answers.get(keys[2], at(0), () => Promise.resolve('unused')), `first ${keys[2]}`);
    assert.equal(await answers.get(keys[0], at(60), () => Promise.resolve('unused')), 'again');
    assert.equal(await answers.get(keys[1], at(0), () => Promise.resolve('read again')), 'read again');
  });
});
