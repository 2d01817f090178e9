import type { Note } from '../../../shared/schemas/notes';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type { Actor, Keyset, NoteStore, ShareTargets } from '../repository';
import { toNotes, type NoteRow, type SharedAdvisorRow, type SharedTeamRow } from '../rows/note-rows';
import { checkedLimit } from '../rows/page-size';
import { opportunityAt, rightsHold } from './activities';
import { writeAudit, type Queryable } from './support';

const SELECT_NOTE = `SELECT n.id, n.opportunity_id, n.author_id, a.display_name AS author_name, a.email AS author_email,
    n.body, n.created_at, n.updated_at
  FROM notes n JOIN advisors a ON a.id = n.author_id`;

/**
 * The one definition of who may see a note (as the SQLite backend's NOTE_VISIBLE_TO): its author, and whoever it is
 * shared with directly or by team. `advisorParam` is the advisor's placeholder (`$2`).
 */
export const NOTE_VISIBLE_TO = (noteAlias: string, advisorParam: string) => `(
  ${noteAlias}.author_id = ${advisorParam}
  OR EXISTS (
    SELECT 1 FROM note_shares s WHERE s.note_id = ${noteAlias}.id
      AND (s.advisor_id = ${advisorParam}
           OR s.team_id IN (SELECT team_id FROM team_members WHERE advisor_id = ${advisorParam}))
  ))`;

/** The notes `where` (with its own ORDER BY and LIMIT) selects, with their authors and shares. */
export async function loadNotes(db: Queryable, where: string, params: unknown[]): Promise<Note[]> {
  const { rows } = await db.query<NoteRow>(`${SELECT_NOTE} WHERE ${where}`, params);
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  // Shared advisors by display name as written (SQLite's BINARY order), teams by name whatever its case (NOCASE).
  const advisors = await db.query<SharedAdvisorRow>(
    `SELECT s.note_id, a.id, a.display_name, a.email FROM note_shares s JOIN advisors a ON a.id = s.advisor_id
      WHERE s.note_id = ANY($1::bigint[]) ORDER BY a.display_name COLLATE "C", a.id`,
    [ids],
  );
  const teams = await db.query<SharedTeamRow>(
    `SELECT s.note_id, t.id, t.name FROM note_shares s JOIN teams t ON t.id = s.team_id
      WHERE s.note_id = ANY($1::bigint[]) ORDER BY lower(t.name) COLLATE "C", t.id`,
    [ids],
  );
  return toNotes(rows, advisors.rows, teams.rows);
}

/** Shares the note with the advisors and teams not shared with yet; call inside a transaction. */
export async function addShares(db: Queryable, noteId: number, shareWith: ShareTargets): Promise<void> {
  // One by one in the order given, as the SQLite backend does (the ids of the shares follow it).
  for (const advisorId of shareWith.advisorIds)
    await db.query('INSERT INTO note_shares (note_id, advisor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      noteId,
      advisorId,
    ]);
  for (const teamId of shareWith.teamIds)
    await db.query('INSERT INTO note_shares (note_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      noteId,
      teamId,
    ]);
}

/**
 * A new note by the actor, shared as asked (never with its author), audited; returns its id. Call inside a
 * transaction (the opportunity's create writes its first note with it).
 */
export async function insertNote(
  db: Queryable,
  opportunityId: number,
  body: string,
  shareWith: ShareTargets,
  actor: Actor,
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO notes (opportunity_id, author_id, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
     RETURNING id`,
    [opportunityId, actor.advisorId, body, actor.at],
  );
  const id = rows[0].id;
  await addShares(db, id, {
    advisorIds: shareWith.advisorIds.filter((a) => a !== actor.advisorId),
    teamIds: shareWith.teamIds,
  });
  await writeAudit(db, actor, 'note', id, 'create', { opportunityId, shareWith });
  return id;
}

/** The newest notes (up to `perOpportunity` each) the advisor may see on each of the opportunities, newest first. */
export function visibleNotesOnMany(
  db: Queryable,
  opportunityIds: number[],
  advisorId: number,
  perOpportunity: number,
): Promise<Note[]> {
  return loadNotes(
    db,
    `n.id IN (SELECT id FROM (
         SELECT v.id, row_number() OVER (PARTITION BY v.opportunity_id ORDER BY v.created_at DESC, v.id DESC) AS rank
         FROM notes v WHERE v.opportunity_id = ANY($1::bigint[]) AND ${NOTE_VISIBLE_TO('v', '$2::bigint')}
       ) ranked WHERE rank <= $3)
     ORDER BY n.created_at DESC, n.id DESC`,
    [opportunityIds, advisorId, perOpportunity],
  );
}

export class PostgresNoteStore implements NoteStore {
  constructor(private readonly db: Postgres) {}

  private async get(id: number): Promise<Note> {
    return (await loadNotes(this.db, 'n.id = $1', [id]))[0];
  }

  async findById(id: number) {
    return (await loadNotes(this.db, 'n.id = $1', [id]))[0] ?? null;
  }

  async isVisibleTo(noteId: number, advisorId: number) {
    const { rowCount } = await this.db.query(
      `SELECT 1 FROM notes n WHERE n.id = $1 AND ${NOTE_VISIBLE_TO('n', '$2::bigint')}`,
      [noteId, advisorId],
    );
    return Boolean(rowCount);
  }

  visibleOn(opportunityId: number, advisorId: number, page: Keyset) {
    return loadNotes(
      this.db,
      `n.opportunity_id = $1 AND ${NOTE_VISIBLE_TO('n', '$2::bigint')}
         AND ($3::timestamptz IS NULL OR n.created_at < $3 OR (n.created_at = $3 AND n.id < $4))
       ORDER BY n.created_at DESC, n.id DESC LIMIT ${checkedLimit(page.limit)}`,
      [opportunityId, advisorId, page.before?.at ?? null, page.before?.id ?? null],
    );
  }

  visibleOnMany(opportunityIds: number[], advisorId: number, perOpportunity: number) {
    return visibleNotesOnMany(this.db, opportunityIds, advisorId, perOpportunity);
  }

  async create(opportunityId: number, opportunityVersion: number, body: string, shareWith: ShareTargets, actor: Actor) {
    const id = await transaction(this.db, async (db) =>
      (await opportunityAt(db, opportunityId, opportunityVersion)) && (await rightsHold(db, actor))
        ? insertNote(db, opportunityId, body, shareWith, actor)
        : null,
    );
    return id === null ? ('stale' as const) : this.get(id);
  }

  async update(id: number, body: string, actor: Actor) {
    await transaction(this.db, async (db) => {
      await db.query('UPDATE notes SET body = $1, updated_at = $2 WHERE id = $3', [body, actor.at, id]);
      await writeAudit(db, actor, 'note', id, 'update');
    });
    return this.get(id);
  }

  async share(id: number, shareWith: ShareTargets, actor: Actor) {
    await transaction(this.db, async (db) => {
      await addShares(db, id, shareWith);
      await writeAudit(db, actor, 'note', id, 'share', shareWith);
    });
    return this.get(id);
  }
}
