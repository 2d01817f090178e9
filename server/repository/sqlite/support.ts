import type { Db } from '../../db/connection';
import type { Actor } from '../repository';

/** Binds a list of ids or strings as one parameter: `IN (SELECT value FROM json_each(?))`. */
export const list = (values: readonly (number | string)[]): string => JSON.stringify(values);

export function writeAudit(db: Db, actor: Actor | null, entity: string, entityId: number, action: string, details?: unknown): void {
  db.prepare(
    'INSERT INTO audit_log (at, actor_id, entity, entity_id, action, details) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(actor?.at ?? new Date().toISOString(), actor?.advisorId ?? null, entity, entityId, action, details === undefined ? null : JSON.stringify(details));
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error as { code: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Escapes LIKE wildcards so a user's text matches literally (with ESCAPE '\'). */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
