import type { z } from 'zod';
import type {
  ActivityLabel,
  CreateActivityLabelRequest,
  UpdateActivityLabelRequest,
} from '../../shared/schemas/activity-labels';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { actorOf, type Caller, type ServiceContext } from './context';

/** "Follow-up call" → "follow-up-call", "Réunion" → "reunion": the key a later issue's points are keyed by. */
export function keyOf(name: string): string {
  const key = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return key || 'entry';
}

/**
 * The categories and outcomes of phone calls and tasks: anyone signed in reads the list, only an admin
 * adds, renames or retires an entry. None is ever deleted, so the activities and points that name one keep it.
 */
export class ActivityLabelService {
  constructor(private readonly ctx: ServiceContext) {}

  private requireAdmin(caller: Caller): void {
    if (caller.role !== 'admin') throw new ForbiddenError('Only an admin changes the categories and outcomes.');
  }

  list(): Promise<ActivityLabel[]> {
    return this.ctx.repo.activityLabels.list();
  }

  private taken(name: string): ConflictError {
    return new ConflictError(`"${name}" is in the list already.`, [
      { path: 'body.name', message: 'This name is in the list already' },
    ]);
  }

  async create(caller: Caller, body: z.output<typeof CreateActivityLabelRequest>): Promise<ActivityLabel> {
    this.requireAdmin(caller);
    const created = await this.ctx.repo.activityLabels.create(
      body.kind,
      keyOf(body.name),
      body.name,
      actorOf(caller, this.ctx.clock),
    );
    if (created === 'taken') throw this.taken(body.name);
    return created;
  }

  async update(caller: Caller, id: number, body: z.output<typeof UpdateActivityLabelRequest>): Promise<ActivityLabel> {
    this.requireAdmin(caller);
    if (!(await this.ctx.repo.activityLabels.findById(id))) throw new NotFoundError(`Category or outcome ${id}`);
    const updated = await this.ctx.repo.activityLabels.update(id, body, actorOf(caller, this.ctx.clock));
    if (updated === 'taken') throw this.taken(body.name ?? '');
    if (!updated) throw new NotFoundError(`Category or outcome ${id}`);
    return updated;
  }
}
