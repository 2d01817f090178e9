import { useEffect, useState } from 'react';
import type { Contact, Organization } from '../../shared/schemas/contacts';
import type { ApiClient } from '../api/client';
import { isAbort } from '../api/errors';
import { errorText } from '../ui/useAction';

export interface Matches {
  q: string;
  contacts: Contact[];
  organizations: Organization[];
  /** The search failed: nothing is known to match or not (so nothing may be created as if none did). */
  failure: string | null;
}

/** Contacts (and organizations) matching the text, after a short pause in typing. */
export function useMatches(api: ApiClient, text: string, organizations: boolean): Matches | null {
  const [matches, setMatches] = useState<Matches | null>(null);
  useEffect(() => {
    const q = text.trim();
    if (q.length < 2) {
      setMatches(null);
      return;
    }
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(() => {
      Promise.all([
        api.call('searchContacts', { query: { q, limit: 8 }, signal }),
        organizations
          ? api.call('searchOrganizations', { query: { q, limit: 5 }, signal })
          : Promise.resolve({ items: [] }),
      ]).then(
        ([contacts, found]) => setMatches({ q, contacts: contacts.items, organizations: found.items, failure: null }),
        (error: unknown) => {
          if (!isAbort(error)) setMatches({ q, contacts: [], organizations: [], failure: errorText(error) });
        },
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, text, organizations]);
  return matches;
}
