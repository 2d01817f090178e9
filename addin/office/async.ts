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

export function officeCall<T>(start: (callback: (result: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
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
  });
}
