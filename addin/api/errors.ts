import type { Problem } from '../../shared/schemas/common';

/** A failed API call, with a sentence a person understands. */
export class ApiError extends Error {
  constructor(
    /** 0 when the service could not be reached at all. */
    readonly status: number,
    message: string,
    readonly problem?: Problem,
  ) {
    super(message);
  }

  /** The service is down or unreachable: the request may be retried later without harm. */
  get unreachable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

/** `reading`: the request only reads (a GET). Its 503 means the answer could not be read, not that a change waited. */
export function describeProblem(status: number, problem: Problem | undefined, reading = false): string {
  if (status === 0) return 'Regarding could not reach its service. Check your connection; nothing was lost.';
  if (status === 503 && reading)
    return 'Regarding could not read this just now. Try again in a moment; nothing was lost.';
  if (status === 503) return 'Regarding is busy saving other changes. Try again in a moment; nothing was changed.';
  if (status === 429) return 'Too many attempts in a short time. Wait a minute, then try again; nothing was changed.';
  if (status >= 500) return 'The Regarding service had a problem. Try again in a moment; nothing was lost.';
  if (status === 401) return 'Your sign-in has expired. Sign in again to continue.';
  if (problem?.errors?.length) {
    return problem.errors.map((e) => `${fieldLabel(e.path)}: ${e.message}`).join('. ');
  }
  return problem?.detail ?? `The request failed (${status}).`;
}

function fieldLabel(path: string): string {
  const last =
    path
      .split('.')
      .filter((part) => !['body', 'query', 'params'].includes(part))
      .pop() ?? path;
  return last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
