/**
 * Outlook's asynchronous calls: an optional options object and a callback that receives an
 * Office.AsyncResult (status, value, error as an Office.Error), called back later, never at once; and
 * the active profile's limit on simultaneous calls.
 */
import { activeProfile } from './state';

export const AsyncResultStatus = { Succeeded: 'succeeded', Failed: 'failed' } as const;

export type Outcome<T> = { value: T } | { error: Office.Error };
type Callback<T> = ((result: Office.AsyncResult<T>) => void) | undefined;

export function officeError(code: number, name: string, message: string): Office.Error {
  return { code, name, message };
}

/**
 * The calls the documented limit counts ([PR] limits-for-activation-and-javascript-api-for-outlook-add-ins.md,
 * "Asynchronous calls": CustomProperties.saveAsync, loadCustomPropertiesAsync, Location, Recipients,
 * RoamingSettings.saveAsync, Subject, Time, Body...). getAllInternetHeadersAsync, internetHeaders, saveAsync
 * and getItemIdAsync are not in that list, so they are not counted.
 */
export type CountedCall =
  | 'customProperties.saveAsync'
  | 'loadCustomPropertiesAsync'
  | 'location'
  | 'recipients'
  | 'roamingSettings.saveAsync'
  | 'subject'
  | 'time';

/**
 * Past the limit Outlook fails the call. The error for the 3-call limit of web, new Outlook and mobile is not
 * documented; the simulator answers as Office does past its pending-call cap: code 5100, "Wait until the
 * previous call completes." ([#3274], [#3211]). The name is not reported anywhere; 'TooManyAsyncCalls' is ours.
 */
export const TOO_MANY_CALLS = officeError(5100, 'TooManyAsyncCalls', 'Wait until the previous call completes.');

const calls = { inFlight: 0, peak: 0, refused: 0 };

/** Errors a test asked for: the next calls of `method` fail with them (Outlook's 9020, 5001, 9019 under load). */
const injected: { method: string; error: Office.Error }[] = [];

/** Makes the next `times` calls of `method` (e.g. 'body.getAsync', 'customProperties.saveAsync') fail with `error`. */
export function injectFailure(method: string, error: Office.Error, times = 1): void {
  for (let i = 0; i < times; i++) injected.push({ method, error });
}

/** How many counted calls are in flight, the most there ever were at once, and how many were refused. */
export const asyncStats = () => ({ ...calls });

export function resetAsyncStats(): void {
  calls.peak = calls.inFlight;
  calls.refused = 0;
}

function deliver<T>(args: unknown[], outcome: Outcome<T>, done?: () => void): void {
  const callback = args.find((arg) => typeof arg === 'function') as Callback<T>;
  const options = args.find((arg) => arg && typeof arg === 'object' && !Array.isArray(arg)) as
    Office.AsyncContextOptions | undefined;
  const result = {
    status: 'error' in outcome ? AsyncResultStatus.Failed : AsyncResultStatus.Succeeded,
    value: 'value' in outcome ? outcome.value : undefined,
    error: 'error' in outcome ? outcome.error : undefined,
    asyncContext: options?.asyncContext,
    diagnostics: undefined,
  } as unknown as Office.AsyncResult<T>;
  setTimeout(() => {
    done?.();
    callback?.(result);
  }, 0);
}

/**
 * Runs an asynchronous Office.js call: `run` does the work now and says the outcome, which the callback
 * receives later. A counted call over the profile's limit fails without running.
 */
export function asyncCall<T>(method: string, args: unknown[], run: () => Outcome<T>, counted?: CountedCall): void {
  const failure = injected.findIndex((entry) => entry.method === method);
  if (failure >= 0) {
    deliver<T>(args, { error: injected.splice(failure, 1)[0].error });
    return;
  }
  if (!counted) {
    deliver(args, run());
    return;
  }
  if (calls.inFlight >= activeProfile().limits.concurrentAsyncCalls) {
    calls.refused += 1;
    deliver<T>(args, { error: TOO_MANY_CALLS });
    return;
  }
  calls.inFlight += 1;
  calls.peak = Math.max(calls.peak, calls.inFlight);
  deliver(args, run(), () => (calls.inFlight -= 1));
}

/** Shorthand for a call that succeeds with `value`. */
export const succeed = <T>(method: string, args: unknown[], value: T, counted?: CountedCall) =>
  asyncCall<T>(method, args, () => ({ value }), counted);
