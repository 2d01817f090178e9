import type { z } from 'zod';
import { BadRequestError } from '../errors';

/** Parses one part of a request (params, query, body), naming every offending field as `part.path.to.field`. */
export function parsePart<S extends z.ZodType>(
  schema: S | undefined,
  value: unknown,
  part: 'params' | 'query' | 'body',
): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const result = schema.safeParse(value);
  const errors = result.success
    ? nulCharacters(result.data, [part])
    : result.error.issues.map((issue) => ({
        path: [part, ...issue.path.map(String)].join('.'),
        message: issue.message,
      }));
  if (errors.length === 0) return result.data as z.output<S>;
  const detail =
    errors.length === 1 ? `${errors[0].path}: ${errors[0].message}` : `${errors.length} fields are invalid.`;
  throw new BadRequestError(detail, errors);
}

const NUL_MESSAGE = 'Text must not contain the NUL character (U+0000).';

/**
 * Every text in the request that holds a NUL character: no field means one, and PostgreSQL cannot store it (SQLite
 * would), so it is refused at the edge, on either storage, with the field named.
 */
function nulCharacters(value: unknown, path: string[]): { path: string; message: string }[] {
  if (typeof value === 'string')
    return value.includes('\u0000') ? [{ path: path.join('.'), message: NUL_MESSAGE }] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => nulCharacters(inner, [...path, key]));
}
