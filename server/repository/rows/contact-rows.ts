import type { Contact } from '../../../shared/schemas/contacts';

/** Contacts as both storage backends read them, and how typed text is read as a phone number. */

/** A contact's columns with its organization's name. */
export interface ContactRow {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  organization_id: number | null;
  organization_name: string | null;
  created_at: string;
}

/** An open opportunity of which a contact is the customer. */
export interface OpenOpportunityRow {
  id: number;
  topic: string;
  owner_id: number;
  customer_contact_id: number;
}

/** The contact with its open opportunities (`open`: those of all the contacts read, in the order to list them). */
export const toContact = (row: ContactRow, open: OpenOpportunityRow[]): Contact => ({
  id: row.id,
  name: row.name,
  email: row.email,
  phone: row.phone,
  organization: row.organization_id ? { id: row.organization_id, name: row.organization_name! } : null,
  createdAt: row.created_at,
  openOpportunities: open
    .filter((o) => o.customer_contact_id === row.id)
    .map((o) => ({ id: o.id, topic: o.topic, ownerId: o.owner_id })),
});

/**
 * Text that is only a phone number ("555-0134", "+1 (555) 013"): the prefixes of its digits to look for. A number
 * typed with its country code ("+44 20 7946", "0044 20 7946") is also looked for without its first one to three
 * digits, and one typed with a national trunk 0 ("020 7946") without that 0 (the index holds a number's digits and
 * its last ten). null: the text is words, or too few digits to look for.
 */
export function phonePrefixes(q: string): string[] | null {
  if (!/^[\d\s()+.\-/]+$/.test(q)) return null;
  const typed = q.trim();
  let digits = typed.replace(/\D/g, '');
  const prefixes = new Set<string>();
  if (typed.startsWith('+') || digits.startsWith('00')) {
    if (!typed.startsWith('+')) digits = digits.slice(2);
    for (let cut = 1; cut <= 3; cut++) prefixes.add(digits.slice(cut));
  } else if (digits.startsWith('0')) prefixes.add(digits.slice(1));
  prefixes.add(digits);
  const usable = [...prefixes].filter((prefix) => prefix.length >= 3);
  return usable.length ? usable : null;
}
