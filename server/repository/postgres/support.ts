import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { AuditActor } from '../repository';
import { auditValues } from '../rows/audit-rows';

/** A pool or one of its clients inside a transaction: what a store's statements run on. */
export type Queryable = pg.Pool | pg.PoolClient;

/** Records a change in the audit log, in the caller's transaction (as the SQLite backend's writeAudit). */
export async function writeAudit(
  db: Queryable,
  actor: AuditActor | null,
  entity: string,
  entityId: number,
  action: string,
  details?: unknown,
): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (at, actor_kind, actor_id, entity, entity_id, action, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    auditValues(actor, entity, entityId, action, details),
  );
}

/**
 * A column of the row of `table` whose id is `id`, as a subquery: one index probe. The wide reads name their
 * related rows this way, not with joins: their statements are planned on every request, and PostgreSQL's search
 * for a join order over eight or nine tables took 17–90 ms here, where running them took 1–2 ms.
 */
export const columnOf = (table: string, column: string, id: string) =>
  `(SELECT n.${column} FROM ${table} n WHERE n.id = ${id})`;

/** Rows as arrays of their columns in SELECT order (cheaper than named rows for the wide opportunity rows). */
export async function arrays<R extends unknown[]>(
  db: Queryable,
  text: string,
  values: unknown[],
  { named = false }: { named?: boolean } = {},
): Promise<R[]> {
  return (await db.query<R>({ text, values, rowMode: 'array', name: named ? statementName(text) : undefined })).rows;
}

/**
 * A statement's name from its text: a statement named is parsed once per connection (the driver keeps its name), and
 * PostgreSQL may plan it once for every value (after five runs under `auto`; at once on the lookup pool), so only a
 * statement whose plan holds for every value may be named. For the statements of every keystroke, whose text is one
 * of a few per view.
 */
function statementName(text: string): string {
  return `s-${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
}

/**
 * The advisory lock between team membership changes (exclusive) and the writes whose rules read memberships (shared):
 * a write's check of the teams version holds until it commits, and a membership change waits for it (or it for the
 * change, then finds the version moved). An advisory lock writes no row, unlike `FOR SHARE` on team_changes, which
 * every write on every instance would take on the same row.
 */
const TEAMS_LOCK = 0x5445_414d; // "TEAM"

/** Inside a team membership change: rules checked before it must be checked again (Actor.teamsVersion). */
export async function bumpTeamsVersion(db: Queryable): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [TEAMS_LOCK]);
  await db.query('UPDATE team_changes SET version = version + 1 WHERE id = 1');
}

/** The teams version, held (shared) until the caller's transaction ends: see TEAMS_LOCK. */
export async function heldTeamsVersion(db: Queryable): Promise<number> {
  await db.query('SELECT pg_advisory_xact_lock_shared($1)', [TEAMS_LOCK]);
  return (await db.query<{ version: number }>('SELECT version FROM team_changes WHERE id = 1')).rows[0].version;
}

/** PostgreSQL's unique_violation. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** Escapes LIKE wildcards so a user's text matches literally (PostgreSQL's default escape is `\`). */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
