import type { z } from 'zod';
import type {
  Activity,
  ActivityLookupQuery,
  CompleteSentRequest,
  CreateActivityRequest,
  OutlookItem,
  SetRegardingRequest,
  UpdateActivityStatusRequest,
} from '../../shared/schemas/activities';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { ActivityMatches, ActivityRecord, OutlookItemFields, Stale } from '../repository/repository';
import { OpportunityAccess } from './access';
import { checkHappened, checkLoggedFields, checkTimes } from './call-and-task-rules';
import { actorOf, checkedWrite, utc, type Caller, type RulesRead, type ServiceContext } from './context';

/**
 * Set Regarding and the other activity rules. Anyone may link an item to an opportunity they can
 * read. Once recorded, an activity's content, link and status are changed only by the advisor who
 * recorded it or by whoever may act on the opportunity it is regarding now, so one advisor cannot
 * silently take, rewrite or fold away another's email. An unlinked activity is its creator's alone.
 * Each write is conditional on the state its check saw: if that moved, the rule is checked again.
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
      mailbox: item.mailbox ?? null,
    };
  }

  /** Its creator, or whoever may act on the opportunity it is regarding now. */
  private async mayChange(caller: Caller, activity: ActivityRecord): Promise<boolean> {
    if (activity.createdBy.id === caller.id) return true;
    if (!activity.regarding) return false;
    const current = await this.ctx.repo.opportunities.findById(activity.regarding.id);
    return current !== null && (await new OpportunityAccess(this.ctx.repo, caller).canAct(current));
  }

  /** A refusal that names no one the caller may not see (an opportunity's owner only if they may read it). */
  private async refusal(caller: Caller, activity: ActivityRecord): Promise<ForbiddenError> {
    const current = (await this.asSeenBy(caller, activity)).regarding;
    if (!current) return new ForbiddenError('This item was recorded by someone else; only they may change it.');
    if ('hidden' in current) {
      return new ForbiddenError(
        'This item is already regarding a closed opportunity you cannot open; only whoever handles it may change it.',
      );
    }
    return new ForbiddenError(
      `This item is already regarding "${current.topic}" (owned by ${current.owner.displayName}); only its owner, ` +
        'their manager or whoever linked the item may change it.',
    );
  }

  private checked(attempt: (read: RulesRead) => Promise<Activity | Stale>): Promise<Activity> {
    return checkedWrite(
      this.ctx.repo,
      attempt,
      'This item was changed by someone else at the same time; nothing was saved: try again.',
    );
  }

  /**
   * Whether the caller may link the item to `targetOpportunityId` (null: a new opportunity), as its
   * records are now. 'unchanged' when someone else's record is already regarding that opportunity:
   * nothing to do, and nothing of theirs is rewritten.
   */
  private async linkCheck(
    caller: Caller,
    matches: ActivityMatches,
    targetOpportunityId: number | null,
  ): Promise<ActivityRecord | 'allowed'> {
    const { byMessageId, byToken, byItemId } = matches;
    const existing = byMessageId ?? byToken ?? byItemId;
    // The internetMessageId is the same in every mailbox: whoever has the message may link it while no
    // one has it linked. Tracking tokens and item ids are one mailbox's, so they prove nothing of the kind.
    const mayLink = async (activity: ActivityRecord) =>
      (activity === byMessageId && activity.regarding === null) || this.mayChange(caller, activity);
    if (existing && !(await mayLink(existing))) {
      if (existing.regarding !== null && existing.regarding.id === targetOpportunityId) return existing;
      throw await this.refusal(caller, existing);
    }
    // Folding a draft's record into the sent message's deletes it: only for whoever may change both.
    if (byMessageId && byToken && byToken.id !== byMessageId.id && !(await this.mayChange(caller, byToken))) {
      throw await this.refusal(caller, byToken);
    }
    return 'allowed';
  }

  /** The item to link to a new opportunity, if the caller may: its link is refused if its records change meanwhile. */
  async linkable(caller: Caller, item: OutlookItemFields): Promise<OutlookItemFields> {
    const matches = await this.ctx.repo.activities.findMatches(item);
    await this.linkCheck(caller, matches, null);
    return { ...item, seen: matches.stamp };
  }

  async setRegarding(caller: Caller, body: z.output<typeof SetRegardingRequest>): Promise<Activity> {
    const item = this.toItemFields(body.item);
    return this.checked(async (read) => {
      // Its access facts and version are all the link needs; the answer reads the opportunity inside the write.
      const target = await new OpportunityAccess(this.ctx.repo, caller).requireReadable(body.opportunityId);
      const matches = await this.ctx.repo.activities.findMatches(item);
      const check = await this.linkCheck(caller, matches, body.opportunityId);
      if (check !== 'allowed') return this.asSeenBy(caller, check);
      const linked = await this.ctx.repo.activities.upsertRegarding(
        { ...item, seen: matches.stamp },
        target.id,
        target.version,
        actorOf(caller, this.ctx.clock, read),
      );
      return linked === 'stale' ? linked : this.asSeenBy(caller, linked);
    });
  }

  /**
   * The activity as the caller may see it: its tracking token only if they wrote it, and the
   * opportunity it is regarding only if they may read it (not a closed one of someone else).
   */
  async asSeenBy(caller: Caller, record: ActivityRecord): Promise<Activity> {
    const activity: Activity = {
      id: record.id,
      kind: record.kind,
      subject: record.subject,
      status: record.status,
      participants: record.participants,
      sentAt: record.sentAt,
      startAt: record.startAt,
      endAt: record.endAt,
      location: record.location,
      regarding: record.regarding,
      outlook: {
        ...record.outlook,
        trackingToken: record.trackingTokenById === caller.id ? record.outlook.trackingToken : null,
      },
      createdBy: record.createdBy,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      description: record.description,
      direction: record.direction,
      durationMinutes: record.durationMinutes,
      contact: record.contact,
      category: record.category,
      outcome: record.outcome,
      scheduledNextStep: record.scheduledNextStep,
      replacedById: record.replacedById,
    };
    const regarding = activity.regarding;
    if (!regarding || 'hidden' in regarding || regarding.status === 'open') return activity;
    const opportunity = await this.ctx.repo.opportunities.findById(regarding.id);
    if (opportunity && (await new OpportunityAccess(this.ctx.repo, caller).canRead(opportunity))) return activity;
    return { ...activity, regarding: { id: regarding.id, hidden: true } };
  }

  /** An unlinked activity is its creator's alone: anyone else is told it does not exist. */
  private isVisible(caller: Caller, activity: ActivityRecord): boolean {
    return activity.regarding !== null || activity.createdBy.id === caller.id;
  }

  async lookup(caller: Caller, query: z.output<typeof ActivityLookupQuery>): Promise<Activity> {
    const activity = await this.ctx.repo.activities.findByIdentity({
      ...query,
      trackingToken: query.trackingToken?.toLowerCase(),
    });
    if (!activity || !this.isVisible(caller, activity)) throw new NotFoundError('An activity for this item');
    return this.asSeenBy(caller, activity);
  }

  private async existing(caller: Caller, id: number): Promise<ActivityRecord> {
    const activity = await this.ctx.repo.activities.findById(id);
    if (!activity || !this.isVisible(caller, activity)) throw new NotFoundError(`Activity ${id}`);
    return activity;
  }

  /** A change of one activity by id: refused unless the caller may change it, as it is when written. */
  private change(
    caller: Caller,
    id: number,
    write: (activity: ActivityRecord, read: RulesRead) => Promise<ActivityRecord | Stale>,
    unchanged: (activity: ActivityRecord) => boolean = () => false,
  ): Promise<Activity> {
    return this.checked(async (read) => {
      const activity = await this.existing(caller, id);
      if (!(await this.mayChange(caller, activity))) {
        if (unchanged(activity)) return this.asSeenBy(caller, activity);
        throw await this.refusal(caller, activity);
      }
      const written = await write(activity, read);
      return written === 'stale' ? written : this.asSeenBy(caller, written);
    });
  }

  async changeRegarding(caller: Caller, id: number, opportunityId: number): Promise<Activity> {
    await this.existing(caller, id);
    return this.change(
      caller,
      id,
      async (activity, read) => {
        const target = await new OpportunityAccess(this.ctx.repo, caller).readable(opportunityId);
        return this.ctx.repo.activities.setRegarding(
          id,
          { id: target.id, version: target.version },
          actorOf(caller, this.ctx.clock, read),
          activity.stamp,
        );
      },
      (activity) => activity.regarding?.id === opportunityId,
    );
  }

  async removeRegarding(caller: Caller, id: number): Promise<Activity> {
    return this.change(caller, id, (activity, read) =>
      this.ctx.repo.activities.setRegarding(id, null, actorOf(caller, this.ctx.clock, read), activity.stamp),
    );
  }

  async completeSent(caller: Caller, id: number, body: z.output<typeof CompleteSentRequest>): Promise<Activity> {
    return this.checked(async (read) => {
      const activity = await this.existing(caller, id);
      // Who may change it first: nothing about an activity the caller may not change is told.
      if (!(await this.mayChange(caller, activity))) throw await this.refusal(caller, activity);
      if (activity.kind !== 'email') throw new ConflictError(`Activity ${id} is not an email.`);
      if (activity.outlook.internetMessageId === body.internetMessageId) return this.asSeenBy(caller, activity);
      if (activity.outlook.internetMessageId !== null)
        throw new ConflictError(`Activity ${id} is already the sent message ${activity.outlook.internetMessageId}.`);
      // The sent message recorded on its own already: this draft would be folded into it.
      const sent = await this.ctx.repo.activities.findMatches({ internetMessageId: body.internetMessageId });
      // As in Set Regarding: a record of the message no one has linked may be taken by whoever has it.
      const other = sent.byMessageId;
      if (other && other.regarding !== null && !(await this.mayChange(caller, other)))
        throw await this.refusal(caller, other);
      const completed = await this.ctx.repo.activities.completeSent(
        id,
        {
          internetMessageId: body.internetMessageId,
          conversationId: body.conversationId ?? null,
          sentAt: utc(body.sentAt),
        },
        actorOf(caller, this.ctx.clock, read),
        { activity: activity.stamp, sent: sent.stamp },
      );
      return completed === 'stale' ? completed : this.asSeenBy(caller, completed);
    });
  }

  /**
   * A phone call or task logged on an open opportunity the caller may act on: it counts as a touch and may be its
   * next step, so only those who handle it (owner, creator, their manager) log one; anyone may still link email.
   */
  async log(caller: Caller, body: z.output<typeof CreateActivityRequest>): Promise<Activity> {
    const times = { startAt: utc(body.startAt), endAt: utc(body.endAt) };
    checkTimes(times.startAt, times.endAt);
    checkHappened(body.kind, body.status, times, this.ctx.clock.now(), 'body.startAt');
    return this.checked(async (read) => {
      const opportunity = await new OpportunityAccess(this.ctx.repo, caller).actionable(body.opportunityId);
      if (opportunity.status !== 'open')
        throw new ConflictError(`Opportunity ${opportunity.id} is ${opportunity.status}: reopen it first.`);
      await checkLoggedFields(this.ctx.repo, body.kind, body);
      const created = await this.ctx.repo.activities.createNextStep(
        {
          kind: body.kind,
          subject: body.subject,
          opportunityId: body.opportunityId,
          startAt: utc(body.startAt),
          endAt: utc(body.endAt),
          status: body.status,
          description: body.description || null,
          direction: body.direction ?? null,
          durationMinutes: body.durationMinutes ?? null,
          contactId: body.contactId ?? null,
          categoryId: body.categoryId ?? null,
          outcomeId: body.outcomeId ?? null,
          scheduledNextStep: body.scheduledNextStep,
        },
        opportunity.version,
        actorOf(caller, this.ctx.clock, read),
      );
      return created === 'stale' ? created : this.asSeenBy(caller, created);
    });
  }

  /**
   * Complete, cancel or reopen any activity; edit a phone call's or task's fields. Who may: as for every
   * change of an activity (mayChange). A completed call must have happened (checkHappened), whether it is
   * completed now or its time is edited. Canceling a scheduled next-step task with `replacedById` records
   * the appointment (regarding the same opportunity) that took its place.
   */
  async update(caller: Caller, id: number, body: z.output<typeof UpdateActivityStatusRequest>): Promise<Activity> {
    const { status, replacedById, ...fields } = body;
    return this.change(caller, id, async (activity, read) => {
      const editsFields = Object.values(fields).some((value) => value !== undefined);
      if (editsFields && activity.kind !== 'phone_call' && activity.kind !== 'task')
        throw new ConflictError(`Activity ${id} is an Outlook item: only its status changes here.`);
      // A closed opportunity's activities may still be completed or canceled (tidying up), not edited or reopened.
      const on = activity.regarding && 'status' in activity.regarding ? activity.regarding : null;
      if (on && on.status !== 'open' && (editsFields || status === 'open'))
        throw new ConflictError(`"${on.topic}" is ${on.status}: reopen it first to change its activities.`);
      await checkLoggedFields(this.ctx.repo, activity.kind, fields, {
        categoryId: activity.category?.id ?? null,
        outcomeId: activity.outcome?.id ?? null,
      });
      const startAt = fields.startAt === undefined ? activity.startAt : utc(fields.startAt ?? undefined);
      const endAt = fields.endAt === undefined ? activity.endAt : utc(fields.endAt ?? undefined);
      if (fields.startAt !== undefined || fields.endAt !== undefined) checkTimes(startAt, endAt);
      if (status === 'completed' || fields.startAt !== undefined || fields.endAt !== undefined)
        checkHappened(
          activity.kind,
          status ?? activity.status,
          { startAt, endAt },
          this.ctx.clock.now(),
          fields.startAt === undefined && fields.endAt === undefined ? 'body.status' : 'body.startAt',
        );
      if (replacedById !== undefined) await this.checkReplacement(activity, replacedById);
      const actor = actorOf(caller, this.ctx.clock, read);
      if (!editsFields && replacedById === undefined && status !== undefined)
        return this.ctx.repo.activities.setStatus(id, status, actor, activity.stamp);
      return this.ctx.repo.activities.edit(
        id,
        {
          ...fields,
          startAt: fields.startAt === undefined ? undefined : startAt,
          endAt: fields.endAt === undefined ? undefined : utc(fields.endAt ?? undefined),
          description: fields.description === undefined ? undefined : fields.description || null,
          status,
          replacedById,
        },
        actor,
        activity.stamp,
      );
    });
  }

  /** Only an open scheduled next-step task is replaced, and only by an appointment regarding the same opportunity. */
  private async checkReplacement(task: ActivityRecord, replacedById: number): Promise<void> {
    if (task.kind !== 'task' || !task.scheduledNextStep)
      throw new ConflictError(`Activity ${task.id} is not a scheduled next step: nothing replaces it.`);
    if (task.status !== 'open') throw new ConflictError(`Activity ${task.id} is ${task.status} already.`);
    const appointment = await this.ctx.repo.activities.findById(replacedById);
    // The appointment becomes the next step in the task's place: it must be one (to come, not canceled).
    const isNextStep =
      appointment?.kind === 'appointment' &&
      appointment.status === 'open' &&
      appointment.startAt !== null &&
      Date.parse(appointment.startAt) > this.ctx.clock.now().getTime();
    if (!isNextStep || appointment.regarding?.id !== task.regarding?.id) {
      const message = 'Only an appointment to come (not canceled) regarding the same opportunity replaces this task';
      throw new BadRequestError(message, [{ path: 'body.replacedById', message }]);
    }
  }
}
