import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, Response } from 'express';
import type { Problem } from '../../shared/schemas/common';
import { AppError, StorageUnavailableError, WritesUnavailableError } from '../errors';
import { isPostgresUnavailable } from '../db/postgres/connection';
import { isBusy } from '../repository/sqlite/writes';
import { requestLogger } from './request-log';
import { sendJson } from './send-json';

export function sendProblem(res: Response, problem: Problem): void {
  sendJson(res, problem.status, problem, 'application/problem+json');
}

const BODY_PARSER_ERRORS: Record<string, { status: number; title: string; detail: string }> = {
  'entity.parse.failed': { status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON.' },
  'entity.too.large': { status: 413, title: 'Content Too Large', detail: 'The request body is larger than 1 MB.' },
  'encoding.unsupported': { status: 415, title: 'Unsupported Media Type', detail: 'Send the body as UTF-8 JSON.' },
  'charset.unsupported': { status: 415, title: 'Unsupported Media Type', detail: 'Send the body as UTF-8 JSON.' },
  'request.aborted': { status: 400, title: 'Bad Request', detail: 'The request was aborted.' },
};

/**
 * Errors that Express's router and body parser raise for requests they cannot read (they carry a 4xx
 * `status`, as http-errors does): a path with malformed percent-encoding, a body whose
 * Content-Encoding does not match its bytes.
 */
function asClientError(error: unknown): Omit<Problem, 'type' | 'instance' | 'requestId'> | null {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  if (error instanceof URIError) {
    const detail = 'A part of the address is not valid percent-encoding.';
    return { title: 'Bad Request', status: 400, detail, errors: [{ path: 'path', message: detail }] };
  }
  if (status === 400) {
    const detail = 'The request body could not be read (does its Content-Encoding match it?).';
    return { title: 'Bad Request', status, detail, errors: [{ path: 'body', message: detail }] };
  }
  return { title: STATUS_CODES[status] ?? 'Client Error', status, detail: 'The request cannot be handled as sent.' };
}

/** Every error becomes RFC 9457 problem+json; unexpected ones are logged and answered without details. */
export const problemHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : '';
  const instance = req.originalUrl.split('?')[0];
  // A read that met a lock (rare in WAL mode) is as retryable as a write that waited too long.
  if (isBusy(error)) error = new WritesUnavailableError();
  // PostgreSQL down, restarting, failing over or too slow: the load balancer's other instances fare no better; retry
  // shortly.
  if (isPostgresUnavailable(error)) {
    // The answer says only "try again"; IT needs the cause (too many connections, refused, a failover, closed).
    const { code, message } = error as { code?: string; message: string };
    requestLogger(req).warn({ cause: { code, message } }, 'database unavailable');
    const read = req.method === 'GET' || req.method === 'HEAD';
    error = new StorageUnavailableError(
      code === '25006' ? 'read-only' : code === '57014' ? (read ? 'too-slow-read' : 'too-slow') : 'unreachable',
    );
  }
  if (error instanceof AppError) {
    if (error.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    if (error instanceof WritesUnavailableError || error instanceof StorageUnavailableError)
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    sendProblem(res, {
      type: 'about:blank',
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
      requestId,
      ...(error.fieldErrors ? { errors: error.fieldErrors } : {}),
    });
    return;
  }
  const parserErrorType = (error as { type?: unknown } | undefined)?.type;
  const known = typeof parserErrorType === 'string' ? BODY_PARSER_ERRORS[parserErrorType] : undefined;
  if (known) {
    sendProblem(res, {
      type: 'about:blank',
      ...known,
      instance,
      requestId,
      ...(known.status === 400 ? { errors: [{ path: 'body', message: known.detail }] } : {}),
    });
    return;
  }
  const clientError = asClientError(error);
  if (clientError) {
    // The client's mistake, not ours: one short line, no stack trace.
    requestLogger(req).info({ reason: clientError.detail }, 'request refused');
    sendProblem(res, { type: 'about:blank', ...clientError, instance, requestId });
    return;
  }
  requestLogger(req).error({ err: error }, 'unexpected error');
  if (res.headersSent) return;
  sendProblem(res, {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail:
      'Something went wrong on our side. Nothing was changed by the failed step; try again, and tell IT the request id if it happens again.',
    instance,
    requestId,
  });
};
