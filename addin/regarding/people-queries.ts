import type { Contact } from '../../shared/schemas/contacts';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import { PAGE_MAX, REPEATED_MAX } from '../../shared/constants';
import type { ApiClient } from '../api/client';

/**
 * An item can have hundreds of people (a meeting, a mailing), and the service takes at most REPEATED_MAX
 * addresses per request (a longer query string would also outgrow request-line limits). So the pane asks in
 * chunks of that size, one request at a time, and merges the answers.
 */
export function chunked<T>(items: T[], size = REPEATED_MAX): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

/** How many suggestions Set Regarding's lookup shows. */
export const SUGGESTION_LIMIT = 20;

/** The suggestions for these people when `first` (the answer for the first chunk) already covers all of them. */
export function knownSuggestions(
  people: string[],
  limit: number,
  first: OpportunitySummary[] | undefined,
): OpportunitySummary[] | null {
  if (!first || people.length === 0 || people.length > REPEATED_MAX) return null;
  const found = new Map<number, OpportunitySummary>();
  for (const summary of first) if (!found.has(summary.id)) found.set(summary.id, summary);
  return [...found.values()].slice(0, limit);
}

/**
 * Open opportunities of any of these people (first people first, as the item lists them), at most `limit`.
 * `first`: the answer for the first chunk, when the pane context brought it (pane-context.ts).
 */
export async function suggestionsFor(
  api: ApiClient,
  people: string[],
  limit: number,
  signal: AbortSignal,
  first?: OpportunitySummary[],
): Promise<OpportunitySummary[]> {
  const found = new Map<number, OpportunitySummary>();
  for (const [index, chunk] of chunked(people).entries()) {
    const answer =
      index === 0 && first ? first : await api.call('suggestOpportunities', { query: { email: chunk, limit }, signal });
    for (const summary of answer) if (!found.has(summary.id)) found.set(summary.id, summary);
    if (found.size >= limit) break;
  }
  return [...found.values()].slice(0, limit);
}

/** The known contacts among these addresses (every one of them, whatever their number). */
export async function contactsFor(api: ApiClient, emails: string[], signal: AbortSignal): Promise<Contact[]> {
  const contacts: Contact[] = [];
  for (const chunk of chunked(emails))
    contacts.push(...(await api.call('searchContacts', { query: { email: chunk, limit: PAGE_MAX }, signal })).items);
  return contacts;
}
