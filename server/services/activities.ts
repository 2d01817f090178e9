import type { z } from 'zod';
import type {
  Activity,
  ActivityLookupQuery,
  ActivityStatus,
  CompleteSentRequest,
  CreateActivityRequest,
  OutlookItem,
  SetRegardingRequest,
} from '../../shared/schemas/activities';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { OutlookItemFields } from '../repository/repository';
import { OpportunityAccess } from './access';
import { actorOf, utc, type Caller, type ServiceContext } from './context';

/**
 * Set Regarding and the other activity rules. Anyone may link an item to an opportunity they can
 * read; once linked, only the advisor who linked it, or who may act on its opportunity, moves or
 * removes the link (so one advisor cannot silently take another's email off an opportunity).
 */
export class ActivityService {
  constructor(private readonly ctx: ServiceContext) {}

  toItemFields(item: z.output<typeof OutlookItem>): OutlookItemFields {
    return {
      kind: item.kind,
      internetMessageId: item.internetMessageId ?? null,
      trackingToken: item.trackingToken?.toLowerCase() ?? null,
      itemId: item.itemId ?? null,
      conversationId: item.conversationId ?? null,
      subject: item.subject,
      participants: item.participants.map((p) => ({ email: p.email, name: p.name ?? null, role: p.role })),
      sentAt: utc(item.sentAt),
      startAt: utc(item.startAt),
      endAt: utc(item.endAt),
      location: item.location ?? null,
    };
  }

  private async mayRelink(caller: Caller, activity: Activity, targetOpportunityId: number | null): Promise<boolean> {
    if (!activity.regarding || activity.regarding.id === targetOpportunityId) return true;
    if (activity.createdBy.id === caller.id) return true;
    const current = await this.ctx.repo.opportunities.findById(activity.regarding.id);
    return current !== null && (await new OpportunityAccess(this.ctx.repo, caller).canAct(current));
  }

  private async requireRelink(caller: Caller, activity: Activity, targetOpportunityId: number | null): Promise<void> {
    if (!(await this.mayRelink(caller, activity, targetOpportunityId))) {
      const current = (await this.asSeenBy(caller, activity)).regarding!;
      const what = 'hidden' in current ? 'a closed opportunity you cannot open' : `"${current.topic}"`;
      throw new ForbiddenError(
        `This item is already regarding ${what}, linked by ${activity.createdBy.displayName}; ` +
          'only they or whoever handles that opportunity may change it.',
      );
    }
  }

  /** Before linking an item somewhere: may the caller move it off what it is linked to now? */
  async checkRelinkAllowed(
    caller: Caller,
    item: OutlookItemFields,
    targetOpportunityId: number | null = null,
  ): Promise<void> {
    const existing = await this.ctx.repo.activities.findByIdentity(item);
    if (existing) await this.requireRelink(caller, existing, targetOpportunityId);
  }

  async setRegarding(caller: Caller, body: z.output<typeof SetRegardingRequest>): Promise<Activity> {
    await new OpportunityAccess(this.ctx.repo, caller).readable(body.opportunityId);
    const item = this.toItemFields(body.item);
    await this.checkRelinkAllowed(caller, item, body.opportunityId);
    return this.ctx.repo.activities.upsertRegarding(item, body.opportunityId, actorOf(caller, this.ctx.clock));
  }

  /**
   * The activity as the caller may see it. Whoever has the item may look its activity up, but the
   * opportunity it is regarding shows only if the caller may read it (not a closed one of someone else).
   */
  private async asSeenBy(caller: Caller, activity: Activity): Promise<Activity> {
    const regarding = activity.regarding;
    if (!regarding || 'hidden' in regarding || regarding.status === 'open') return activity;
    const opportunity = await this.ctx.repo.opportunities.findById(regarding.id);
    if (opportunity && (await new OpportunityAccess(this.ctx.repo, caller).canRead(opportunity))) return activity;
    return { ...activity, regarding: { id: regarding.id, hidden: true } };
  }

  async lookup(caller: Caller, query: z.output<typeof ActivityLookupQuery>): Promise<Activity> {
    const activity = await this.ctx.repo.activities.findByIdentity({
      ...query,
      trackingToken: query.trackingToken?.toLowerCase(),
    });
    if (!activity) throw new NotFoundError('An activity for this item');
    return this.asSeenBy(caller, activity);
  }

  private async existing(id: number): Promise<Activity> {
    const activity = await this.ctx.repo.activities.findById(id);
    if (!activity) throw new NotFoundError(`Activity ${id}`);
    return activity;
  }

  async changeRegarding(caller: Caller, id: number, opportunityId: number): Promise<Activity> {
    const activity = await this.existing(id);
    await new OpportunityAccess(this.ctx.repo, caller).readable(opportunityId);
    await this.requireRelink(caller, activity, opportunityId);
    return this.ctx.repo.activities.setRegarding(id, opportunityId, actorOf(caller, this.ctx.clock));
  }

  async removeRegarding(caller: Caller, id: number): Promise<Activity> {
    const activity = await this.existing(id);
    await this.requireRelink(caller, activity, null);
    return this.ctx.repo.activities.setRegarding(id, null, actorOf(caller, this.ctx.clock));
  }

  async completeSent(caller: Caller, id: number, body: z.output<typeof CompleteSentRequest>): Promise<Activity> {
    const activity = await this.existing(id);
    if (activity.kind !== 'email') throw new ConflictError(`Activity ${id} is not an email.`);
    if (activity.outlook.internetMessageId !== null) {
      if (activity.outlook.internetMessageId === body.internetMessageId) return this.asSeenBy(caller, activity);
      throw new ConflictError(`Activity ${id} is already the sent message ${activity.outlook.internetMessageId}.`);
    }
    await this.requireRelink(caller, activity, null);
    const completed = await this.ctx.repo.activities.completeSent(
      id,
      {
        internetMessageId: body.internetMessageId,
        conversationId: body.conversationId ?? null,
        sentAt: utc(body.sentAt),
      },
      actorOf(caller, this.ctx.clock),
    );
    return this.asSeenBy(caller, completed);
  }

  async createNextStep(caller: Caller, body: z.output<typeof CreateActivityRequest>): Promise<Activity> {
    const opportunity = await new OpportunityAccess(this.ctx.repo, caller).readable(body.opportunityId);
    if (opportunity.status !== 'open')
      throw new ConflictError(`Opportunity ${opportunity.id} is ${opportunity.status}: reopen it first.`);
    return this.ctx.repo.activities.createNextStep(
      {
        kind: body.kind,
        subject: body.subject,
        opportunityId: body.opportunityId,
        startAt: utc(body.startAt),
        endAt: utc(body.endAt),
      },
      actorOf(caller, this.ctx.clock),
    );
  }

  async setStatus(caller: Caller, id: number, status: ActivityStatus): Promise<Activity> {
    const activity = await this.existing(id);
    await this.requireRelink(caller, activity, null);
    return this.ctx.repo.activities.setStatus(id, status, actorOf(caller, this.ctx.clock));
  }
}
