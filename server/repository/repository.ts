/**
 * The storage interface the services use. Every method is atomic (one transaction), so the rules
 * in the services never depend on a particular database: SQLite implements it today
 * (./sqlite), and a PostgreSQL implementation only has to implement these interfaces.
 */
import type { Advisor, Me, MyWorkScope, Role, Team } from '../../shared/schemas/advisors';
import type { Contact, Organization } from '../../shared/schemas/contacts';
import type { Activity, ActivityStatus } from '../../shared/schemas/activities';
import type { ActivityLabel, ActivityLabelKind } from '../../shared/schemas/activity-labels';
import type { ActivityPointsEntry } from '../../shared/schemas/activity-points';
import type { ExceptionRules, Holiday } from '../../shared/schemas/exception-rules';
import type { Note } from '../../shared/schemas/notes';
import type {
  Campaign,
  Opportunity,
  OpportunityChoice,
  OpportunitySummary,
  OpportunityView,
  Stage,
} from '../../shared/schemas/opportunities';
import type { Assignment, OpportunityEvent } from '../../shared/schemas/timeline';
import type { ClientRateLimitInfo, Store } from 'express-rate-limit';

/** An account in Microsoft Entra ID: its tenant (`tid`) and its object id in that tenant (`oid`). */
export interface EntraIdentity {
  tid: string;
  oid: string;
}

/** An advisor's Entra binding as stored: both null when unbound; a tenant of null for a binding made before migration 6. */
export interface EntraBinding {
  entraTid: string | null;
  entraOid: string | null;
}

/** workScope: as stored, null until the advisor chooses one. */
export type AdvisorRecord = Omit<Me, 'workScope'> & EntraBinding & { workScope: MyWorkScope | null };
export type OpportunityRecord = Omit<Opportunity, 'canAct'>;

/** Who did it and when: every write is recorded in the audit log with these. */
export interface Actor {
  advisorId: number;
  at: string;
  /**
   * The team_changes version read before the rules that allowed this write were checked (see
   * checkedWrite): a write given it is refused as 'stale' if team membership changed since.
   */
  teamsVersion?: number;
}

/** A change no advisor made: the admin command line (`npm run admin`), setup and demo data. */
export interface SystemActor {
  kind: 'system';
  at: string;
}

/**
 * Who changed advisors, teams or access tokens: a signed-in advisor (an admin, through the API) or
 * the system. The audit log records the kind; `null` where a store accepts it also means the system.
 */
export type AuditActor = Actor | SystemActor;

export function isSystemActor(actor: AuditActor): actor is SystemActor {
  return 'kind' in actor && actor.kind === 'system';
}

/** Where a newest-first timeline page starts: after the entry with this sort time and id. */
export interface TimelineKey {
  at: string;
  id: number;
}

/** A keyset page of a newest-first timeline: entries strictly older than `before` (all when null), at most `limit`. */
export interface Keyset {
  before: TimelineKey | null;
  limit: number;
}

export interface ShareTargets {
  advisorIds: number[];
  teamIds: number[];
}

export interface NewContactFields {
  name: string;
  email: string | null;
  phone: string | null;
  organizationId: number | null;
  /** With no organizationId: the organization to make for a new company email domain (joined instead if one has it by then). */
  newOrganization?: { name: string; domain: string } | null;
}

/** An Outlook item with its identity fields normalised (see OutlookItem in shared/). */
export interface OutlookItemFields {
  kind: 'email' | 'appointment';
  internetMessageId: string | null;
  trackingToken: string | null;
  itemId: string | null;
  conversationId: string | null;
  subject: string;
  participants: { email: string; name: string | null; role: 'from' | 'to' | 'cc' | 'organizer' | 'attendee' }[];
  sentAt: string | null;
  startAt: string | null;
  endAt: string | null;
  location: string | null;
  /** The owner of the shared folder or shared mailbox the item is in; null: the linker's own mailbox. */
  mailbox: string | null;
  /** What the rule that allowed this link saw (ActivityMatches.stamp): the link is refused if it changed. */
  seen?: string;
}

export interface AdvisorStore {
  count(): Promise<number>;
  findById(id: number): Promise<AdvisorRecord | null>;
  findByEmail(email: string): Promise<AdvisorRecord | null>;
  /** The advisor bound to this Entra account (tenant and object id together). */
  findByEntraIdentity(identity: EntraIdentity): Promise<AdvisorRecord | null>;
  /** The advisor bound to this object id before tenants were stored (migration 6): no tenant recorded. */
  findByLegacyEntraOid(oid: string): Promise<AdvisorRecord | null>;
  /**
   * Binds the advisor to an Entra account (or, with null, unbinds them), audited, in one transaction
   * with its checks: nothing is written unless the advisor's binding is still `expected` ('changed'
   * otherwise), and never an account another advisor holds ('taken').
   */
  setEntraIdentity(
    id: number,
    identity: EntraIdentity | null,
    expected: EntraBinding,
    actor: AuditActor,
  ): Promise<'bound' | 'missing' | 'changed' | 'taken'>;
  /** Active advisors by name or email prefix; deactivated ones too with `includeInactive`. */
  search(
    q: string | undefined,
    limit: number,
    offset: number,
    options?: { includeInactive?: boolean },
  ): Promise<Advisor[]>;
  /** Throws ConflictError when the email is taken. */
  create(fields: { email: string; displayName: string; role: Role }, actor: AuditActor | null): Promise<AdvisorRecord>;
  /**
   * null when there is no such advisor. 'last-admin' (and nothing changed) when the change would
   * demote or deactivate the only active admin: checked in the same transaction as the write.
   */
  update(id: number, fields: AdvisorChanges, actor: AuditActor): Promise<AdvisorRecord | null | 'last-admin'>;
  markWorkSeen(id: number, at: string): Promise<void>;
  /** Remembers what the advisor chose for themselves; fields left out stay as they are. */
  setPreferences(id: number, preferences: AdvisorPreferences): Promise<void>;
  /** The ids of everyone who shares a team with the advisor, the advisor included. */
  teammateIds(advisorId: number): Promise<number[]>;
  existingIds(ids: number[]): Promise<number[]>;
  /** Every active advisor, by id (the email alerts' recipients). */
  listActive(): Promise<AdvisorRecord[]>;
}

/** What an admin changes on an advisor; fields left out stay as they are (a quota of null clears it). */
export interface AdvisorChanges {
  displayName?: string;
  role?: Role;
  active?: boolean;
  timeZone?: string;
  monthlyQuota?: number | null;
}

/** What an advisor changes for themselves. */
export interface AdvisorPreferences {
  workScope?: MyWorkScope;
  timeZone?: string;
  digestOptOut?: boolean;
}

export interface TeamStore {
  findById(id: number): Promise<Team | null>;
  findByName(name: string): Promise<Team | null>;
  search(q: string | undefined, limit: number, offset: number): Promise<Team[]>;
  /** Throws ConflictError when the name is taken. */
  create(name: string, memberIds: number[], actor: AuditActor | null): Promise<Team>;
  addMember(teamId: number, advisorId: number, actor: AuditActor | null): Promise<void>;
  removeMember(teamId: number, advisorId: number, actor: AuditActor): Promise<void>;
  /** Moves with every change of team membership (managers' rights come from it); see Actor.teamsVersion. */
  changeVersion(): Promise<number>;
  existingIds(ids: number[]): Promise<number[]>;
}

export interface TokenRecord {
  id: number;
  advisorId: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Issuing and revoking a token is audited; without an actor, as the system (tokens are issued by the admin CLI). */
export interface TokenStore {
  create(
    advisorId: number,
    name: string,
    tokenHash: string,
    createdAt: string,
    expiresAt: string | null,
    actor?: AuditActor | null,
  ): Promise<TokenRecord>;
  /**
   * The token with the advisor it belongs to. `stamp`: the request's change stamp (see Repository.changeStamp) when
   * it has read one already; without it SQLite reads at its own (exact) stamp, and PostgreSQL the token as stored.
   */
  findByHash(tokenHash: string, stamp?: ChangeStamp): Promise<(TokenRecord & { advisor: AdvisorRecord }) | null>;
  listFor(advisorId: number): Promise<TokenRecord[]>;
  /** False when there is no such token or it was already revoked. */
  revoke(id: number, at: string, actor?: AuditActor | null): Promise<boolean>;
  touch(id: number, at: string): Promise<void>;
}

export interface ContactStore {
  findById(id: number): Promise<Contact | null>;
  findByEmails(emails: string[]): Promise<Contact[]>;
  /** Word prefixes of the name or email; text that is only a phone number: a prefix of the phone's digits. */
  search(q: string, limit: number, offset: number): Promise<Contact[]>;
  /** Inserts unless a contact has the same email; then returns that one with created = false. */
  createOrFind(fields: NewContactFields, actor: Actor | null): Promise<{ contact: Contact; created: boolean }>;
  organizationIdForDomain(domain: string): Promise<number | null>;
  organizationExists(id: number): Promise<boolean>;
  createOrganization(name: string, domains: string[], actor: Actor | null): Promise<number>;
  searchOrganizations(q: string, limit: number, offset: number): Promise<Organization[]>;
  findOrganization(id: number): Promise<Organization | null>;
  /** 'domain-taken' (nothing written) when another organization has the domain. */
  createOrganizationWithDomain(
    name: string,
    domain: string | null,
    actor: Actor,
  ): Promise<Organization | 'domain-taken'>;
}

export interface ListOpportunitiesOptions {
  view: OpportunityView;
  advisorId: number;
  /** For team-open and team-closed: the owners whose opportunities count. */
  ownerIds?: number[];
  q?: string;
  limit: number;
  offset: number;
  referredByAdvisorId?: number;
  referredByContactId?: number;
}

export interface NewOpportunity {
  topic: string;
  description: string | null;
  customerContactId: number | null;
  newContact: NewContactFields | null;
  customerOrganizationId: number | null;
  campaignId: number;
  stage: Stage;
  estimatedValue: number | null;
  estimatedCloseDate: string | null;
  ownerId: number;
  note: { body: string; shareWith: ShareTargets } | null;
  linkItem: OutlookItemFields | null;
  idempotencyKey: string | null;
  referredByAdvisorId?: number | null;
  referredByContactId?: number | null;
  /** A referrer to create (or find by email) in the same transaction. */
  newReferrer?: NewContactFields | null;
}

export interface OpportunityChanges {
  topic?: string;
  description?: string | null;
  campaignId?: number;
  stage?: Stage;
  estimatedValue?: number | null;
  estimatedCloseDate?: string | null;
  /** Set together: at most one of them is not null. */
  referredByAdvisorId?: number | null;
  referredByContactId?: number | null;
}

export type OpportunityAccessFacts = Pick<OpportunityRecord, 'id' | 'status' | 'version'> & {
  owner: { id: number };
  createdBy: { id: number };
};

export interface OpportunityStore {
  campaigns(): Promise<Campaign[]>;
  campaignExists(id: number): Promise<boolean>;
  findById(id: number): Promise<OpportunityRecord | null>;
  /** What its access rules read (status, owner, creator) and its version, without the rest of the record. */
  findAccessFacts(id: number): Promise<OpportunityAccessFacts | null>;
  findByIds(ids: number[]): Promise<OpportunityRecord[]>;
  list(options: ListOpportunitiesOptions): Promise<OpportunitySummary[]>;
  /** The same page as `list`, as lookup lines. */
  choices(options: ListOpportunitiesOptions): Promise<OpportunityChoice[]>;
  /** Open opportunities whose customer contact has one of the emails; the advisor's own first. */
  suggestions(emails: string[], advisorId: number, limit: number): Promise<OpportunitySummary[]>;
  /**
   * All of it in one transaction. With an idempotency key already used, returns the first opportunity's id.
   * 'stale' (nothing written) when the owner is no longer active, the linked item's records moved since
   * `linkItem.seen`, or team memberships changed since `actor.teamsVersion`.
   */
  create(fields: NewOpportunity, actor: Actor): Promise<{ id: number; created: boolean } | Stale>;
  /** Returns 'stale' when the version does not match. */
  update(
    id: number,
    expectedVersion: number,
    changes: OpportunityChanges,
    actor: Actor,
  ): Promise<OpportunityRecord | 'stale'>;
  /**
   * Records the assignment and shares every note the assigner wrote on it with the new owner.
   * Assign, close and reopen change the opportunity only if it is still at `expectedVersion` (the
   * version the service checked its rules against) and in the status they start from; otherwise
   * they change nothing and return 'stale'.
   */
  assign(
    id: number,
    expectedVersion: number,
    toAdvisorId: number,
    message: string | null,
    actor: Actor,
  ): Promise<'done' | 'stale'>;
  close(
    id: number,
    expectedVersion: number,
    outcome: { status: 'won' | 'lost'; actualValue: number | null; closeDate: string; reason: string | null },
    actor: Actor,
  ): Promise<'done' | 'stale'>;
  reopen(id: number, expectedVersion: number, actor: Actor): Promise<'done' | 'stale'>;
  markRecent(advisorId: number, opportunityId: number, at: string): Promise<void>;
  /** Newest first by (created_at, id). */
  assignments(opportunityId: number, page: Keyset): Promise<Assignment[]>;
  /** Its closes and reopens (written by close and reopen in their transaction), newest first by (created_at, id). */
  events(opportunityId: number, page: Keyset): Promise<OpportunityEvent[]>;
}

export interface NoteStore {
  findById(id: number): Promise<Note | null>;
  isVisibleTo(noteId: number, advisorId: number): Promise<boolean>;
  /** Newest first by (created_at, id). */
  visibleOn(opportunityId: number, advisorId: number, page: Keyset): Promise<Note[]>;
  /** The same for several opportunities at once (one query, for lists): the newest `perOpportunity` of each. */
  visibleOnMany(opportunityIds: number[], advisorId: number, perOpportunity: number): Promise<Note[]>;
  /** Created only while the opportunity is still at `opportunityVersion` (the one the rules were checked on). */
  create(
    opportunityId: number,
    opportunityVersion: number,
    body: string,
    shareWith: ShareTargets,
    actor: Actor,
  ): Promise<Note | 'stale'>;
  update(id: number, body: string, actor: Actor): Promise<Note>;
  share(id: number, shareWith: ShareTargets, actor: Actor): Promise<Note>;
}

export interface ActivityIdentity {
  internetMessageId?: string | null;
  trackingToken?: string | null;
  itemId?: string | null;
}

/** An activity with what the rules need and no answer shows. */
export interface ActivityRecord extends Activity {
  /** Who wrote its tracking token: the only advisor shown it. */
  trackingTokenById: number | null;
  /**
   * The state a rule checked (the activity's version and that of the opportunity it is regarding,
   * whose owner decides who may change it): a write given it is refused as 'stale' if either moved.
   */
  stamp: string;
}

/** The records an Outlook item's identities name, each by itself, and the state of all three. */
export interface ActivityMatches {
  byMessageId: ActivityRecord | null;
  byToken: ActivityRecord | null;
  byItemId: ActivityRecord | null;
  /** Refused as 'stale' by a write given it if any identity names another record, or one of them changed. */
  stamp: string;
}

/** A conditional write found the activity changed since its rule checked it: re-read, re-check, retry. */
export type Stale = 'stale';

export interface ActivityStore {
  findById(id: number): Promise<ActivityRecord | null>;
  /** The activity with this internetMessageId, else this tracking token, else this item id. */
  findByIdentity(identity: ActivityIdentity): Promise<ActivityRecord | null>;
  findMatches(identity: ActivityIdentity): Promise<ActivityMatches>;
  /**
   * Set Regarding: one activity per Outlook item, however often or concurrently it is called; 'stale'
   * unless the item's records are still as `item.seen` (ActivityMatches.stamp) says.
   */
  /** 'stale' unless the target opportunity is still at `opportunityVersion` (the one the caller could read). */
  upsertRegarding(
    item: OutlookItemFields,
    opportunityId: number,
    opportunityVersion: number,
    actor: Actor,
  ): Promise<ActivityRecord | Stale>;
  /** 'stale' unless the activity is still as `seen` (ActivityRecord.stamp) says. */
  setRegarding(
    id: number,
    target: { id: number; version: number } | null,
    actor: Actor,
    seen: string,
  ): Promise<ActivityRecord | Stale>;
  /**
   * 'stale' unless the activity is as `seen.activity` says and the records of the sent message's
   * internetMessageId as `seen.sent` (ActivityMatches.stamp) says.
   */
  completeSent(
    id: number,
    sent: { internetMessageId: string; conversationId: string | null; sentAt: string | null },
    actor: Actor,
    seen: { activity: string; sent: string },
  ): Promise<ActivityRecord | Stale>;
  /**
   * The advisor's own pending drafts a sent message can be: emails with a tracking token the advisor
   * wrote, created by them, no internetMessageId yet, still regarding an opportunity and not canceled,
   * linked between `linkedFrom` and `linkedTo`, whose trimmed subject is `subject`, whose To and Cc
   * addresses are exactly `recipients` (lower-case, no repeats), and whose conversation is
   * `conversationId` when both have one. Newest link first, at most `limit`.
   */
  pendingDrafts(
    advisorId: number,
    sent: {
      subject: string;
      recipients: string[];
      conversationId: string | null;
      linkedFrom: string;
      linkedTo: string;
    },
    limit: number,
  ): Promise<ActivityRecord[]>;
  createNextStep(
    fields: {
      kind: 'phone_call' | 'task';
      subject: string;
      opportunityId: number;
      startAt: string | null;
      endAt: string | null;
    } & Partial<LoggedActivityFields>,
    /** Created only while the opportunity is still at this version (the one the rules were checked on). */
    opportunityVersion: number,
    actor: Actor,
  ): Promise<ActivityRecord | Stale>;
  setStatus(id: number, status: ActivityStatus, actor: Actor, seen: string): Promise<ActivityRecord | Stale>;
  /** A phone call's or task's fields and status (undefined: unchanged; null: cleared); 'stale' unless still as `seen`. */
  edit(id: number, changes: ActivityChanges, actor: Actor, seen: string): Promise<ActivityRecord | Stale>;
  /**
   * An opportunity's activities, for its timeline: newest first by (coalesce(sent_at, start_at, created_at), id),
   * only those of `status` when given; tracking tokens left out (only their writer may see one).
   */
  regarding(opportunityId: number, page: Keyset, status?: ActivityStatus): Promise<Activity[]>;
  countRegarding(opportunityId: number, status: ActivityStatus): Promise<number>;
}

/** What a logged phone call or task says besides its kind, subject, times and opportunity. */
export interface LoggedActivityFields {
  status: 'open' | 'completed';
  description: string | null;
  direction: 'incoming' | 'outgoing' | null;
  durationMinutes: number | null;
  contactId: number | null;
  categoryId: number | null;
  outcomeId: number | null;
  scheduledNextStep: boolean;
}

export interface ActivityChanges {
  status?: ActivityStatus;
  subject?: string;
  startAt?: string | null;
  endAt?: string | null;
  description?: string | null;
  direction?: 'incoming' | 'outgoing' | null;
  durationMinutes?: number | null;
  contactId?: number | null;
  categoryId?: number | null;
  outcomeId?: number | null;
  replacedById?: number;
}

/** The categories and outcomes of phone calls and tasks: renamed or retired, never deleted. */
export interface ActivityLabelStore {
  list(): Promise<ActivityLabel[]>;
  findById(id: number): Promise<ActivityLabel | null>;
  /**
   * 'taken' when the list has that name already, however it is cased or composed (checked in the write's
   * transaction). The key is made unique in its list (`-2`, `-3`…). */
  create(kind: ActivityLabelKind, key: string, name: string, actor: Actor): Promise<ActivityLabel | 'taken'>;
  update(
    id: number,
    changes: { name?: string; retired?: boolean },
    actor: Actor,
  ): Promise<ActivityLabel | null | 'taken'>;
}

export interface AttentionCandidate {
  opportunity: OpportunitySummary;
  assignedAt: string;
  /**
   * When each rule is (or was) met, as stored with the opportunity (migration 019); null: it cannot be (the rule
   * is off, or what stops it holds). A rule counts at `now` when its due time is at or before it.
   */
  dues: {
    untouched: string | null;
    noActivity: string | null;
    noNextStep: string | null;
    pastCloseDate: string | null;
  };
}

export interface StageRow {
  stage: Stage;
  status: 'open' | 'won' | 'lost';
  count: number;
  estimatedValue: number;
  actualValue: number;
}

/** The open opportunities in one stage, for the days-in-stage figures (see WorkStore.openStageDays). */
export interface OpenStageDays {
  stage: Stage;
  open: number;
  /** When the one longest in the stage entered it; null when none is open. */
  oldest: string | null;
  /** The middle one's entry time (the two middle ones', latest first, for an even count); empty when none. */
  middle: string[];
}

export interface WorkStore {
  /**
   * A page (most recently changed first) of the open opportunities of these owners that meet at least one
   * rule at `now`, with each rule's due time, and how many meet one in all.
   */
  needingAttention(
    ownerIds: number[],
    now: string,
    limit: number,
    offset: number,
  ): Promise<{ candidates: AttentionCandidate[]; total: number }>;
  /**
   * New for me's page in one call: the latest assignments to the advisor by someone else since `since`, of open
   * opportunities they still own (newest first), the summaries of their opportunities, and the newest notes
   * (up to `notesPerOpportunity` on each) the advisor may see on them, newest first.
   */
  newForMe(
    advisorId: number,
    since: string | null,
    limit: number,
    offset: number,
    notesPerOpportunity: number,
  ): Promise<{ assignments: Assignment[]; opportunities: OpportunitySummary[]; notes: Note[] }>;
  /**
   * One transaction of the pending needs-attention recompute (after a rules change, or the zone change of an owner
   * with many rows): up to `rows` due-time rows. True while work is left.
   */
  recomputeAttentionBatch(rows: number): Promise<boolean>;
  /**
   * The stage report's rows and open stays, read at `now` (ISO); ownerIds = null: every opportunity. A firm-wide
   * answer may be one read a little earlier (REPORT_CACHE_SECONDS): its asOf says when.
   */
  stageReport(ownerIds: number[] | null, now: string): Promise<StageReportData>;
}

export interface StageReportData {
  asOf: string;
  rows: StageRow[];
  openStageDays: OpenStageDays[];
}

/** The admin's exception rules (one set for the firm) and the firm's holidays. */
export interface ExceptionRuleStore {
  get(): Promise<ExceptionRules>;
  set(rules: ExceptionRules, actor: Actor): Promise<ExceptionRules>;
  /** Ordered by date; between from and to (local dates, inclusive) when given. */
  holidays(range?: { from: string; to: string }): Promise<Holiday[]>;
  /** 'taken' when that date is a holiday already (checked in the write). */
  addHoliday(holiday: Holiday, actor: Actor): Promise<Holiday | 'taken'>;
  /** False when that date was no holiday. */
  removeHoliday(date: string, actor: Actor): Promise<boolean>;
}

/** Which opportunities a funnel counts: every condition given must hold. */
export interface FunnelFilter {
  /** null: every owner. */
  ownerIds: number[] | null;
  /** Owned by a current member of this team. */
  teamId?: number;
  campaignId?: number;
  referrerAdvisorId?: number;
  referrerContactId?: number;
  /** Created at or after this moment, and before the other (ISO, UTC). */
  createdFrom?: string;
  createdBefore?: string;
}

export interface FunnelStageCounts {
  stage: Stage;
  /** Opportunities whose furthest stage ever entered is this one or a later one. */
  reached: number;
  /** Opportunities with at least one entry into this stage. */
  entered: number;
  /** Closed (now) won or lost, by the stage they were in when last closed. */
  won: number;
  lost: number;
}

/** A funnel's numbers, read at `asOf`. */
export interface FunnelSummary {
  asOf: string;
  counts: FunnelStageCounts[];
  /**
   * Per stage, the days each opportunity that entered it has spent in it (until now), shortest first: all of them, or
   * (length still their count) only those at the positions the percentiles asked for read (see FunnelStore.summary).
   */
  stays: { stage: Stage; days: ArrayLike<number> }[];
}

export interface FunnelStore {
  /**
   * The counts per stage and the stays, as of `now` (ISO). An identical call already in flight is shared: its
   * answer (and its asOf, a moment earlier) is this one's; a firm-wide one may be cached (REPORT_CACHE_SECONDS), and
   * an owner-scoped one too while its owners' funnel versions (migration 027) are unchanged. `percentiles` (0 to 1)
   * are those the caller computes with `percentile`: a funnel read from the totals (migration 028) has only the stays
   * those read.
   */
  summary(filter: FunnelFilter, now: string, percentiles: readonly number[]): Promise<FunnelSummary>;
}

/** What Repository.changeStamp returns: compared for equality only. */
export type ChangeStamp = string & { readonly changeStamp: true };

export interface RateLimitStoreOptions {
  /** Keeps each limit's keys apart (one store per limit). */
  prefix: string;
  windowMs: number;
  /** Milliseconds since the epoch: the app's clock. */
  now: () => number;
  /**
   * Hits are counted in this process at once and written with the next group commit instead of a transaction
   * each (the change limit, on every write's path): other processes see them a turn of the event loop later.
   */
  batched?: boolean;
}

/**
 * The hit counters of one rate limit, in fixed windows, as express-rate-limit's Store: every server
 * process on the same storage counts against the same limit. `get` only reads. `increment` never
 * waits for a write lock another process holds: the hit is then not counted, and the count returned is
 * what it would have been (so a limit can be passed by at most the hits made while the lock is held).
 */
export interface RateLimitStore extends Store {
  get(key: string): Promise<ClientRateLimitInfo | undefined>;
  /** Several keys' counts in one read, in the order given (`stamp`: as for TokenStore.findByHash). */
  getMany(keys: readonly string[], stamp?: ChangeStamp): Promise<(ClientRateLimitInfo | undefined)[]>;
  increment(key: string): Promise<ClientRateLimitInfo>;
}

/** One advisor's month, as the instants it starts and ends (exclusive) in their own time zone. */
export interface PointsWindow {
  advisorId: number;
  from: string;
  to: string;
}

/** Who a points report lists: active advisors with what the report shows of them. */
export interface PointsAdvisor {
  id: number;
  displayName: string;
  timeZone: string;
  monthlyQuota: number | null;
}

/** The points each category and outcome is worth, and what advisors earned with them. */
export interface ActivityPointsStore {
  /** Every category and outcome with its points, as the labels list orders them. */
  table(): Promise<ActivityPointsEntry[]>;
  /** Sets the points of the entries named, in one transaction; 'unknown' (and nothing changed) when an id names none. */
  setPoints(entries: { labelId: number; points: number }[], actor: Actor): Promise<ActivityPointsEntry[] | 'unknown'>;
  /** The active advisors among ids (all active advisors when null), by display name. */
  advisors(ids: number[] | null): Promise<PointsAdvisor[]>;
  /**
   * Points each advisor earned in their window with the current table: completed calls by when they happened,
   * completed tasks by when they were completed, logged by that advisor; the category's points plus the outcome's.
   */
  earned(windows: PointsWindow[]): Promise<Map<number, number>>;
}

/** What the email alerts record (migration 15): a claim taken before sending, then sent or skipped. */
export type AlertKey =
  | { kind: 'digest'; recipientId: number; localDate: string }
  | { kind: 'untouched'; recipientId: number; opportunityId: number; assignedAt: string };

export interface AlertDeliveryStore {
  /**
   * Whether each key could be claimed now (a read, no write lock): the runners ask before preparing an
   * email, so a claim is only ever taken right before its send. Same rules as `claim`.
   */
  claimable(keys: AlertKey[], staleBefore: string, force?: boolean): Promise<boolean[]>;
  /**
   * Claims each key not yet recorded, in one write, and returns the ids of the claims taken (in the
   * keys' order, null where another process recorded or claimed it). A claim is taken right before its
   * send, so one left behind may have been sent: it is never taken over, except by `force` (a digest's
   * key, the operator's send-now), which takes a recorded key or a claim older than `staleBefore`, never
   * a claim another process may still be sending on.
   */
  claim(keys: AlertKey[], at: string, staleBefore: string, force?: boolean): Promise<(number | null)[]>;
  /** Records claims as done: sent, or skipped (nothing to send). */
  finish(ids: number[], status: 'sent' | 'skipped', at: string): Promise<void>;
  /** Gives claims up (the send failed), so a later run tries again. */
  release(ids: number[]): Promise<void>;
}

export interface Repository {
  advisors: AdvisorStore;
  teams: TeamStore;
  tokens: TokenStore;
  contacts: ContactStore;
  opportunities: OpportunityStore;
  notes: NoteStore;
  activities: ActivityStore;
  work: WorkStore;
  funnel: FunnelStore;
  activityLabels: ActivityLabelStore;
  activityPoints: ActivityPointsStore;
  exceptionRules: ExceptionRuleStore;
  alertDeliveries: AlertDeliveryStore;
  /** A new hit counter for one rate limit (see RateLimitStore). */
  rateLimitStore(options: RateLimitStoreOptions): RateLimitStore;
  /**
   * A value that changes when something the reuse below depends on was written since: on SQLite anything, by this
   * process or another, at once; on PostgreSQL advisors, teams, tokens and rate limits through this instance at once,
   * and through another instance within its bound (SIGN_IN_REUSE_MS; PostgresChangeStamps). `exact`: a stamp that
   * holds only while nothing was written anywhere (SQLite's always does; PostgreSQL's is then new at every read). A
   * request reads it once and hands it to the stores that reuse earlier reads while it holds (the sign-in guard's
   * counts, the token lookup): each such read costs a read transaction of its own.
   */
  changeStamp(options?: { exact?: boolean }): ChangeStamp;
  /** True when the storage is reachable (for /healthz). */
  ping(): Promise<boolean>;
  /** True when a write could start now; false while another process holds the write lock (for /healthz). */
  writable(): Promise<boolean>;
  /** Background upkeep (compacting the search index, dropping ended rate-limit windows); safe while serving. Called at start and hourly. */
  maintain(): Promise<void>;
  /** Stops any upkeep in progress, then closes the storage. */
  close(): Promise<void>;
  /** False once close() has been called (background work stops retrying). */
  isOpen(): boolean;
}
