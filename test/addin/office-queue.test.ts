import assert from 'node:assert/strict';
import { MAX_OFFICE_CALLS_IN_FLIGHT, OfficeError, createCallQueue, officeCall } from '../../addin/office/async';

/**
 * The queue every Office.js call goes through (issue 12, point 3: Outlook on the web, new Outlook and
 * mobile allow three asynchronous calls at once). It runs in Node: `start` stands in for an Office.js
 * method, calling back later with an AsyncResult as Outlook does; only the AsyncResultStatus values
 * officeCall compares with are given to it.
 */
describe('Office call queue (issue 12, point 3)', () => {
  const globals = globalThis as { Office?: unknown };
  let saved: unknown;
  before(() => {
    saved = globals.Office;
    globals.Office = { AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' } };
  });
  after(() => {
    globals.Office = saved;
  });

  /** A fake Office.js method: counts how many calls are outstanding, then calls back after `delayMs`. */
  function counter() {
    const state = { now: 0, max: 0, started: [] as number[] };
    const start =
      (index: number, outcome: { value: string } | { error: { code: number; name: string; message: string } }) =>
      (callback: (result: Office.AsyncResult<string>) => void) => {
        state.now++;
        state.max = Math.max(state.max, state.now);
        state.started.push(index);
        setTimeout(
          () => {
            state.now--;
            callback({
              status: 'error' in outcome ? 'failed' : 'succeeded',
              value: 'value' in outcome ? outcome.value : undefined,
              error: 'error' in outcome ? outcome.error : undefined,
            } as unknown as Office.AsyncResult<string>);
          },
          (index * 7) % 5,
        );
      };
    return { state, start };
  }

  it('never has more than three Office calls in flight with ten concurrent calls', async () => {
    const queue = createCallQueue(MAX_OFFICE_CALLS_IN_FLIGHT);
    const { state, start } = counter();
    const calls = Array.from({ length: 10 }, (_, i) => officeCall(start(i, { value: `v${i}` }), queue));
    assert.equal(queue.inFlight, 3, 'three start at once, the other seven wait');
    await Promise.all(calls);
    assert.equal(MAX_OFFICE_CALLS_IN_FLIGHT, 3);
    assert.equal(state.max, 3, 'at most (and, with ten waiting, exactly) three outstanding');
    assert.equal(queue.inFlight, 0);
  });

  it('starts the calls in the order they were made, each with its own result', async () => {
    const queue = createCallQueue(3);
    const { state, start } = counter();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => officeCall(start(i, { value: `v${i}` }), queue)),
    );
    assert.deepEqual(state.started, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(
      results,
      Array.from({ length: 10 }, (_, i) => `v${i}`),
    );
  });

  it('a failing call frees its slot: Outlook errors and a missing API (TypeError) alike', async () => {
    const queue = createCallQueue(3);
    const { state, start } = counter();
    const failure = { error: { code: 9020, name: 'GenericResponseError', message: 'Outlook failed' } };
    const missing = () => {
      throw new TypeError('item.getAllInternetHeadersAsync is not a function');
    };
    const settled = await Promise.allSettled([
      officeCall(start(0, failure), queue),
      officeCall(missing, queue),
      officeCall(start(2, failure), queue),
      ...Array.from({ length: 7 }, (_, i) => officeCall(start(i + 3, { value: `v${i + 3}` }), queue)),
    ]);
    const [first, second, third] = settled;
    assert.ok(first.status === 'rejected' && first.reason instanceof OfficeError && first.reason.code === 9020);
    assert.ok(second.status === 'rejected' && second.reason instanceof TypeError);
    assert.ok(third.status === 'rejected' && third.reason instanceof OfficeError);
    assert.deepEqual(
      settled.slice(3).map((s) => (s.status === 'fulfilled' ? s.value : 'rejected')),
      ['v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'],
      'the calls after the failures all ran',
    );
    assert.ok(state.max <= 3);
    assert.equal(queue.inFlight, 0, 'every slot is free again');
  });

  it('shares one queue by default, so calls from different parts of the pane count together', async () => {
    const { state, start } = counter();
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => officeCall(start(i, { value: 'a' }))),
      ...Array.from({ length: 5 }, (_, i) => officeCall(start(i + 5, { value: 'b' }))),
    ]);
    assert.equal(state.max, 3);
  });
});
