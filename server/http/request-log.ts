import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's id: the client's X-Request-Id when it is a plain token, else a new UUID. */
    id: string;
    /** The service's logger, set by `requestLog`: write through `requestLogger(req)`. */
    serviceLogger?: Logger;
    /** `requestLogger`'s child of it for this request, made when its first line is written. */
    requestLogChild?: Logger;
  }
}

const GIVEN_ID = /^[\w-]{1,100}$/;

/**
 * What a request's log lines say about it: the path as the client sent it (routers strip their mount path from
 * `url`), without its query, which may carry what was typed.
 */
function describe(req: Request) {
  return { id: req.id, method: req.method, url: req.originalUrl.split('?')[0] };
}

/**
 * The level of a request's line. A refused sign-in is the client's routine mistake, and a guesser's: one info line
 * each would let anyone fill the log, so FailedSignIns logs at warn once per blocked window instead. A 503 for a
 * busy database is expected while another process holds the lock.
 */
function levelOf(res: Response, failed: boolean): Level {
  if (res.statusCode === 503) return 'warn';
  if (failed || res.statusCode >= 500) return 'error';
  const refused = res.statusCode === 401 || res.locals?.signInsBlocked === true;
  return refused ? 'debug' : 'info';
}

/**
 * One structured line per request when it ends (the fields pino-http wrote: `req: { id, method, url }`,
 * `res: { statusCode }`, `responseTime` in ms, and the signed-in `advisorId`), and `requestLogger(req)` for lines
 * written while it runs. Not pino-http: it made two child loggers per request (serializing the request into each)
 * whether or not anything was logged; here the request's child is made only when a line is written, and the closing
 * line only when its level is enabled.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && GIVEN_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    // Plain properties, the same on every request: a getter defined on each request (as this was) gave each its own
    // shape, and V8 then kept every request past its young-generation collections (bench/app-server.ts measures the
    // same effect of Express's prototype change).
    req.serviceLogger = logger;
    req.requestLogChild = undefined;
    const began = Date.now();
    const done = (error?: Error) => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      res.removeListener('error', done);
      const failed = error !== undefined || res.statusCode >= 500;
      const level = levelOf(res, error !== undefined);
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        req: describe(req),
        res: { statusCode: res.statusCode },
        responseTime: Date.now() - began,
        advisorId: res.locals?.advisorId as unknown,
      };
      // A 503 for a busy database needs no stack trace.
      if (failed && res.statusCode !== 503)
        logger[level](
          { ...line, err: error ?? new Error(`failed with status code ${res.statusCode}`) },
          'request errored',
        );
      // The client went away before the answer was sent ('close' without 'finish'), as pino-http said it.
      else
        logger[level](line, failed ? 'request errored' : res.writableEnded ? 'request completed' : 'request aborted');
    };
    (res as ServerResponse).on('finish', done);
    (res as ServerResponse).on('close', done);
    (res as ServerResponse).on('error', done);
    next();
  };
}

/** A logger whose lines carry this request (`req: { id, method, url }`), once `requestLog` has run for it. */
export function requestLogger(req: Request): Logger {
  const logger = req.serviceLogger;
  if (!logger) throw new Error('requestLogger(req) needs requestLog() mounted before');
  return (req.requestLogChild ??= logger.child({ req: describe(req) }));
}
