import { BadRequestError } from '../errors';
import type { Keyset, TimelineKey } from '../repository/repository';

/** A timeline cursor is the sort key and id of the last entry of a page, as base64url JSON: opaque to clients. */
export function encodeCursor(key: TimelineKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id])).toString('base64url');
}

/** The key a cursor stands for; a 400 naming the field when it is not one of ours. */
export function decodeCursor(text: string | undefined, path = 'query.before'): TimelineKey | null {
  if (text === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    value[0].length > 0 &&
    value[0].length <= 64 &&
    Number.isSafeInteger(value[1]) &&
    (value[1] as number) > 0
  ) {
    return { at: value[0], id: value[1] as number };
  }
  throw new BadRequestError('The cursor is not one this service gave out: start again from the first page.', [
    { path, message: 'Invalid cursor' },
  ]);
}

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** Fetch one entry more than asked: whether it came tells if there is an older page. */
export async function cursorPageOf<T>(
  paging: { before?: string; limit: number },
  keyOf: (item: T) => TimelineKey,
  fetch: (keyset: Keyset) => Promise<T[]>,
): Promise<CursorPage<T>> {
  const rows = await fetch({ before: decodeCursor(paging.before), limit: paging.limit + 1 });
  const items = rows.slice(0, paging.limit);
  return {
    items,
    nextCursor: rows.length > paging.limit ? encodeCursor(keyOf(items[items.length - 1])) : null,
  };
}
