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
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const detail =
    errors.length === 1 ? `${errors[0].path}: ${errors[0].message}` : `${errors.length} fields are invalid.`;
  throw new BadRequestError(detail, errors);
}
