import type { Db } from '../../db/connection';
import type { Note } from '../../../shared/schemas/notes';
import type { Actor, Keyset, NoteStore, ShareTargets } from '../repository';
import { toNotes, type NoteRow, type SharedAdvisorRow, type SharedTeamRow } from '../rows/note-rows';
import { checkedLimit } from '../rows/page-size';
import { write } from './writes';
import { list, opportunityAt, rightsHold, writeAudit, sql } from './support';

const SELECT_NOTE = `SELECT n.*, a.display_name AS author_name, a.email AS author_email
  FROM notes n JOIN advisors a ON a.id = n.author_id`;

/** The one definition of who may see a note: its author, and whoever it is shared with directly or by team. */
export const NOTE_VISIBLE_TO = (noteAlias: string, advisorParam: string) => `(
  ${noteAlias}.author_id = ${advisorParam}
  OR EXISTS (
    SELECT 1 FROM note_shares s WHERE s.note_id = ${noteAlias}.id
      AND (s.advisor_id = ${advisorParam}
           OR s.team_id IN (SELECT team_id FROM team_members WHERE advisor_id = ${advisorParam}))
  ))`;

export function loadNotes(db: Db, where: string, params: Record<string, unknown>): Note[] {
  const rows = sql(db, `${SELECT_NOTE} WHERE ${where}`).all(params) as NoteRow[];
  if (rows.length === 0) return [];
  const ids = list(rows.map((row) => row.id));
  const advisors = sql(
    db,
    `SELECT s.note_id, a.id, a.display_name, a.email FROM note_shares s JOIN advisors a ON a.id = s.advisor_id
       WHERE s.note_id IN (SELECT value FROM json_each(?)) ORDER BY a.display_name`,
  ).all(ids) as SharedAdvisorRow[];
  const teams = sql(
    db,
    `SELECT s.note_id, t.id, t.name FROM note_shares s JOIN teams t ON t.id = s.team_id
       WHERE s.note_id IN (SELECT value FROM json_each(?)) ORDER BY t.name`,
  ).all(ids) as SharedTeamRow[];
  return toNotes(rows, advisors, teams);
}

export function addShares(db: Db, noteId: number, shareWith: ShareTargets): void {
  const toAdvisor = sql(db, 'INSERT OR IGNORE INTO note_shares (note_id, advisor_id) VALUES (?, ?)');
  const toTeam = sql(db, 'INSERT OR IGNORE INTO note_shares (note_id, team_id) VALUES (?, ?)');
  for (const advisorId of shareWith.advisorIds) toAdvisor.run(noteId, advisorId);
  for (const teamId of shareWith.teamIds) toTeam.run(noteId, teamId);
}

/** Call inside a transaction. */
export function insertNote(db: Db, opportunityId: number, body: string, shareWith: ShareTargets, actor: Actor): number {
  const id = Number(
    sql(db, 'INSERT INTO notes (opportunity_id, author_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
      opportunityId,
      actor.advisorId,
      body,
      actor.at,
      actor.at,
    ).lastInsertRowid,
  );
  addShares(db, id, {
    advisorIds: shareWith.advisorIds.filter((a) => a !== actor.advisorId),
    teamIds: shareWith.teamIds,
  });
  writeAudit(db, actor, 'note', id, 'create', { opportunityId, shareWith });
  return id;
}

/** The newest notes (up to `perOpportunity` each) the advisor may see on each of the opportunities, newest first. */
export function visibleNotesOnMany(
  db: Db,
  opportunityIds: number[],
  advisorId: number,
  perOpportunity: number,
): Note[] {
  return loadNotes(
    db,
    `n.id IN (SELECT id FROM (
         SELECT v.id, row_number() OVER (PARTITION BY v.opportunity_id ORDER BY v.created_at DESC, v.id DESC) AS rank
         FROM notes v WHERE v.opportunity_id IN (SELECT value FROM json_each(:ids)) AND ${NOTE_VISIBLE_TO('v', ':me')}
       ) WHERE rank <= :per)
     ORDER BY n.created_at DESC, n.id DESC`,
    { ids: list(opportunityIds), me: advisorId, per: perOpportunity },
  );
}

export class SqliteNoteStore implements NoteStore {
  constructor(private readonly db: Db) {}

  private get(id: number): Note {
    return loadNotes(this.db, 'n.id = :id', { id })[0];
  }

  async findById(id: number) {
    return loadNotes(this.db, 'n.id = :id', { id })[0] ?? null;
  }

  async isVisibleTo(noteId: number, advisorId: number) {
    return (
      sql(this.db, `SELECT 1 FROM notes n WHERE n.id = :id AND ${NOTE_VISIBLE_TO('n', ':me')}`).get({
        id: noteId,
        me: advisorId,
      }) !== undefined
    );
  }

  async visibleOn(opportunityId: number, advisorId: number, page: Keyset) {
    return loadNotes(
      this.db,
      `n.opportunity_id = :opportunityId AND ${NOTE_VISIBLE_TO('n', ':me')}
         AND (:at IS NULL OR n.created_at < :at OR (n.created_at = :at AND n.id < :before))
       ORDER BY n.created_at DESC, n.id DESC LIMIT ${checkedLimit(page.limit)}`,
      {
        opportunityId,
        me: advisorId,
        at: page.before?.at ?? null,
        before: page.before?.id ?? null,
      },
    );
  }

  async visibleOnMany(opportunityIds: number[], advisorId: number, perOpportunity: number) {
    return visibleNotesOnMany(this.db, opportunityIds, advisorId, perOpportunity);
  }

  async create(opportunityId: number, opportunityVersion: number, body: string, shareWith: ShareTargets, actor: Actor) {
    const id = await write(this.db, () =>
      opportunityAt(this.db, opportunityId, opportunityVersion) && rightsHold(this.db, actor)
        ? insertNote(this.db, opportunityId, body, shareWith, actor)
        : null,
    );
    return id === null ? 'stale' : this.get(id);
  }

  async update(id: number, body: string, actor: Actor) {
    await write(this.db, () => {
      sql(this.db, 'UPDATE notes SET body = ?, updated_at = ? WHERE id = ?').run(body, actor.at, id);
      writeAudit(this.db, actor, 'note', id, 'update');
    });
    return this.get(id);
  }

  async share(id: number, shareWith: ShareTargets, actor: Actor) {
    await write(this.db, () => {
      addShares(this.db, id, shareWith);
      writeAudit(this.db, actor, 'note', id, 'share', shareWith);
    });
    return this.get(id);
  }
}
