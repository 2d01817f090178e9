import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { API_PREFIX, type Endpoint, type ResponseOf } from '../../shared/api';
import type { Authenticator } from '../auth/authenticator';
import type { Caller } from '../services/context';
import { sendJson } from './send-json';
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

/**
 * Mounts one endpoint of the shared contract: authenticates, validates every part of the request
 * against the endpoint's schemas, calls the handler, and sends what the response schema allows.
 */
export function mount<E extends Endpoint>(
  router: Router,
  authenticator: Authenticator,
  endpoint: E,
  handler: Handler<E>,
): void {
  router[endpoint.method](endpoint.path, async (req: Request, res: Response) => {
    const caller = await authenticator.authenticate(req.headers.authorization);
    res.locals.advisorId = caller.id;
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
    sendJson(res, reply.status, endpoint.response.parse(reply.body));
  });
}

export const apiPath = (endpoint: Endpoint) => `${API_PREFIX}${endpoint.path}`;
