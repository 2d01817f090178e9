import type { Note } from '../../../shared/schemas/notes';

/** Notes as both storage backends read them: rows of the same columns made into the same records. */

/** A note's columns with its author's name and address. */
export interface NoteRow {
  id: number;
  opportunity_id: number;
  author_id: number;
  author_name: string;
  author_email: string;
  body: string;
  created_at: string;
  updated_at: string;
}

/** An advisor a note is shared with. */
export interface SharedAdvisorRow {
  note_id: number;
  id: number;
  display_name: string;
  email: string;
}

/** A team a note is shared with. */
export interface SharedTeamRow {
  note_id: number;
  id: number;
  name: string;
}

/** The notes, each with the advisors and teams it is shared with (`advisors`, `teams`: of all of them, in order). */
export const toNotes = (rows: NoteRow[], advisors: SharedAdvisorRow[], teams: SharedTeamRow[]): Note[] =>
  rows.map((row) => ({
    id: row.id,
    opportunityId: row.opportunity_id,
    author: { id: row.author_id, displayName: row.author_name, email: row.author_email },
    body: row.body,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sharedWith: {
      advisors: advisors
        .filter((a) => a.note_id === row.id)
        .map((a) => ({ id: a.id, displayName: a.display_name, email: a.email })),
      teams: teams.filter((t) => t.note_id === row.id).map((t) => ({ id: t.id, name: t.name })),
    },
  }));
