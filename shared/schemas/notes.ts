import { z } from 'zod';
import { AdvisorRef, Id, IsoDateTime, TeamRef } from './common';

/** Who a note is shared with, besides its author. */
export const NoteShareTargets = z
  .object({
    advisorIds: z.array(Id).max(200).default([]),
    teamIds: z.array(Id).max(50).default([]),
  })
  .meta({ id: 'NoteShareTargets' });
export type NoteShareTargets = z.input<typeof NoteShareTargets>;

export const Note = z
  .object({
    id: Id,
    opportunityId: Id,
    author: AdvisorRef,
    body: z.string(),
    createdAt: IsoDateTime,
    updatedAt: IsoDateTime,
    sharedWith: z.object({ advisors: z.array(AdvisorRef), teams: z.array(TeamRef) }),
  })
  .meta({ id: 'Note' });
export type Note = z.infer<typeof Note>;

export const CreateNoteRequest = z
  .object({ body: z.string().trim().min(1).max(10_000), shareWith: NoteShareTargets.optional() })
  .meta({ id: 'CreateNoteRequest' });
export type CreateNoteRequest = z.input<typeof CreateNoteRequest>;

export const UpdateNoteRequest = z
  .object({ body: z.string().trim().min(1).max(10_000) })
  .meta({ id: 'UpdateNoteRequest' });
