import type { ActivityLabel, ActivityLabelKind } from '../../shared/schemas/activity-labels';
import { isSystemActor, type AuditActor, type TokenRecord } from './repository';

/**
 * What every storage backend reads and writes the same way: rows of the same columns made into the same records, the
 * audit log's row, and how typed text is read as a phone number. Each backend keeps its own SQL.
 */

/** An access token's columns. */
export interface TokenRow {
  id: number;
  advisor_id: number;
  name: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export const toTokenRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  advisorId: row.advisor_id,
  name: row.name,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** A call or task label's columns. */
export interface LabelRow {
  id: number;
  kind: ActivityLabelKind;
  key: string;
  name: string;
  retired_at: string | null;
}

export const toLabel = (row: LabelRow): ActivityLabel => ({
  id: row.id,
  kind: row.kind,
  key: row.key,
  name: row.name,
  retired: row.retired_at !== null,
});

/**
 * One audit log row's values after its id, in column order (at, actor_kind, actor_id, entity, entity_id, action,
 * details). A null actor is the system (as is a SystemActor); any other actor is an advisor.
 */
export function auditValues(
  actor: AuditActor | null,
  entity: string,
  entityId: number,
  action: string,
  details?: unknown,
): unknown[] {
  const advisorId = actor && !isSystemActor(actor) ? actor.advisorId : null;
  return [
    actor?.at ?? new Date().toISOString(),
    advisorId === null ? 'system' : 'advisor',
    advisorId,
    entity,
    entityId,
    action,
    details === undefined ? null : JSON.stringify(details),
  ];
}

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
