import assert from 'node:assert/strict';
import { API_PREFIX, endpoints, type EndpointName } from '../../shared/api';
import {
  AuthorizationWorld,
  DISPLAY_NAMES,
  PERSONAS,
  SPARE_NAME,
  type CellRequest,
  type Named,
  type Persona,
} from '../helpers/authorization-fixtures';
import { emailItem } from '../helpers/test-server';

/**
 * The authorization matrix: every endpoint of shared/api.ts × every persona, with the status the rules
 * give. A row is keyed by the endpoint's operation id; a row for a second state of the target adds it in
 * parentheses, e.g. `getOpportunity (closed)`. Unless a row says otherwise, the target belongs to the
 * owner (an advisor in team North): an open opportunity they created and own, or a note or activity they
 * made on it. advisor: another advisor in North; otherTeam: an advisor in South; manager: a manager in
 * North; admin: an admin in no team; deactivated, revoked: advisors in North whose account was deactivated,
 * or whose token was revoked, after it was issued; none: no token.
 */
// prettier-ignore
const expected = {
  getMe:                            { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  markWorkSeen:                     { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  updatePreferences:                { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'updatePreferences (team)':       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  searchAdvisors:                   { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createAdvisor:                    { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 201, deactivated: 401, revoked: 401 },
  updateAdvisor:                    { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  searchTeams:                      { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createTeam:                       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 201, deactivated: 401, revoked: 401 },
  addTeamMember:                    { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  removeTeamMember:                 { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  searchContacts:                   { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createContact:                    { none: 401, owner: 201, advisor: 201, otherTeam: 201, manager: 201, admin: 201, deactivated: 401, revoked: 401 },
  searchOrganizations:              { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createOrganization:               { none: 401, owner: 201, advisor: 201, otherTeam: 201, manager: 201, admin: 201, deactivated: 401, revoked: 401 },
  listCampaigns:                    { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  listOpportunities:                { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'listOpportunities (team-closed)':{ none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  lookupOpportunities:              { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  suggestOpportunities:             { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createOpportunity:                { none: 401, owner: 201, advisor: 201, otherTeam: 201, manager: 201, admin: 201, deactivated: 401, revoked: 401 },
  getOpportunity:                   { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'getOpportunity (closed)':        { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  listOpportunityActivities:        { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'listOpportunityActivities (closed)':{ none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  listOpportunityNotes:             { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'listOpportunityNotes (closed)':  { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  listOpportunityAssignments:       { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'listOpportunityAssignments (closed)':{ none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  listOpportunityEvents:            { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'listOpportunityEvents (closed)': { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  updateOpportunity:                { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'updateOpportunity (closed)':     { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  assignOpportunity:                { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  closeOpportunity:                 { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  reopenOpportunity:                { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  addNote:                          { none: 401, owner: 201, advisor: 201, otherTeam: 201, manager: 201, admin: 201, deactivated: 401, revoked: 401 },
  'addNote (closed)':               { none: 401, owner: 201, advisor: 404, otherTeam: 404, manager: 201, admin: 404, deactivated: 401, revoked: 401 },
  updateNote:                       { none: 401, owner: 200, advisor: 403, otherTeam: 404, manager: 403, admin: 404, deactivated: 401, revoked: 401 },
  shareNote:                        { none: 401, owner: 200, advisor: 403, otherTeam: 404, manager: 403, admin: 404, deactivated: 401, revoked: 401 },
  setRegarding:                     { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'setRegarding (closed)':          { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 200, admin: 404, deactivated: 401, revoked: 401 },
  'setRegarding (linked by owner)': { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'setRegarding (linked, closed)':  { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  lookupActivity:                   { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'lookupActivity (unlinked)':      { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 404, admin: 404, deactivated: 401, revoked: 401 },
  createActivity:                   { none: 401, owner: 201, advisor: 403, otherTeam: 403, manager: 201, admin: 403, deactivated: 401, revoked: 401 },
  changeRegarding:                  { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'changeRegarding (unlinked)':     { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 404, admin: 404, deactivated: 401, revoked: 401 },
  'changeRegarding (closed)':       { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  removeRegarding:                  { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'removeRegarding (unlinked)':     { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 404, admin: 404, deactivated: 401, revoked: 401 },
  completeSent:                     { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'completeSent (unlinked)':        { none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 404, admin: 404, deactivated: 401, revoked: 401 },
  'completeSent (sent)':            { none: 401, owner: 409, advisor: 403, otherTeam: 403, manager: 409, admin: 403, deactivated: 401, revoked: 401 },
  matchSentDrafts:                  { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  updateActivityStatus:             { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'updateActivityStatus (unlinked)':{ none: 401, owner: 200, advisor: 404, otherTeam: 404, manager: 404, admin: 404, deactivated: 401, revoked: 401 },
  listActivityLabels:               { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  createActivityLabel:              { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 201, deactivated: 401, revoked: 401 },
  updateActivityLabel:              { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  needsAttention:                   { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'needsAttention (scope=team)':    { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  newForMe:                         { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  stageReport:                      { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'stageReport (scope=team)':       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'stageReport (scope=all)':        { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  getActivityPoints:                { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  updateActivityPoints:             { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  pointsReport:                     { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'pointsReport (scope=team)':      { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'pointsReport (scope=all)':       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  getExceptionRules:                { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  setExceptionRules:                { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  listHolidays:                     { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  addHoliday:                       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 201, deactivated: 401, revoked: 401 },
  removeHoliday:                    { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  funnelReport:                     { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'funnelReport (scope=team)':      { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'funnelReport (scope=all)':       { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  'funnelReport (owner filter)':    { none: 401, owner: 200, advisor: 403, otherTeam: 403, manager: 403, admin: 403, deactivated: 401, revoked: 401 },
  funnelCsv:                        { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'funnelCsv (scope=team)':         { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 200, admin: 403, deactivated: 401, revoked: 401 },
  'funnelCsv (scope=all)':          { none: 401, owner: 403, advisor: 403, otherTeam: 403, manager: 403, admin: 200, deactivated: 401, revoked: 401 },
  // What getMe, lookupActivity and suggestOpportunities answer together: an activity hidden from the caller is null.
  paneContext:                      { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
  'paneContext (unlinked)':         { none: 401, owner: 200, advisor: 200, otherTeam: 200, manager: 200, admin: 200, deactivated: 401, revoked: 401 },
} satisfies Record<string, Record<Persona, number>>;

type RowKey = keyof typeof expected;

interface Cell {
  /** The target's state this row is about. */
  state: string;
  /** Personas the target hides from a refused caller: a 403 must not name them (a 404 names no one). */
  hides?: Named[];
  request: (world: AuthorizationWorld, persona: Persona) => CellRequest | Promise<CellRequest>;
}

const cell = (state: string, request: Cell['request'], hides?: Named[]): Cell => ({ state, request, hides });
const constant = (state: string, request: CellRequest = {}) => cell(state, () => request);
const message = (id: string) => `internetMessageId=${encodeURIComponent(id)}`;

const cells: Record<RowKey, Cell> = {
  getMe: constant('the caller'),
  markWorkSeen: constant('the caller'),
  updatePreferences: constant('the closed scope', { body: { workScope: 'closed' } }),
  'updatePreferences (team)': constant('the team scope', { body: { workScope: 'team' } }),
  searchAdvisors: constant('a name prefix', { query: 'q=a' }),
  createAdvisor: cell('a new email', (w) => ({
    body: { email: `${w.unique('hire')}@firm.example`, displayName: w.unique('Hire') },
  })),
  updateAdvisor: cell('an advisor the admin just added', async (w) => ({
    params: { id: await w.newAdvisor() },
    body: { displayName: w.unique('Renamed') },
  })),
  searchTeams: constant('a name prefix', { query: 'q=T' }),
  createTeam: cell('a new team with the spare advisor', (w) => ({
    body: { name: w.unique('Team'), memberIds: [w.ids.spare] },
  })),
  addTeamMember: cell('an empty team the admin just made; the spare advisor', async (w) => ({
    params: { id: await w.newTeam(), advisorId: w.ids.spare },
  })),
  removeTeamMember: cell('a team the admin just made with the spare advisor in it', async (w) => ({
    params: { id: await w.newTeam([w.ids.spare]), advisorId: w.ids.spare },
  })),
  searchContacts: constant('a name prefix', { query: 'q=customer' }),
  createContact: cell('a new email', (w) => ({
    body: { name: 'Pat', email: `${w.unique('pat')}@client.example` },
  })),
  searchOrganizations: constant('a name prefix', { query: 'q=client' }),
  createOrganization: cell('a new name and domain', (w) => ({
    body: { name: 'Org', domain: `${w.unique('org')}.example` },
  })),
  listCampaigns: constant('all'),
  listOpportunities: constant('the all-open view', { query: 'view=all-open' }),
  'listOpportunities (team-closed)': constant("the team's closed view", { query: 'view=team-closed' }),
  lookupOpportunities: constant('the all-open view, typed ahead', { query: 'view=all-open&q=Topic' }),
  suggestOpportunities: constant('a customer email', { query: 'email=someone%40client.example' }),
  createOpportunity: cell('a new customer', (w) => ({
    body: { topic: 'Pension', customer: { newContact: { name: 'Kim', email: `${w.unique('kim')}@client.example` } } },
  })),
  getOpportunity: cell('open', (w) => ({ params: { id: w.openId } })),
  'getOpportunity (closed)': cell('won', (w) => ({ params: { id: w.closedId } }), ['owner']),
  listOpportunityActivities: cell('open', (w) => ({ params: { id: w.openId } })),
  'listOpportunityActivities (closed)': cell('won', (w) => ({ params: { id: w.closedId } }), ['owner']),
  listOpportunityNotes: cell('open', (w) => ({ params: { id: w.openId } })),
  'listOpportunityNotes (closed)': cell('won', (w) => ({ params: { id: w.closedId } }), ['owner']),
  listOpportunityAssignments: cell('open', (w) => ({ params: { id: w.openId } })),
  'listOpportunityAssignments (closed)': cell('won', (w) => ({ params: { id: w.closedId } }), ['owner']),
  listOpportunityEvents: cell('open', (w) => ({ params: { id: w.openId } })),
  'listOpportunityEvents (closed)': cell('won', (w) => ({ params: { id: w.closedId } }), ['owner']),
  updateOpportunity: cell('open, version 1', async (w) => ({
    params: { id: await w.newOpen() },
    headers: { 'If-Match': '"1"' },
    body: { stage: 'develop' },
  })),
  'updateOpportunity (closed)': cell(
    'won',
    async (w) => {
      const id = await w.newClosed();
      const version = (await w.clients.owner.get(`${API_PREFIX}/opportunities/${id}`)).body.opportunity.version;
      return { params: { id }, headers: { 'If-Match': `"${version}"` }, body: { description: 'Signed' } };
    },
    ['owner'],
  ),
  assignOpportunity: cell('open; to the other advisor in North', async (w) => ({
    params: { id: await w.newOpen() },
    body: { ownerId: w.ids.advisor, message: 'Yours' },
  })),
  closeOpportunity: cell('open', async (w) => ({ params: { id: await w.newOpen() }, body: { outcome: 'lost' } })),
  reopenOpportunity: cell('won', async (w) => ({ params: { id: await w.newClosed() } }), ['owner']),
  addNote: cell('open', (w) => ({ params: { id: w.openId }, body: { body: 'Met them today' } })),
  'addNote (closed)': cell('won', (w) => ({ params: { id: w.closedId }, body: { body: 'Late' } }), ['owner']),
  updateNote: cell('a note shared with North', async (w) => ({
    params: { id: await w.newNote() },
    body: { body: 'Call back on Monday' },
  })),
  shareNote: cell('a note shared with North', async (w) => ({
    params: { id: await w.newNote() },
    body: { advisorIds: [w.ids.spare], teamIds: [] },
  })),
  setRegarding: cell('a new email; the open opportunity', (w) => ({
    body: { item: emailItem(w.messageId('new')), opportunityId: w.openId },
  })),
  'setRegarding (closed)': cell(
    'a new email; the won opportunity',
    (w) => ({ body: { item: emailItem(w.messageId('late')), opportunityId: w.closedId } }),
    ['owner'],
  ),
  'setRegarding (linked by owner)': cell('an email the owner linked to an open opportunity; to another', async (w) => {
    const messageId = w.messageId('taken');
    await w.linkEmail(w.openId, messageId);
    return { body: { item: emailItem(messageId), opportunityId: w.otherOpenId } };
  }),
  'setRegarding (linked, closed)': cell(
    'an email the owner linked to the won opportunity; to an open one',
    async (w) => {
      const messageId = w.messageId('closed');
      await w.linkEmail(w.closedId, messageId);
      return { body: { item: emailItem(messageId), opportunityId: w.otherOpenId } };
    },
    ['owner'],
  ),
  lookupActivity: cell('linked to the open opportunity', (w) => ({ query: message(w.linkedMessageId) })),
  'lookupActivity (unlinked)': cell('unlinked by the owner', (w) => ({ query: message(w.unlinkedMessageId) }), [
    'owner',
  ]),
  createActivity: cell('a task; the open opportunity', (w) => ({
    body: { kind: 'task', subject: 'Send the forms', opportunityId: w.openId },
  })),
  changeRegarding: cell('linked by the owner to the open opportunity; to another open one', async (w) => ({
    params: { id: await w.linkEmail(w.openId) },
    body: { opportunityId: w.otherOpenId },
  })),
  'changeRegarding (unlinked)': cell(
    'unlinked by the owner; to an open opportunity',
    async (w) => ({ params: { id: await w.unlinkedEmail() }, body: { opportunityId: w.otherOpenId } }),
    ['owner'],
  ),
  'changeRegarding (closed)': cell(
    'linked by the owner to the won opportunity; to an open one',
    async (w) => ({ params: { id: await w.linkEmail(w.closedId) }, body: { opportunityId: w.otherOpenId } }),
    ['owner'],
  ),
  removeRegarding: cell('linked by the owner to the open opportunity', async (w) => ({
    params: { id: await w.linkEmail(w.openId) },
  })),
  'removeRegarding (unlinked)': cell(
    'unlinked by the owner',
    async (w) => ({ params: { id: await w.unlinkedEmail() } }),
    ['owner'],
  ),
  completeSent: cell('a compose-mode link by the owner to the open opportunity', async (w) => ({
    params: { id: await w.pendingEmail() },
    body: { internetMessageId: w.messageId('sent') },
  })),
  'completeSent (unlinked)': cell(
    'a compose-mode link by the owner, then unlinked',
    async (w) => ({
      params: { id: await w.pendingEmail({ unlink: true }) },
      body: { internetMessageId: w.messageId('sent') },
    }),
    ['owner'],
  ),
  'completeSent (sent)': cell('an email the owner linked to the open opportunity; another message id', async (w) => ({
    params: { id: await w.linkEmail(w.openId) },
    body: { internetMessageId: w.messageId('other') },
  })),
  // Anyone signed in may ask; the answer lists only the caller's own drafts (test/server/draft-matching.test.ts).
  matchSentDrafts: constant('a sent copy', {
    body: {
      internetMessageId: '<matched@firm.example>',
      subject: 'Draft',
      recipients: ['someone@client.example'],
      sentAt: '2026-11-18T10:00:00Z',
    },
  }),
  updateActivityStatus: cell('a task the owner recorded on the open opportunity', async (w) => ({
    params: { id: await w.newTask() },
    body: { status: 'completed' },
  })),
  'updateActivityStatus (unlinked)': cell(
    'an email unlinked by the owner',
    async (w) => ({ params: { id: await w.unlinkedEmail() }, body: { status: 'canceled' } }),
    ['owner'],
  ),
  listActivityLabels: constant('the list'),
  createActivityLabel: constant('a new category', { body: { kind: 'category', name: 'Annual review' } }),
  updateActivityLabel: constant('a seeded category, renamed', { params: { id: 1 }, body: { name: 'First meeting' } }),
  needsAttention: constant('scope=me', { query: 'scope=me' }),
  'needsAttention (scope=team)': constant('scope=team', { query: 'scope=team' }),
  newForMe: constant('the caller'),
  stageReport: constant('scope=me', { query: 'scope=me' }),
  'stageReport (scope=team)': constant('scope=team', { query: 'scope=team' }),
  'stageReport (scope=all)': constant('scope=all', { query: 'scope=all' }),
  getActivityPoints: constant('the table'),
  updateActivityPoints: constant('a seeded category worth 4', { body: { entries: [{ labelId: 1, points: 4 }] } }),
  pointsReport: constant('scope=me, this month', { query: 'scope=me' }),
  'pointsReport (scope=team)': constant('scope=team', { query: 'scope=team' }),
  'pointsReport (scope=all)': constant('scope=all, a past month', { query: 'scope=all&month=2026-01' }),
  getExceptionRules: constant('the rules'),
  setExceptionRules: constant('the default rules', {
    body: {
      untouched: { on: true, businessDays: 1 },
      noActivity: { on: true, businessDays: 5 },
      noNextStep: { on: true },
      pastCloseDate: { on: true },
    },
  }),
  listHolidays: constant('one year', { query: 'year=2030' }),
  addHoliday: cell('a date that is no holiday yet', (w) => ({ body: { date: w.holidayDate(), name: 'Firm day' } })),
  removeHoliday: cell('a holiday the admin just added', async (w) => ({ params: { date: await w.newHoliday() } })),
  funnelReport: constant('scope=me', { query: 'scope=me' }),
  'funnelReport (scope=team)': constant('scope=team', { query: 'scope=team' }),
  'funnelReport (scope=all)': constant('scope=all', { query: 'scope=all' }),
  'funnelReport (owner filter)': cell(
    "scope=me, filtered to the owner's opportunities",
    (w) => ({ query: `scope=me&ownerId=${w.ids.owner}` }),
    ['owner'],
  ),
  funnelCsv: constant('scope=me', { query: 'scope=me' }),
  'funnelCsv (scope=team)': constant('scope=team', { query: 'scope=team' }),
  'funnelCsv (scope=all)': constant('scope=all', { query: 'scope=all' }),
  paneContext: cell('linked to the open opportunity; a customer email', (w) => ({
    query: `${message(w.linkedMessageId)}&email=someone%40client.example`,
  })),
  'paneContext (unlinked)': cell('unlinked by the owner', (w) => ({ query: message(w.unlinkedMessageId) }), ['owner']),
};

const endpointOf = (key: string) => key.replace(/ \(.*\)$/, '');
const rowKeys = Object.keys(expected) as RowKey[];
const REFUSALS = [401, 403, 404];
const EVERY_NAME = Object.values(DISPLAY_NAMES).concat(SPARE_NAME);

describe('authorization matrix: every route × every persona', () => {
  let world: AuthorizationWorld;

  before(async () => {
    world = await AuthorizationWorld.create();
  });
  after(() => world.close());

  it('has a row for every endpoint of shared/api.ts, and every row names one', () => {
    const names = Object.keys(endpoints);
    assert.deepEqual(
      {
        endpointsWithoutARow: names.filter((name) => !(name in expected)),
        rowsNamingNoEndpoint: rowKeys.filter((key) => !names.includes(endpointOf(key))),
      },
      { endpointsWithoutARow: [], rowsNamingNoEndpoint: [] },
    );
  });

  async function check(key: RowKey, persona: Persona): Promise<void> {
    const want = expected[key][persona];
    const endpoint = endpoints[endpointOf(key) as EndpointName];
    const request = await cells[key].request(world, persona);
    const path = endpoint.path.replace(/:(\w+)/g, (_, name: string) => {
      const value = request.params?.[name];
      assert.ok(value, `${key}: no value for :${name}`);
      return String(value);
    });
    const url = `${API_PREFIX}${path}${request.query ? `?${request.query}` : ''}`;
    const res = await world.clients[persona].request(endpoint.method.toUpperCase(), url, {
      body: request.body,
      headers: request.headers,
    });
    assert.equal(
      res.status,
      want,
      `${endpoint.method.toUpperCase()} ${url} (${cells[key].state}): ${JSON.stringify(res.body)}`,
    );
    if (!REFUSALS.includes(want)) return;
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(res.body.status, want);
    const hidden =
      want === 403 ? (cells[key].hides ?? []).filter((p) => p !== persona).map((p) => DISPLAY_NAMES[p]) : EVERY_NAME;
    for (const name of hidden) {
      assert.ok(!String(res.body.detail).includes(name), `the ${want} names ${name}: ${res.body.detail}`);
    }
  }

  for (const name of Object.keys(endpoints)) {
    const keys = rowKeys.filter((key) => endpointOf(key) === name);
    if (!keys.length) {
      it(`${name} × every persona → (no row: add one to the matrix)`, () => {
        assert.fail(`${name} has no row in the authorization matrix`);
      });
    }
    for (const key of keys) {
      for (const persona of PERSONAS) {
        it(`${key} × ${persona} → ${expected[key][persona]}`, () => check(key, persona));
      }
    }
  }
});
