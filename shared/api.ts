/**
 * The contract of the HTTP API: every endpoint, its input schemas and its response schema.
 * The server mounts routes from it (and validates with it), the OpenAPI document is generated
 * from it, and the add-in's API client is typed by it: one definition of every request and response.
 */
import { z } from 'zod';
import { routes } from './routes';
import { CursorPaging, IdParams, cursorPage, page } from './schemas/common';
import {
  Advisor,
  AdvisorSearchQuery,
  CreateAdvisorRequest,
  CreateTeamRequest,
  Me,
  Team,
  TeamMemberParams,
  TeamSearchQuery,
  UpdateAdvisorRequest,
  UpdatePreferencesRequest,
} from './schemas/advisors';
import {
  Contact,
  ContactSearchQuery,
  NewContact,
  NewOrganization,
  Organization,
  OrganizationSearchQuery,
} from './schemas/contacts';
import {
  AssignRequest,
  Campaign,
  CloseRequest,
  CreateOpportunityRequest,
  OpportunityListQuery,
  OpportunityChoice,
  OpportunitySummary,
  Opportunity,
  SuggestionQuery,
  UpdateOpportunityRequest,
} from './schemas/opportunities';
import { CreateNoteRequest, Note, NoteShareTargets, UpdateNoteRequest } from './schemas/notes';
import {
  Activity,
  ActivityLookupQuery,
  ChangeRegardingRequest,
  CompleteSentRequest,
  CreateActivityRequest,
  DRAFT_MATCHES_MAX,
  DraftMatches,
  SentMessageMatchRequest,
  SetRegardingRequest,
  UpdateActivityStatusRequest,
} from './schemas/activities';
import { ActivityLabel, CreateActivityLabelRequest, UpdateActivityLabelRequest } from './schemas/activity-labels';
import {
  ActivityPointsTable,
  PointsReport,
  PointsReportQuery,
  UpdateActivityPointsRequest,
} from './schemas/activity-points';
import { ActivityPageQuery, Assignment, CloseResult, OpportunityDetail, OpportunityEvent } from './schemas/timeline';
import { CreateHolidayRequest, ExceptionRules, Holiday, HolidayParams, HolidayQuery } from './schemas/exception-rules';
import { NeedsAttention, NeedsAttentionQuery, NewForMe, NewForMeQuery, ReportQuery, StageReport } from './schemas/work';
import { Funnel, FunnelCsv, FunnelQuery } from './schemas/reports';
import { PaneContext, PaneContextQuery } from './schemas/pane';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express-style path under /api/v1, e.g. `/opportunities/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** The status of a successful response. */
  status: number;
  /** Other statuses this endpoint documents besides the common 400, 401, 429, 500 and 503. */
  errors?: number[];
  /** Request headers it reads (documented in OpenAPI). */
  headers?: Record<string, string>;
  /** The media type of a successful response when it is not JSON (the response schema is then a string). */
  contentType?: 'text/csv';
}

function endpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  definition: Endpoint<P, Q, B, R>,
): Endpoint<P, Q, B, R> {
  return definition;
}

const IfMatch = { 'If-Match': 'The opportunity version from its ETag, e.g. "3". Required.' };
const IdempotencyKey = {
  'Idempotency-Key':
    'Optional. Retrying a create with the same key returns the first result instead of creating another.',
};

export const endpoints = {
  getMe: endpoint({ ...routes.getMe, tag: 'people', summary: 'The signed-in advisor', response: Me, status: 200 }),
  markWorkSeen: endpoint({
    ...routes.markWorkSeen,
    tag: 'work',
    status: 200,
    response: Me,
    summary: 'Mark "New for me" as seen now',
  }),
  updatePreferences: endpoint({
    ...routes.updatePreferences,
    tag: 'work',
    body: UpdatePreferencesRequest,
    status: 200,
    response: Me,
    errors: [403],
    summary:
      "Remember the caller's own choices on the service: My Work scope (me, team or closed; team only for a manager), time zone, daily digest opt-out",
  }),
  searchAdvisors: endpoint({
    ...routes.searchAdvisors,
    tag: 'people',
    query: AdvisorSearchQuery,
    response: page(Advisor),
    status: 200,
    summary: 'Search active advisors by name or email prefix',
  }),
  createAdvisor: endpoint({
    ...routes.createAdvisor,
    tag: 'people',
    body: CreateAdvisorRequest,
    response: Advisor,
    status: 201,
    errors: [403, 409],
    summary: 'Add an advisor (admin)',
  }),
  updateAdvisor: endpoint({
    ...routes.updateAdvisor,
    tag: 'people',
    params: IdParams,
    body: UpdateAdvisorRequest,
    response: Advisor,
    status: 200,
    errors: [403, 404, 409],
    summary:
      "Change an advisor's name, role, active flag, time zone or monthly points quota (admin); 409 when it would leave no active admin",
  }),
  searchTeams: endpoint({
    ...routes.searchTeams,
    tag: 'people',
    query: TeamSearchQuery,
    response: page(Team),
    status: 200,
    summary: 'Search teams by name prefix',
  }),
  createTeam: endpoint({
    ...routes.createTeam,
    tag: 'people',
    body: CreateTeamRequest,
    response: Team,
    status: 201,
    errors: [403, 404, 409],
    summary: 'Create a team (admin)',
  }),
  addTeamMember: endpoint({
    ...routes.addTeamMember,
    tag: 'people',
    params: TeamMemberParams,
    response: Team,
    status: 200,
    errors: [403, 404],
    summary: 'Add an advisor to a team (admin)',
  }),
  removeTeamMember: endpoint({
    ...routes.removeTeamMember,
    tag: 'people',
    params: TeamMemberParams,
    response: Team,
    status: 200,
    errors: [403, 404],
    summary: 'Remove an advisor from a team (admin)',
  }),

  searchContacts: endpoint({
    ...routes.searchContacts,
    tag: 'contacts',
    query: ContactSearchQuery,
    response: page(Contact),
    status: 200,
    summary: "Find contacts by exact email(s), or by word prefixes of the name or email or the phone number's digits",
  }),
  createContact: endpoint({
    ...routes.createContact,
    tag: 'contacts',
    body: NewContact,
    response: Contact,
    status: 201,
    errors: [404],
    summary:
      'Create a contact. When one with the same email exists, it is returned with 200 instead (never a duplicate). A new company email domain (not a public mail domain) gets a new organization.',
  }),
  searchOrganizations: endpoint({
    ...routes.searchOrganizations,
    tag: 'contacts',
    query: OrganizationSearchQuery,
    response: page(Organization),
    status: 200,
    summary: 'Find organizations by word prefixes of the name or of an email domain',
  }),
  createOrganization: endpoint({
    ...routes.createOrganization,
    tag: 'contacts',
    body: NewOrganization,
    response: Organization,
    status: 201,
    errors: [409],
    summary:
      'Create an organization, optionally with an email domain its new contacts join (409 when another has the domain)',
  }),

  listCampaigns: endpoint({
    ...routes.listCampaigns,
    tag: 'opportunities',
    response: z.array(Campaign),
    status: 200,
    summary: 'Source campaigns',
  }),
  listOpportunities: endpoint({
    ...routes.listOpportunities,
    tag: 'opportunities',
    query: OpportunityListQuery,
    response: page(OpportunitySummary),
    status: 200,
    errors: [403],
    summary:
      'List opportunities by view (my-open, team-open, all-open, recent, closed, team-closed: managers only), with type-ahead search',
  }),
  lookupOpportunities: endpoint({
    ...routes.lookupOpportunities,
    tag: 'opportunities',
    query: OpportunityListQuery,
    response: page(OpportunityChoice),
    status: 200,
    errors: [403],
    summary:
      'The same views and type-ahead search as the list, as lookup lines (topic, customer, owner, stage): what the Set Regarding lookup shows',
  }),
  suggestOpportunities: endpoint({
    ...routes.suggestOpportunities,
    tag: 'opportunities',
    query: SuggestionQuery,
    response: z.array(OpportunitySummary),
    status: 200,
    summary: 'Open opportunities whose customer has one of these email addresses, mine first',
  }),
  createOpportunity: endpoint({
    ...routes.createOpportunity,
    tag: 'opportunities',
    body: CreateOpportunityRequest,
    response: OpportunityDetail,
    status: 201,
    errors: [403, 404, 409],
    headers: IdempotencyKey,
    summary:
      'Create an opportunity, optionally with its customer, a first shared note, an owner and a linked Outlook item, in one transaction',
  }),
  getOpportunity: endpoint({
    ...routes.getOpportunity,
    tag: 'opportunities',
    params: IdParams,
    response: OpportunityDetail,
    status: 200,
    errors: [403, 404],
    summary:
      'One opportunity with the newest page (25) of each part of its timeline (activities, visible notes, assignments) and the cursors for older ones',
  }),
  listOpportunityActivities: endpoint({
    ...routes.listOpportunityActivities,
    tag: 'opportunities',
    params: IdParams,
    query: ActivityPageQuery,
    response: cursorPage(Activity),
    status: 200,
    errors: [404],
    summary:
      'Activities regarding the opportunity, newest first (by sent, start or creation time), a page at a time (at most 100, 25 by default)',
  }),
  listOpportunityNotes: endpoint({
    ...routes.listOpportunityNotes,
    tag: 'notes',
    params: IdParams,
    query: CursorPaging,
    response: cursorPage(Note),
    status: 200,
    errors: [404],
    summary:
      'The notes on the opportunity the caller may see, newest first, a page at a time (at most 100, 25 by default)',
  }),
  listOpportunityAssignments: endpoint({
    ...routes.listOpportunityAssignments,
    tag: 'opportunities',
    params: IdParams,
    query: CursorPaging,
    response: cursorPage(Assignment),
    status: 200,
    errors: [404],
    summary: 'The assignment history of the opportunity, newest first, a page at a time (at most 100, 25 by default)',
  }),
  listOpportunityEvents: endpoint({
    ...routes.listOpportunityEvents,
    tag: 'opportunities',
    params: IdParams,
    query: CursorPaging,
    response: cursorPage(OpportunityEvent),
    status: 200,
    errors: [404],
    summary:
      'The closes (outcome, value, reason) and reopens of the opportunity with who and when, newest first, a page at a time (at most 100, 25 by default)',
  }),
  updateOpportunity: endpoint({
    ...routes.updateOpportunity,
    tag: 'opportunities',
    params: IdParams,
    body: UpdateOpportunityRequest,
    response: Opportunity,
    status: 200,
    errors: [403, 404, 409, 428],
    headers: IfMatch,
    summary:
      'Change fields; 409 when the If-Match version is stale; the customer contact cannot be the referrer (400); without rights on it, 403/404 before any value is checked',
  }),
  assignOpportunity: endpoint({
    ...routes.assignOpportunity,
    tag: 'opportunities',
    params: IdParams,
    body: AssignRequest,
    response: OpportunityDetail,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Assign to another advisor; the new owner gets every note the assigner wrote on it',
  }),
  closeOpportunity: endpoint({
    ...routes.closeOpportunity,
    tag: 'opportunities',
    params: IdParams,
    body: CloseRequest,
    response: CloseResult,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Close as won or lost',
  }),
  reopenOpportunity: endpoint({
    ...routes.reopenOpportunity,
    tag: 'opportunities',
    params: IdParams,
    response: Opportunity,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Reopen a won or lost opportunity',
  }),

  addNote: endpoint({
    ...routes.addNote,
    tag: 'notes',
    params: IdParams,
    body: CreateNoteRequest,
    response: Note,
    status: 201,
    errors: [403, 404],
    summary: 'Add a note, optionally shared with advisors or teams',
  }),
  updateNote: endpoint({
    ...routes.updateNote,
    tag: 'notes',
    params: IdParams,
    body: UpdateNoteRequest,
    response: Note,
    status: 200,
    errors: [403, 404],
    summary: 'Edit one of my notes',
  }),
  shareNote: endpoint({
    ...routes.shareNote,
    tag: 'notes',
    params: IdParams,
    body: NoteShareTargets,
    response: Note,
    status: 200,
    errors: [403, 404],
    summary: 'Share one of my notes with more advisors or teams',
  }),

  setRegarding: endpoint({
    ...routes.setRegarding,
    tag: 'activities',
    body: SetRegardingRequest,
    response: Activity,
    status: 200,
    errors: [403, 404, 409],
    summary:
      'Set Regarding for an Outlook item: an idempotent upsert keyed by internetMessageId, tracking token or item id',
  }),
  lookupActivity: endpoint({
    ...routes.lookupActivity,
    tag: 'activities',
    query: ActivityLookupQuery,
    response: Activity,
    status: 200,
    errors: [404],
    summary: 'The activity recorded for an Outlook item',
  }),
  createActivity: endpoint({
    ...routes.createActivity,
    tag: 'activities',
    body: CreateActivityRequest,
    response: Activity,
    status: 201,
    errors: [404, 409],
    summary:
      'Log a phone call or task on an open opportunity, open or completed; a call starting more than 5 minutes from now cannot be completed (400)',
  }),
  changeRegarding: endpoint({
    ...routes.changeRegarding,
    tag: 'activities',
    params: IdParams,
    body: ChangeRegardingRequest,
    response: Activity,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Change what an activity is regarding',
  }),
  removeRegarding: endpoint({
    ...routes.removeRegarding,
    tag: 'activities',
    params: IdParams,
    response: Activity,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Remove the regarding of an activity',
  }),
  completeSent: endpoint({
    ...routes.completeSent,
    tag: 'activities',
    params: IdParams,
    body: CompleteSentRequest,
    response: Activity,
    status: 200,
    errors: [403, 404, 409],
    summary: "Complete a compose-mode link with the sent message's internetMessageId",
  }),
  matchSentDrafts: endpoint({
    ...routes.matchSentDrafts,
    tag: 'activities',
    body: SentMessageMatchRequest,
    response: DraftMatches,
    status: 200,
    summary: `The caller's own pending drafts a sent message can be (same recipients, same subject, same conversation when both have one, linked in the 14 days before it was sent; at most ${DRAFT_MATCHES_MAX}): never another advisor's. Changes nothing`,
  }),
  updateActivityStatus: endpoint({
    ...routes.updateActivityStatus,
    tag: 'activities',
    params: IdParams,
    body: UpdateActivityStatusRequest,
    response: Activity,
    status: 200,
    errors: [403, 404, 409],
    summary:
      "Complete, cancel or reopen an activity, or edit a phone call's or task's fields; a call starting more than 5 minutes from now cannot be completed (400); a scheduled next-step task is canceled as replaced by an appointment (replacedById)",
  }),
  listActivityLabels: endpoint({
    ...routes.listActivityLabels,
    tag: 'activities',
    response: z.array(ActivityLabel),
    status: 200,
    summary: 'The categories and outcomes of phone calls and tasks, retired ones marked',
  }),
  createActivityLabel: endpoint({
    ...routes.createActivityLabel,
    tag: 'activities',
    body: CreateActivityLabelRequest,
    response: ActivityLabel,
    status: 201,
    errors: [403, 409],
    summary:
      'Add a category or outcome (admin); its key is made from the name without diacritics and never changes; a name the list has already, whatever its case or Unicode form, is 409',
  }),
  updateActivityLabel: endpoint({
    ...routes.updateActivityLabel,
    tag: 'activities',
    params: IdParams,
    body: UpdateActivityLabelRequest,
    response: ActivityLabel,
    status: 200,
    errors: [403, 404, 409],
    summary: 'Rename, retire or bring back a category or outcome (admin)',
  }),

  needsAttention: endpoint({
    ...routes.needsAttention,
    tag: 'work',
    query: NeedsAttentionQuery,
    response: NeedsAttention,
    status: 200,
    errors: [403],
    summary:
      "Open opportunities meeting an exception rule (untouched since assignment, no activity since creation, no next step, past their close date), in business days of the owner's time zone less the holidays; each reason with when it was met; paged (at most 100, 25 by default) with the total",
  }),
  newForMe: endpoint({
    ...routes.newForMe,
    tag: 'work',
    query: NewForMeQuery,
    response: NewForMe,
    status: 200,
    summary:
      'Opportunities assigned to me since I last marked My Work as seen, newest first; paged (at most 100, 25 by default), with up to 5 notes each',
  }),
  stageReport: endpoint({
    ...routes.stageReport,
    tag: 'work',
    query: ReportQuery,
    response: StageReport,
    status: 200,
    errors: [403],
    summary: 'Counts and value per stage and status, and days in the current stage',
  }),
  getActivityPoints: endpoint({
    ...routes.getActivityPoints,
    tag: 'work',
    response: ActivityPointsTable,
    status: 200,
    summary:
      "The points each category and outcome is worth: a completed call or task earns its category's plus its outcome's",
  }),
  updateActivityPoints: endpoint({
    ...routes.updateActivityPoints,
    tag: 'work',
    body: UpdateActivityPointsRequest,
    response: ActivityPointsTable,
    status: 200,
    errors: [403],
    summary:
      'Set the points of the categories and outcomes named (admin); an unknown entry is 400; reports count with the new values at once, past months included',
  }),
  pointsReport: endpoint({
    ...routes.pointsReport,
    tag: 'work',
    query: PointsReportQuery,
    response: PointsReport,
    status: 200,
    errors: [403],
    summary:
      "Activity points and monthly quota per advisor for a month (by default the caller's current one), each advisor's month in their own time zone",
  }),
  getExceptionRules: endpoint({
    ...routes.getExceptionRules,
    tag: 'work',
    response: ExceptionRules,
    status: 200,
    summary: 'The exception rules that flag an opportunity as needing attention: thresholds and switches',
  }),
  setExceptionRules: endpoint({
    ...routes.setExceptionRules,
    tag: 'work',
    body: ExceptionRules,
    response: ExceptionRules,
    status: 200,
    errors: [403],
    summary: 'Replace the exception rules (admin); thresholds are 1 to 60 business days',
  }),
  listHolidays: endpoint({
    ...routes.listHolidays,
    tag: 'work',
    query: HolidayQuery,
    response: z.array(Holiday),
    status: 200,
    summary: "The firm's holidays, by date (one year's with year): not business days, in each advisor's own zone",
  }),
  addHoliday: endpoint({
    ...routes.addHoliday,
    tag: 'work',
    body: CreateHolidayRequest,
    response: Holiday,
    status: 201,
    errors: [403, 409],
    summary: 'Add a holiday (admin); a date that is a holiday already is 409',
  }),
  removeHoliday: endpoint({
    ...routes.removeHoliday,
    tag: 'work',
    params: HolidayParams,
    response: Holiday,
    status: 200,
    errors: [403, 404],
    summary: 'Remove a holiday (admin); answers the holiday removed',
  }),
  funnelReport: endpoint({
    ...routes.funnelReport,
    tag: 'work',
    query: FunnelQuery,
    response: Funnel,
    status: 200,
    errors: [403],
    summary:
      'Per stage: opportunities that reached it, converted to the next stage or beyond, median and 90th-percentile days in it, won and lost by the stage left; scope me, team (managers) or all (admins); filters by campaign, referrer, owner or team within the scope, and creation dates',
  }),
  funnelCsv: endpoint({
    ...routes.funnelCsv,
    tag: 'work',
    query: FunnelQuery,
    response: FunnelCsv,
    contentType: 'text/csv',
    status: 200,
    errors: [403],
    summary: 'The funnel report as a CSV download (a header row, one row per stage), with the same rules and filters',
  }),
  paneContext: endpoint({
    ...routes.paneContext,
    tag: 'people',
    query: PaneContextQuery,
    response: PaneContext,
    status: 200,
    summary:
      "What the pane shows when it opens on an item, in one request: the signed-in advisor (as GET /me), the item's activity (as GET /activities/lookup, null where that answers 404) and the suggestions for its people (as GET /opportunities/suggestions, empty without email)",
  }),
} as const;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;
/** What a client sends to an endpoint. */
export type RequestOf<E extends Endpoint> = {
  params: InputOf<E['params']>;
  query: InputOf<E['query']>;
  body: InputOf<E['body']>;
};
/** What a client receives from an endpoint. */
export type ResponseOf<E extends Endpoint> = z.output<E['response']>;

export { API_PREFIX } from './routes';
