/** Turns Office.js callback APIs into promises. The rest of the pane never sees a callback. */

export class OfficeError extends Error {
  constructor(
    readonly code: number | undefined,
    readonly officeName: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Starts an Office.js call; its callback ends it. */
export type OfficeStart<T> = (callback: (result: Office.AsyncResult<T>) => void) => void;

/**
 * Outlook on the web, new Outlook on Windows and Outlook on mobile allow at most three asynchronous
 * calls at once (limits-for-activation-and-javascript-api-for-outlook-add-ins.md, "Asynchronous calls").
 */
export const MAX_OFFICE_CALLS_IN_FLIGHT = 3;

/** Runs tasks first in, first out, never more than `limit` at once; a task that fails frees its slot too. */
export interface CallQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** How many tasks are running now (for tests and diagnostics). */
  readonly inFlight: number;
}

export function createCallQueue(limit: number): CallQueue {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const next = () => {
    inFlight--;
    waiting.shift()?.();
  };
  return {
    get inFlight() {
      return inFlight;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          inFlight++;
          // A task that throws before returning its promise (an API missing on this client) settles like one that rejects.
          new Promise<T>((settle) => settle(task())).finally(next).then(resolve, reject);
        };
        if (inFlight < limit) start();
        else waiting.push(start);
      });
    },
  };
}

/** The one queue every Office.js call of the pane goes through (the limit is per add-in, so it is shared). */
export const officeQueue = createCallQueue(MAX_OFFICE_CALLS_IN_FLIGHT);

/** Runs one Office.js asynchronous call, waiting for a slot when three are already in flight. */
export function officeCall<T>(start: OfficeStart<T>, queue: CallQueue = officeQueue): Promise<T> {
  return queue.run(
    () =>
      new Promise<T>((resolve, reject) => {
        start((result) => {
          if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
          else
            reject(
              new OfficeError(
                result.error?.code,
                result.error?.name,
                result.error?.message ?? 'Outlook could not complete the request.',
              ),
            );
        });
      }),
  );
}
