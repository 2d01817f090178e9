import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { API_PREFIX, type Endpoint, type ResponseOf } from '../../shared/api';
import type { Authenticator } from '../auth/authenticator';
import { UnauthorizedError } from '../errors';
import type { Caller } from '../services/context';
import type { FailedSignIns } from './rate-limits';
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

/**
 * Mounts one endpoint of the shared contract: refuses a blocked address or token, authenticates
 * (counting a failure), limits changes per advisor, validates every part of the request against the
 * endpoint's schemas, calls the handler, and sends what the response schema allows.
 */
export function mount<E extends Endpoint>(router: Router, gate: Gate, endpoint: E, handler: Handler<E>): void {
  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    let caller: Caller;
    try {
      caller = await gate.authenticator.authenticate(req.headers.authorization);
    } catch (error) {
      // The refusal is answered even if counting it fails.
      if (error instanceof UnauthorizedError) {
        await gate.failedSignIns.failed(req).catch((countError: unknown) => {
          req.log.error({ err: countError }, 'counting a failed sign-in failed');
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
  router[endpoint.method](endpoint.path, gate.failedSignIns.guard, authenticate, ...limits, async (req, res) => {
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
  });
}

export const apiPath = (endpoint: Endpoint) => `${API_PREFIX}${endpoint.path}`;
