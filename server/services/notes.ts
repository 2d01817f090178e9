import type { z } from 'zod';
import type { CreateNoteRequest, Note, NoteShareTargets } from '../../shared/schemas/notes';
import { ForbiddenError, NotFoundError } from '../errors';
import { OpportunityAccess } from './access';
import { actorOf, checkedWrite, type Caller, type ServiceContext } from './context';
import type { PeopleService } from './people';

/**
 * A note is seen by its author and whoever it is shared with (directly or by team), nobody else:
 * not the owner, not a manager. Anyone who can read an opportunity may add a note to it; only the
 * author edits or shares it. A note the caller may not see answers 404, as if it did not exist.
 */
export class NoteService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly people: PeopleService,
  ) {}

  private async checkTargets(shareWith: z.output<typeof NoteShareTargets>, path: string) {
    await this.people.requireAdvisors(shareWith.advisorIds, `${path}.advisorIds`);
    await this.people.requireTeams(shareWith.teamIds, `${path}.teamIds`);
  }

  async add(caller: Caller, opportunityId: number, body: z.output<typeof CreateNoteRequest>): Promise<Note> {
    const shareWith = body.shareWith ?? { advisorIds: [], teamIds: [] };
    await this.checkTargets(shareWith, 'body.shareWith');
    return checkedWrite(
      this.ctx.repo,
      async (read) => {
        const opportunity = await new OpportunityAccess(this.ctx.repo, caller).readable(opportunityId);
        return this.ctx.repo.notes.create(
          opportunityId,
          opportunity.version,
          body.body,
          shareWith,
          actorOf(caller, this.ctx.clock, read),
        );
      },
      `Opportunity ${opportunityId} was changed by someone else at the same time; the note was not saved: try again.`,
    );
  }

  private async own(caller: Caller, id: number): Promise<Note> {
    const note = await this.ctx.repo.notes.findById(id);
    if (!note || !(await this.ctx.repo.notes.isVisibleTo(id, caller.id))) throw new NotFoundError(`Note ${id}`);
    if (note.author.id !== caller.id)
      throw new ForbiddenError(`Only ${note.author.displayName}, who wrote note ${id}, may change it.`);
    return note;
  }

  async edit(caller: Caller, id: number, body: string): Promise<Note> {
    await this.own(caller, id);
    return this.ctx.repo.notes.update(id, body, actorOf(caller, this.ctx.clock));
  }

  async share(caller: Caller, id: number, shareWith: z.output<typeof NoteShareTargets>): Promise<Note> {
    await this.own(caller, id);
    await this.checkTargets(shareWith, 'body');
    return this.ctx.repo.notes.share(id, shareWith, actorOf(caller, this.ctx.clock));
  }
}
