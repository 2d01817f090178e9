import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { API_PREFIX, type Endpoint, type ResponseOf } from '../../shared/api';
import type { Authenticator } from '../auth/authenticator';
import { NotFoundError, UnauthorizedError } from '../errors';
import type { ChangeStamp } from '../repository/repository';
import type { Caller } from '../services/context';
import { tokenKey, type FailedSignIns } from './rate-limits';
import { requestLogger } from './request-log';
import { sendJson, sendText } from './send-json';
import { parsePart } from './validation';

/** A response with a status or headers other than the endpoint's usual ones. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Record<string, string> = {},
  ) {}
}

type Output<S> = [Exclude<S, undefined>] extends [never] ? undefined : z.output<Exclude<S, undefined> & z.ZodType>;

export interface HandlerInput<E extends Endpoint> {
  params: Output<E['params']>;
  query: Output<E['query']>;
  body: Output<E['body']>;
  caller: Caller;
  req: Request;
}

export type Handler<E extends Endpoint> = (input: HandlerInput<E>) => Promise<ResponseOf<E> | Reply<ResponseOf<E>>>;

/** Who may call the API, and how often. */
export interface Gate {
  authenticator: Authenticator;
  failedSignIns: FailedSignIns;
  /** Mounted on every endpoint that changes something, after authentication. */
  changeLimit: RequestHandler;
}

/** The handlers of each endpoint whose path has no parameter, by `METHOD /path` (see `exactRoutes`). */
export type ExactRoutes = Map<string, RequestHandler[]>;

/**
 * Mounts one endpoint of the shared contract: refuses a blocked address or token, authenticates
 * (counting a failure), limits changes per advisor, validates every part of the request against the
 * endpoint's schemas, calls the handler, and sends what the response schema allows.
 */
export function mount<E extends Endpoint>(
  router: Router,
  gate: Gate,
  endpoint: E,
  handler: Handler<E>,
  exact?: ExactRoutes,
): void {
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    let caller: Caller;
    try {
      caller = await gate.authenticator.authenticate(
        req.headers.authorization,
        tokenKey(req),
        res.locals.changeStamp as ChangeStamp | undefined,
      );
    } catch (error) {
      // The refusal is answered even if counting it fails.
      if (error instanceof UnauthorizedError) {
        await gate.failedSignIns.failed(req).catch((countError: unknown) => {
          requestLogger(req).error({ err: countError }, 'counting a failed sign-in failed');
        });
      }
      throw error;
    } finally {
      gate.failedSignIns.settled(res);
    }
    res.locals.caller = caller;
    res.locals.advisorId = caller.id;
    next();
  };
  const limits = endpoint.method === 'get' ? [] : [gate.changeLimit];
  const answer = async (req: Request, res: Response) => {
    const caller = res.locals.caller as Caller;
    const input = {
      params: parsePart(endpoint.params, req.params, 'params'),
      query: parsePart(endpoint.query, req.query, 'query'),
      body: parsePart(endpoint.body, req.body ?? (endpoint.body ? undefined : {}), 'body'),
      caller,
      req,
    } as HandlerInput<E>;
    const result = await handler(input);
    const reply = result instanceof Reply ? result : new Reply(endpoint.status, result);
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
    if (endpoint.contentType)
      sendText(res, reply.status, endpoint.response.parse(reply.body) as string, endpoint.contentType);
    else sendJson(res, reply.status, endpoint.response.parse(reply.body));
  };
  const handlers = [gate.failedSignIns.guard, authenticate, ...limits, answer] as RequestHandler[];
  router[endpoint.method](endpoint.path, ...handlers);
  if (exact && !endpoint.path.includes(':')) exact.set(`${endpoint.method.toUpperCase()} ${endpoint.path}`, handlers);
}

/**
 * Runs the handlers of the endpoint a request names exactly (method and path as written in the contract), as the
 * router would: Express tries every route in turn until one matches, and the last of 56 was about 20 µs away.
 * Anything else (a path with an id, other case, a trailing slash, HEAD) goes on to the router, where every endpoint
 * is mounted too.
 */
export function exactRoutes(exact: ExactRoutes): RequestHandler {
  return (req, res, next) => {
    const handlers = exact.get(`${req.method} ${req.path}`);
    if (!handlers) {
      next();
      return;
    }
    req.params = {};
    let at = 0;
    const step = (error?: unknown): void => {
      // Express's 'route' and 'router' skip to later routes, which here include this endpoint's own copy on the
      // router: no handler uses them, so they are refused rather than run the endpoint twice.
      if (error === 'route' || error === 'router') error = new Error(`next('${error}') from an exact route`);
      if (error) {
        next(error);
        return;
      }
      const handle = handlers[at++];
      if (!handle) {
        // Every handler passed it on without answering: as the router would end, never its copy of this endpoint.
        next(new NotFoundError(`The API route ${req.method} ${API_PREFIX}${req.path}`));
        return;
      }
      try {
        const result = handle(req, res, step);
        // As Express 5 does: a handler's rejected promise is its error.
        if (result instanceof Promise)
          result.catch((rejection: unknown) => next(rejection ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}

export const apiPath = (endpoint: Endpoint) => `${API_PREFIX}${endpoint.path}`;
