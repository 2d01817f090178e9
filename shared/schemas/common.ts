import { z } from 'zod';
import { PAGE_MAX, REPEATED_MAX } from '../constants';
import { hasVisibleCharacter } from '../text';

/** A database identifier as it appears in JSON bodies. */
export const Id = z.number().int().positive();

/** A database identifier in a path or query string (always text on the wire). */
export const IdText = z.coerce.number().int().positive();

export const IdParams = z.object({ id: IdText });

export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

/** Email addresses are compared case-insensitively everywhere, so they are stored lower-cased. */
export const EmailAddress = z
  .email()
  .max(320)
  .transform((value) => value.toLowerCase());

/** An IANA time zone name this server knows, such as Europe/Paris or America/New_York. */
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((zone, ctx) => {
    try {
      // Stored as IANA spells it (europe/paris → Europe/Paris), so it compares equal to the browser's.
      return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Not a time zone: use a name such as Europe/Paris or America/New_York' });
      return z.NEVER;
    }
  });

/** An amount of money in whole cents (the reports sum cents exactly: see migration 025). */
export const Money = z
  .number()
  .nonnegative()
  .max(1e12)
  .refine((amount) => /^\d+(\.\d{1,2})?$/.test(String(amount)), {
    error: 'Enter an amount in whole cents, such as 1250 or 1250.50',
  });

/** Trimmed text that shows at least one character: not only spaces or zero-width characters. */
export function visibleText(required: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, { error: required, abort: true })
    .max(max, `At most ${max} characters`)
    .refine(hasVisibleCharacter, required);
}

/** Free-text search for type-ahead: short, trimmed. */
export const SearchText = z.string().trim().max(100);

export const Paging = z.object({
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(25),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

/** One value or many from a repeated query parameter (`?email=a&email=b`), at most REPEATED_MAX. */
export function repeated<T extends z.ZodType>(item: T) {
  return z
    .union([item, z.array(item).max(REPEATED_MAX)])
    .transform((value) => (Array.isArray(value) ? value : [value]) as z.output<T>[]);
}

/** An opaque position in a newest-first list: send a page's `nextCursor` back as `before` for the next page. */
export const Cursor = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/)
  .describe("Opaque: a page's nextCursor, sent back unchanged.");

/** Keyset paging of a newest-first timeline. */
export const CursorPaging = z.object({
  before: Cursor.optional().describe('Only entries older than this cursor (a nextCursor of the page before).'),
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(25),
});

export function cursorPage<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Where the next (older) page starts, or null when this is the last page. */
    nextCursor: Cursor.nullable(),
  });
}

export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    /** Offset of the next page, or null when this is the last page. */
    nextOffset: z.number().int().nullable(),
  });
}

export const AdvisorRef = z.object({ id: Id, displayName: z.string(), email: z.string() }).meta({ id: 'AdvisorRef' });
export type AdvisorRef = z.infer<typeof AdvisorRef>;

export const TeamRef = z.object({ id: Id, name: z.string() }).meta({ id: 'TeamRef' });
export type TeamRef = z.infer<typeof TeamRef>;

/** RFC 9457 problem details, as every error response of the API carries. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('For validation errors: the offending field path (e.g. body.topic) and what is wrong with it.'),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

export { PAGE_MAX, REPEATED_MAX };
