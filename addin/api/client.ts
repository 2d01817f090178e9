import type { EndpointName, Endpoints, RequestOf, ResponseOf } from '../../shared/api';
import { API_PREFIX, routes } from '../../shared/routes';
import type { Problem } from '../../shared/schemas/common';
import { ApiError, describeProblem } from './errors';

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Resolve to the Response itself once it is a success, not its JSON: for a file (see api/download.ts). */
  raw?: boolean;
}

type Input<N extends EndpointName> = Partial<RequestOf<Endpoints[N]>> & CallOptions;

/** Where the client gets its bearer token, and what it does when the service says the token is no good. */
export interface TokenSource {
  token(): Promise<string | null>;
  /** Called on a 401: resolves once the advisor has signed in again (then the call is retried). */
  reauthenticate(): Promise<void>;
}

function toQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The one typed client of the Regarding API: every request and response typed by shared/api.ts. */
export class ApiClient {
  constructor(
    private readonly tokens: TokenSource,
    private readonly baseUrl = '',
  ) {}

  async call<N extends EndpointName>(name: N, input: Input<N> = {}): Promise<ResponseOf<Endpoints[N]>> {
    for (;;) {
      try {
        return await this.send(name, input, await this.tokens.token());
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        await this.tokens.reauthenticate();
        input.signal?.throwIfAborted();
      }
    }
  }

  /** One request with a given token, no retry (used to check a token while signing in). */
  async send<N extends EndpointName>(
    name: N,
    input: Input<N>,
    token: string | null,
  ): Promise<ResponseOf<Endpoints[N]>> {
    const endpoint = routes[name];
    const params = (input.params ?? {}) as Record<string, unknown>;
    const path = endpoint.path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(String(params[key])));
    const headers: Record<string, string> = { Accept: 'application/json', ...input.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (input.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${API_PREFIX}${path}${toQuery(input.query as Record<string, unknown>)}`, {
        method: endpoint.method.toUpperCase(),
        headers,
        body: input.body === undefined ? undefined : JSON.stringify(input.body),
        signal: input.signal,
      });
    } catch (error) {
      if (input.signal?.aborted) throw error;
      throw new ApiError(0, describeProblem(0, undefined));
    }
    if (input.raw && response.ok) return response as ResponseOf<Endpoints[N]>;
    const text = await response.text();
    const json = text ? safeJson(text) : null;
    if (!response.ok) {
      const problem = json && typeof json === 'object' && 'status' in json ? (json as Problem) : undefined;
      throw new ApiError(
        response.status,
        describeProblem(response.status, problem, endpoint.method === 'get'),
        problem,
      );
    }
    return json as ResponseOf<Endpoints[N]>;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
