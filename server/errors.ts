/**
 * The failures a service can report. The HTTP layer turns each into a problem+json response
 * with the matching status; anything else becomes a 500 without details.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly fieldErrors?: { path: string; message: string }[],
  ) {
    super(detail);
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string, fieldErrors?: { path: string; message: string }[]) {
    super(400, 'Bad Request', detail, fieldErrors);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Sign in with a valid bearer token.') {
    super(401, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'Not Found', `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, fieldErrors?: { path: string; message: string }[]) {
    super(409, 'Conflict', detail, fieldErrors);
  }
}

export class PreconditionRequiredError extends AppError {
  constructor(detail: string) {
    super(428, 'Precondition Required', detail);
  }
}

/** Another process holds the database's write lock longer than a request should wait: try again shortly. */
export class WritesUnavailableError extends AppError {
  readonly retryAfterSeconds = 2;
  constructor() {
    super(
      503,
      'Service Unavailable',
      'The database is busy with another change and could not save this one. Nothing was changed; try again in a moment.',
    );
  }
}

/** Why the database cannot serve a request now (StorageUnavailableError). */
const UNAVAILABLE_DETAILS = {
  unreachable: 'The database could not be reached just now. Try again in a moment.',
  /** It answers but takes no change: a primary turned standby by a failover, or set read-only. */
  'read-only': 'The database takes no changes just now; nothing was changed. Try again in a moment.',
  /**
   * A statement ran past DATABASE_STATEMENT_TIMEOUT_MS (waiting for a lock, or on a server too busy), or was cancelled:
   * its transaction saved nothing, but a change may have been saved before a read after its commit.
   */
  'too-slow': 'The database did not answer in time. Check whether your change was saved before trying it again.',
  'too-slow-read': 'The database did not answer in time. Try again in a moment.',
};

/** The database server cannot serve now (PostgreSQL down, restarting, failing over, full, read-only, too slow). */
export class StorageUnavailableError extends AppError {
  readonly retryAfterSeconds = 2;
  constructor(reason: keyof typeof UNAVAILABLE_DETAILS = 'unreachable') {
    super(503, 'Service Unavailable', UNAVAILABLE_DETAILS[reason]);
  }
}

/** The report worker stopped while computing this report (it is restarted): try again shortly. */
export class ReportsUnavailableError extends AppError {
  constructor() {
    super(503, 'Service Unavailable', 'The report could not be computed just now. Try again in a moment.');
  }
}

/** The read worker stopped while reading this list (it is restarted): try again shortly. */
export class ReadsUnavailableError extends AppError {
  constructor() {
    super(503, 'Service Unavailable', 'This list could not be read just now. Try again in a moment.');
  }
}
