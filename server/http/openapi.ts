import { z } from 'zod';
import { API_PREFIX, endpoints, type Endpoint } from '../../shared/api';
import { Problem } from '../../shared/schemas/common';

type JsonSchema = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Invalid input (a NUL character in any text included): see errors[] for the offending fields',
  401: 'Missing or invalid bearer token',
  403: 'Not allowed for this advisor',
  404: 'Not found',
  409: 'Conflict (stale version or state)',
  428: 'If-Match is required',
  429: 'Too many failed sign-ins from this address or with this token, or too many changes by this advisor: retry after Retry-After seconds',
  500: 'Unexpected error',
  503: "The database is busy with another process's change or did not answer in time (nothing was changed), or could not be reached: retry after Retry-After seconds",
};

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the server validates with.
 * Named schemas (zod `.meta({ id })`) become components; everything else is inlined.
 */
export function buildOpenApiDocument(serverUrl?: string): JsonSchema {
  const components: Record<string, JsonSchema> = {};

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _schema, $defs = {}, ...rest } = json as JsonSchema & { $defs?: Record<string, JsonSchema> };
    // A named schema's request shape can differ from its response shape (defaults, transforms):
    // the request one is then kept as `<Name>Input`.
    const names = new Map<string, string>();
    for (const [name, definition] of Object.entries($defs)) {
      const taken = components[name] && JSON.stringify(components[name]) !== JSON.stringify(definition);
      names.set(name, io === 'input' && taken ? `${name}Input` : name);
    }
    const retarget = (value: JsonSchema) =>
      JSON.parse(
        JSON.stringify(value).replace(
          /"#\/\$defs\/([^"]+)"/g,
          (_, name: string) => `"#/components/schemas/${names.get(name) ?? name}"`,
        ),
      ) as JsonSchema;
    for (const [name, definition] of Object.entries($defs)) components[names.get(name)!] ??= retarget(definition);
    return retarget(rest);
  };

  const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return [];
    const json = convert(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, endpoint] of Object.entries(endpoints) as [string, Endpoint][]) {
    const path = API_PREFIX + endpoint.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      [endpoint.status]: {
        description: STATUS_TEXT[endpoint.status] ?? 'OK',
        content: { [endpoint.contentType ?? 'application/json']: { schema: convert(endpoint.response, 'output') } },
      },
    };
    for (const status of [400, 401, ...(endpoint.errors ?? []), 429, 500, 503]) {
      responses[status] = {
        description: STATUS_TEXT[status],
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] ??= {};
    paths[path][endpoint.method] = {
      operationId,
      summary: endpoint.summary,
      tags: [endpoint.tag],
      security: [{ bearer: [] }],
      parameters: [
        ...parameters(endpoint.params, 'path'),
        ...parameters(endpoint.query, 'query'),
        ...Object.entries(endpoint.headers ?? {}).map(([name, description]) => ({
          name,
          in: 'header',
          required: name === 'If-Match',
          description,
          schema: { type: 'string' },
        })),
      ],
      ...(endpoint.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: convert(endpoint.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  convert(Problem, 'output');

  return {
    openapi: '3.1.0',
    info: {
      title: 'Regarding API',
      version: '1.0.0',
      description:
        'Opportunities, referrals, shared notes and Set Regarding for Outlook items. Every route but /healthz, ' +
        '/api/v1/openapi.json and /api/v1/auth/config needs a bearer token: a personal access token or an Entra ID access token.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Personal access token (rgd_...) or OIDC JWT' },
      },
    },
    paths,
  };
}
