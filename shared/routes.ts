/**
 * Where each endpoint of the API lives: its method and path under /api/v1. Kept free of zod so the
 * task pane can import it without bundling the schemas (shared/api.ts adds them for the server).
 */
export const routes = {
  getMe: { method: 'get', path: '/me' },
  markWorkSeen: { method: 'post', path: '/me/work-seen' },
  updatePreferences: { method: 'patch', path: '/me/preferences' },
  searchAdvisors: { method: 'get', path: '/advisors' },
  createAdvisor: { method: 'post', path: '/advisors' },
  updateAdvisor: { method: 'patch', path: '/advisors/:id' },
  searchTeams: { method: 'get', path: '/teams' },
  createTeam: { method: 'post', path: '/teams' },
  addTeamMember: { method: 'put', path: '/teams/:id/members/:advisorId' },
  removeTeamMember: { method: 'delete', path: '/teams/:id/members/:advisorId' },
  searchContacts: { method: 'get', path: '/contacts' },
  createContact: { method: 'post', path: '/contacts' },
  listCampaigns: { method: 'get', path: '/campaigns' },
  listOpportunities: { method: 'get', path: '/opportunities' },
  suggestOpportunities: { method: 'get', path: '/opportunities/suggestions' },
  lookupOpportunities: { method: 'get', path: '/opportunities/lookup' },
  createOpportunity: { method: 'post', path: '/opportunities' },
  getOpportunity: { method: 'get', path: '/opportunities/:id' },
  listOpportunityActivities: { method: 'get', path: '/opportunities/:id/activities' },
  listOpportunityNotes: { method: 'get', path: '/opportunities/:id/notes' },
  listOpportunityAssignments: { method: 'get', path: '/opportunities/:id/assignments' },
  listOpportunityEvents: { method: 'get', path: '/opportunities/:id/events' },
  updateOpportunity: { method: 'patch', path: '/opportunities/:id' },
  assignOpportunity: { method: 'post', path: '/opportunities/:id/assign' },
  closeOpportunity: { method: 'post', path: '/opportunities/:id/close' },
  reopenOpportunity: { method: 'post', path: '/opportunities/:id/reopen' },
  addNote: { method: 'post', path: '/opportunities/:id/notes' },
  updateNote: { method: 'patch', path: '/notes/:id' },
  shareNote: { method: 'post', path: '/notes/:id/shares' },
  setRegarding: { method: 'post', path: '/activities/regarding' },
  lookupActivity: { method: 'get', path: '/activities/lookup' },
  createActivity: { method: 'post', path: '/activities' },
  changeRegarding: { method: 'put', path: '/activities/:id/regarding' },
  removeRegarding: { method: 'delete', path: '/activities/:id/regarding' },
  completeSent: { method: 'post', path: '/activities/:id/sent' },
  matchSentDrafts: { method: 'post', path: '/activities/sent-matches' },
  updateActivityStatus: { method: 'patch', path: '/activities/:id' },
  needsAttention: { method: 'get', path: '/work/needs-attention' },
  newForMe: { method: 'get', path: '/work/new-for-me' },
  stageReport: { method: 'get', path: '/reports/stages' },
} as const;

export type RouteName = keyof typeof routes;
export const API_PREFIX = '/api/v1';
