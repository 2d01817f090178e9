import type { z } from 'zod';
import type {
  AssignRequest,
  CloseRequest,
  CreateOpportunityRequest,
  Opportunity,
  OpportunityChoice,
  OpportunityListQuery,
  OpportunitySummary,
  ReferrerChoice,
  SuggestionQuery,
  UpdateOpportunityRequest,
} from '../../shared/schemas/opportunities';
import { REFERRAL_CAMPAIGN_ID } from '../../shared/constants';
import type { Activity, ActivityStatus } from '../../shared/schemas/activities';
import type { CursorPaging } from '../../shared/schemas/common';
import type { Note } from '../../shared/schemas/notes';
import {
  CLOSE_OPEN_ACTIVITIES_MAX,
  TIMELINE_FIRST_PAGE,
  type ActivityPageQuery,
  type Assignment,
  type CloseResult,
  type OpportunityEvent,
  type OpportunityDetail,
} from '../../shared/schemas/timeline';
import { BadRequestError, ConflictError, ForbiddenError, PreconditionRequiredError } from '../errors';
import type { ListOpportunitiesOptions, OpportunityChanges, OpportunityRecord } from '../repository/repository';
import { OpportunityAccess } from './access';
import type { ActivityService } from './activities';
import { assignmentSeenBy } from './assignment-privacy';
import type { ContactService } from './contacts';
import { actorOf, checkedWrite, pageOf, type Caller, type Page, type RulesRead, type ServiceContext } from './context';
import { cursorPageOf, type CursorPage } from './cursor';
import type { PeopleService } from './people';

interface ReferrerFields {
  referredByAdvisorId: number | null;
  referredByContactId: number | null;
}

/** Reads the version out of an If-Match header: `"3"`, `W/"3"` or `3`. */
export function versionFromIfMatch(header: string | undefined): number {
  if (!header)
    throw new PreconditionRequiredError('Send If-Match with the opportunity version (its ETag) to change it.');
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) {
    throw new BadRequestError('If-Match must be the opportunity version, e.g. "3".', [
      { path: 'headers.if-match', message: 'Expected a version such as "3"' },
    ]);
  }
  return Number(match[1]);
}

export class OpportunityService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly people: PeopleService,
    private readonly contacts: ContactService,
    private readonly activities: ActivityService,
  ) {}

  private access(caller: Caller) {
    return new OpportunityAccess(this.ctx.repo, caller);
  }

  async withPermissions(caller: Caller, record: OpportunityRecord): Promise<Opportunity> {
    return { ...record, canAct: await this.access(caller).canAct(record) };
  }

  campaigns() {
    return this.ctx.repo.opportunities.campaigns();
  }

  list(caller: Caller, query: z.output<typeof OpportunityListQuery>): Promise<Page<OpportunitySummary>> {
    return this.page(caller, query, (options) => this.ctx.repo.opportunities.list(options));
  }

  /** The same page as `list`, as the lookup's lines. */
  lookup(caller: Caller, query: z.output<typeof OpportunityListQuery>): Promise<Page<OpportunityChoice>> {
    return this.page(caller, query, (options) => this.ctx.repo.opportunities.choices(options));
  }

  private async page<T>(
    caller: Caller,
    query: z.output<typeof OpportunityListQuery>,
    read: (options: ListOpportunitiesOptions) => Promise<T[]>,
  ): Promise<Page<T>> {
    if (query.view === 'team-closed' && caller.role !== 'manager')
      throw new ForbiddenError("Only a manager sees the team's closed opportunities.");
    // closed is the caller's own, as documented, for a manager too: the team's are team-closed.
    const ownerIds =
      query.view === 'team-open' || query.view === 'team-closed'
        ? await this.ctx.repo.advisors.teammateIds(caller.id)
        : query.view === 'closed'
          ? [caller.id]
          : await this.access(caller).managedOwnerIds();
    return pageOf(query, (limit, offset) =>
      read({
        view: query.view,
        advisorId: caller.id,
        ownerIds,
        q: query.q,
        limit,
        offset,
        referredByAdvisorId: query.referredByAdvisorId,
        referredByContactId: query.referredByContactId,
      }),
    );
  }

  suggestions(caller: Caller, query: z.output<typeof SuggestionQuery>): Promise<OpportunitySummary[]> {
    const others = query.email.filter((email) => email !== caller.email.toLowerCase());
    return this.ctx.repo.opportunities.suggestions(others, caller.id, query.limit);
  }

  /** The opportunity with the newest page of each part of its timeline, as the caller may see it. Opening it counts as "recent". */
  async detail(
    caller: Caller,
    id: number,
    options: { markRecent: boolean } = { markRecent: true },
  ): Promise<OpportunityDetail> {
    const record = await this.access(caller).readable(id);
    const first = { limit: TIMELINE_FIRST_PAGE };
    const [opportunity, activities, notes, assignments, events] = await Promise.all([
      this.withPermissions(caller, record),
      this.activityPage(id, first),
      this.notePage(caller, id, first),
      this.assignmentPage(caller, id, first),
      this.eventPage(id, first),
      // Marks opened together are written together (see RecentMarks); the answer waits for the mark.
      options.markRecent && this.ctx.repo.opportunities.markRecent(caller.id, id, this.ctx.clock.now().toISOString()),
    ]);
    return {
      opportunity,
      activities: activities.items,
      activitiesNextCursor: activities.nextCursor,
      notes: notes.items,
      notesNextCursor: notes.nextCursor,
      assignments: assignments.items,
      assignmentsNextCursor: assignments.nextCursor,
      events: events.items,
      eventsNextCursor: events.nextCursor,
    };
  }

  /** A page of its closes and reopens, newest first. */
  async eventList(
    caller: Caller,
    id: number,
    query: z.output<typeof CursorPaging>,
  ): Promise<CursorPage<OpportunityEvent>> {
    await this.access(caller).requireReadable(id);
    return this.eventPage(id, query);
  }

  private eventPage(id: number, query: { before?: string; limit: number }) {
    return cursorPageOf(
      query,
      (e: OpportunityEvent) => ({ at: e.createdAt, id: e.id }),
      (keyset) => this.ctx.repo.opportunities.events(id, keyset),
    );
  }

  /** A page of the activities regarding an opportunity the caller may read, newest first. */
  async activityList(
    caller: Caller,
    id: number,
    query: z.output<typeof ActivityPageQuery>,
  ): Promise<CursorPage<Activity>> {
    await this.access(caller).requireReadable(id);
    return this.activityPage(id, query);
  }

  /** A page of the notes on it the caller may see, newest first. */
  async noteList(caller: Caller, id: number, query: z.output<typeof CursorPaging>): Promise<CursorPage<Note>> {
    await this.access(caller).requireReadable(id);
    return this.notePage(caller, id, query);
  }

  /** A page of its assignment history, newest first, each message only to whom it is for. */
  async assignmentList(
    caller: Caller,
    id: number,
    query: z.output<typeof CursorPaging>,
  ): Promise<CursorPage<Assignment>> {
    await this.access(caller).requireReadable(id);
    return this.assignmentPage(caller, id, query);
  }

  private activityPage(id: number, query: { before?: string; limit: number; status?: ActivityStatus }) {
    return cursorPageOf(
      query,
      (a: Activity) => ({ at: a.sentAt ?? a.startAt ?? a.createdAt, id: a.id }),
      (keyset) => this.ctx.repo.activities.regarding(id, keyset, query.status),
    );
  }

  private notePage(caller: Caller, id: number, query: { before?: string; limit: number }) {
    return cursorPageOf(
      query,
      (n: Note) => ({ at: n.createdAt, id: n.id }),
      (keyset) => this.ctx.repo.notes.visibleOn(id, caller.id, keyset),
    );
  }

  private async assignmentPage(caller: Caller, id: number, query: { before?: string; limit: number }) {
    const page = await cursorPageOf(
      query,
      (s: Assignment) => ({ at: s.createdAt, id: s.id }),
      (keyset) => this.ctx.repo.opportunities.assignments(id, keyset),
    );
    return { ...page, items: page.items.map((assignment) => assignmentSeenBy(assignment, caller.id)) };
  }

  async create(
    caller: Caller,
    body: z.output<typeof CreateOpportunityRequest>,
    idempotencyKey: string | undefined,
  ): Promise<{ detail: OpportunityDetail; created: boolean }> {
    if (idempotencyKey !== undefined && !/^[\w.:-]{1,200}$/.test(idempotencyKey)) {
      throw new BadRequestError('Idempotency-Key must be 1 to 200 letters, digits or . _ : -', [
        { path: 'headers.idempotency-key', message: 'Invalid key' },
      ]);
    }
    const ownerId = body.ownerId ?? caller.id;
    const campaignId = body.campaignId ?? REFERRAL_CAMPAIGN_ID;
    if (!(await this.ctx.repo.opportunities.campaignExists(campaignId))) {
      throw new BadRequestError(`No campaign has the id ${campaignId}.`, [
        { path: 'body.campaignId', message: 'Unknown campaign' },
      ]);
    }

    const customer = body.customer;
    let customerContactId: number | null = null;
    let customerEmail: string | null = null;
    let customerOrganizationId: number | null;
    let newContact = null;
    if ('contactId' in customer) {
      const contact = await this.ctx.repo.contacts.findById(customer.contactId);
      if (!contact)
        throw new BadRequestError(`No contact has the id ${customer.contactId}.`, [
          { path: 'body.customer.contactId', message: 'Unknown contact' },
        ]);
      customerContactId = contact.id;
      customerEmail = contact.email;
      customerOrganizationId = contact.organization?.id ?? null;
    } else if ('organizationId' in customer) {
      if (!(await this.ctx.repo.contacts.organizationExists(customer.organizationId))) {
        throw new BadRequestError(`No organization has the id ${customer.organizationId}.`, [
          { path: 'body.customer.organizationId', message: 'Unknown organization' },
        ]);
      }
      customerOrganizationId = customer.organizationId;
    } else {
      newContact = await this.contacts.prepare(customer.newContact, 'body.customer.newContact');
      customerEmail = newContact.email;
      customerOrganizationId = newContact.organizationId;
    }

    let referrer: ReferrerFields = { referredByAdvisorId: null, referredByContactId: null };
    let newReferrer = null;
    if (body.referredBy && 'newContact' in body.referredBy) {
      newReferrer = await this.contacts.prepare(body.referredBy.newContact, 'body.referredBy.newContact');
    } else if (body.referredBy) referrer = await this.referrer(body.referredBy);
    // A new contact is matched by email, and a contact's email never changes: who the customer will be is known now.
    const customerId =
      customerContactId ??
      (customerEmail === null ? null : ((await this.ctx.repo.contacts.findByEmails([customerEmail]))[0]?.id ?? null));
    const referrerIsCustomer = newReferrer
      ? newReferrer.email !== null && newReferrer.email === customerEmail
      : referrer.referredByContactId !== null && referrer.referredByContactId === customerId;
    if (referrerIsCustomer) throw this.selfReferral();

    let note = null;
    if (body.note) {
      const shareWith = body.note.shareWith ?? { advisorIds: [], teamIds: [] };
      await this.people.requireAdvisors(shareWith.advisorIds, 'body.note.shareWith.advisorIds');
      await this.people.requireTeams(shareWith.teamIds, 'body.note.shareWith.teamIds');
      // The owner always sees the note: a referral's note must reach the advisor who handles it.
      note = {
        body: body.note.body,
        shareWith: { advisorIds: [...new Set([...shareWith.advisorIds, ownerId])], teamIds: shareWith.teamIds },
      };
    }

    const fields = {
      topic: body.topic,
      description: body.description ?? null,
      customerContactId,
      newContact,
      customerOrganizationId,
      campaignId,
      stage: body.stage,
      estimatedValue: body.estimatedValue ?? null,
      estimatedCloseDate: body.estimatedCloseDate ?? null,
      ownerId,
      note,
      idempotencyKey: idempotencyKey ?? null,
      ...referrer,
      newReferrer,
    };
    const { id, created } = await checkedWrite(
      this.ctx.repo,
      async (read) => {
        await this.people.requireAdvisors([ownerId], 'body.ownerId');
        const linkItem = body.linkItem
          ? await this.activities.linkable(caller, this.activities.toItemFields(body.linkItem))
          : null;
        return this.ctx.repo.opportunities.create({ ...fields, linkItem }, actorOf(caller, this.ctx.clock, read));
      },
      'The item or the new owner was changed by someone else at the same time; nothing was saved: try again.',
    );
    return { detail: await this.detail(caller, id, { markRecent: false }), created };
  }

  async update(
    caller: Caller,
    id: number,
    ifMatch: string | undefined,
    body: z.output<typeof UpdateOpportunityRequest>,
  ): Promise<Opportunity> {
    const expectedVersion = versionFromIfMatch(ifMatch);
    const { referredBy, ...fields } = body;
    const updated = await checkedWrite(
      this.ctx.repo,
      async (read) => {
        // Access first: a caller without rights learns nothing about the campaign or the referrer.
        const current = await this.access(caller).actionable(id);
        if (body.campaignId !== undefined && !(await this.ctx.repo.opportunities.campaignExists(body.campaignId))) {
          throw new BadRequestError(`No campaign has the id ${body.campaignId}.`, [
            { path: 'body.campaignId', message: 'Unknown campaign' },
          ]);
        }
        const changes: OpportunityChanges = { ...fields };
        if (referredBy === null) Object.assign(changes, { referredByAdvisorId: null, referredByContactId: null });
        else if (referredBy !== undefined) {
          const referrer = await this.referrer(referredBy);
          if (referrer.referredByContactId !== null && referrer.referredByContactId === current.customerContact?.id)
            throw this.selfReferral();
          Object.assign(changes, referrer);
        }
        if (current.version !== expectedVersion) throw this.stale(current);
        return this.ctx.repo.opportunities.update(id, expectedVersion, changes, actorOf(caller, this.ctx.clock, read));
      },
      `Opportunity ${id} is being changed by someone else right now: reload it and try again.`,
    );
    return this.withPermissions(caller, updated);
  }

  /** An advisor (active) or a contact that exists, else 400 naming the field. */
  private async referrer(choice: ReferrerChoice): Promise<ReferrerFields> {
    if ('advisorId' in choice) {
      await this.people.requireAdvisors([choice.advisorId], 'body.referredBy.advisorId');
      return { referredByAdvisorId: choice.advisorId, referredByContactId: null };
    }
    if (!(await this.ctx.repo.contacts.findById(choice.contactId))) {
      throw new BadRequestError(`No contact has the id ${choice.contactId}.`, [
        { path: 'body.referredBy.contactId', message: 'Unknown contact' },
      ]);
    }
    return { referredByAdvisorId: null, referredByContactId: choice.contactId };
  }

  private selfReferral(): BadRequestError {
    return new BadRequestError(
      'The customer cannot be the one who referred the opportunity: choose who else referred them, or no one.',
      [{ path: 'body.referredBy', message: 'The customer cannot refer themselves' }],
    );
  }

  private stale(current: OpportunityRecord): ConflictError {
    return new ConflictError(
      `Opportunity ${current.id} was changed by someone else (it is now at version ${current.version}): reload it and try again.`,
    );
  }

  /** One change of an opportunity, applied only at the version its rules were checked on (see checkedWrite). */
  private checkedChange(id: number, attempt: (read: RulesRead) => Promise<'done' | 'stale'>): Promise<'done'> {
    return checkedWrite(
      this.ctx.repo,
      attempt,
      `Opportunity ${id} is being changed by someone else right now: reload it and try again.`,
    );
  }

  async assign(caller: Caller, id: number, body: z.output<typeof AssignRequest>): Promise<OpportunityDetail> {
    await this.checkedChange(id, async (read) => {
      const opportunity = await this.access(caller).actionable(id);
      if (opportunity.status !== 'open')
        throw new ConflictError(`Opportunity ${id} is ${opportunity.status}: reopen it before assigning it.`);
      await this.people.requireAdvisors([body.ownerId], 'body.ownerId');
      if (body.ownerId === opportunity.owner.id) return 'done';
      return this.ctx.repo.opportunities.assign(
        id,
        opportunity.version,
        body.ownerId,
        body.message || null,
        actorOf(caller, this.ctx.clock, read),
      );
    });
    return this.detail(caller, id, { markRecent: false });
  }

  async close(caller: Caller, id: number, body: z.output<typeof CloseRequest>): Promise<CloseResult> {
    await this.checkedChange(id, async (read) => {
      const opportunity = await this.access(caller).actionable(id);
      if (opportunity.status !== 'open') throw new ConflictError(`Opportunity ${id} is already ${opportunity.status}.`);
      const today = this.ctx.clock.now().toISOString().slice(0, 10);
      return this.ctx.repo.opportunities.close(
        id,
        opportunity.version,
        {
          status: body.outcome,
          actualValue: body.actualValue ?? null,
          closeDate: body.closeDate ?? today,
          reason: body.reason || null,
        },
        actorOf(caller, this.ctx.clock, read),
      );
    });
    // A dedicated, bounded query: the newest open ones, and how many there are in all.
    const [openActivities, openActivitiesTotal] = await Promise.all([
      this.ctx.repo.activities.regarding(id, { before: null, limit: CLOSE_OPEN_ACTIVITIES_MAX }, 'open'),
      this.ctx.repo.activities.countRegarding(id, 'open'),
    ]);
    return {
      opportunity: await this.withPermissions(caller, (await this.ctx.repo.opportunities.findById(id))!),
      openActivities,
      openActivitiesTotal,
    };
  }

  async reopen(caller: Caller, id: number): Promise<Opportunity> {
    await this.checkedChange(id, async (read) => {
      const opportunity = await this.access(caller).actionable(id);
      if (opportunity.status === 'open') throw new ConflictError(`Opportunity ${id} is already open.`);
      return this.ctx.repo.opportunities.reopen(id, opportunity.version, actorOf(caller, this.ctx.clock, read));
    });
    return this.withPermissions(caller, (await this.ctx.repo.opportunities.findById(id))!);
  }
}
