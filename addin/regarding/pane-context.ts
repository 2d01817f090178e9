import type { Me } from '../../shared/schemas/advisors';
import type { Activity } from '../../shared/schemas/activities';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { PaneContext } from '../../shared/schemas/pane';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { existingItemId, type ItemSnapshot } from '../office/item';
import { chunked, SUGGESTION_LIMIT } from './people-queries';

/** The lookup loadRegarding makes first for an item, answered ahead: `activity` null where the lookup says 404. */
export interface KnownLookup {
  query: { internetMessageId?: string; itemId?: string };
  activity: Activity | null;
}

/** What one pane-context request answered for an item: its first lookup, and the suggestions for its first people. */
export interface ItemContext {
  lookup: KnownLookup | null;
  /** The suggestions for the first REPEATED_MAX people (the rest are asked apart: suggestionsFor). */
  suggestions: OpportunitySummary[];
}

interface ContextQuery {
  internetMessageId?: string;
  itemId?: string;
  email: string[];
  limit: number;
}

/** The item's people the Suggested view asks about: everyone on it but the advisor. */
export function peopleOf(snapshot: ItemSnapshot, myEmail: string): string[] {
  return [...new Set(snapshot.participants.map((p) => p.email).filter((email) => email !== myEmail))];
}

/** The identity loadRegarding looks the item up by first (an email's message id, an appointment's series or item id). */
async function firstLookup(snapshot: ItemSnapshot): Promise<KnownLookup['query'] | null> {
  if (snapshot.kind === 'email')
    return snapshot.internetMessageId ? { internetMessageId: snapshot.internetMessageId } : null;
  const itemId = snapshot.seriesId ?? (await existingItemId(snapshot.handle).catch(() => null));
  return itemId ? { itemId } : null;
}

async function contextQuery(snapshot: ItemSnapshot, people: string[]): Promise<ContextQuery> {
  return { ...(await firstLookup(snapshot)), email: chunked(people)[0] ?? [], limit: SUGGESTION_LIMIT };
}

const sameQuery = (a: ContextQuery, b: ContextQuery) =>
  a.internetMessageId === b.internetMessageId &&
  a.itemId === b.itemId &&
  a.limit === b.limit &&
  a.email.join(' ') === b.email.join(' ');

function itemContextOf(query: ContextQuery, answer: PaneContext): ItemContext {
  const { email: _email, limit: _limit, ...lookup } = query;
  return {
    lookup: lookup.internetMessageId || lookup.itemId ? { query: lookup, activity: answer.activity } : null,
    suggestions: answer.suggestions,
  };
}

/** The context fetched as the pane opened, kept for the Set Regarding of that item (taken once: see itemContext). */
const opening = new WeakMap<ApiClient, { query: ContextQuery; answer: PaneContext; at: number }>();
/** Set Regarding shows at once after sign-in: an answer kept longer (the advisor went elsewhere first) is asked again. */
const KEPT_MS = 30_000;

/**
 * The pane's sign-in check with a saved token when it opens on an item: one request answers who the advisor is, and
 * what Set Regarding shows first (the item's activity and suggestions), kept for it. The item's people may hold an
 * address the service refuses (a 400): then the check is GET /me alone, and Set Regarding asks as it did before.
 * `snapshot`: the item as the pane opened on it (null: none could be read).
 */
export async function openWithContext(
  api: ApiClient,
  token: string,
  myEmail: string,
  snapshot: ItemSnapshot | null,
): Promise<Me> {
  const query = snapshot ? await contextQuery(snapshot, peopleOf(snapshot, myEmail)) : { email: [], limit: 1 };
  try {
    const answer = await api.send('paneContext', { query }, token);
    if (snapshot) opening.set(api, { query, answer, at: Date.now() });
    return answer.me;
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401 && !error.unreachable) return api.send('getMe', {}, token);
    throw error;
  }
}

/**
 * What the service knows of this item for Set Regarding: the context fetched as the pane opened, when it was for
 * this item, else one pane-context request (the pinned pane moved to another item). null when that request failed
 * (refused an address, or the service is unreachable): the flow then asks each part apart and reports as it always
 * did, e.g. keeps an unsynced change on the item when the service is unreachable.
 */
export async function itemContext(
  api: ApiClient,
  snapshot: ItemSnapshot,
  people: string[],
  signal: AbortSignal,
): Promise<ItemContext | null> {
  const query = await contextQuery(snapshot, people);
  const kept = opening.get(api);
  opening.delete(api);
  if (kept && sameQuery(kept.query, query) && Date.now() - kept.at < KEPT_MS) return itemContextOf(query, kept.answer);
  try {
    return itemContextOf(query, await api.call('paneContext', { query, signal }));
  } catch {
    return null;
  }
}
