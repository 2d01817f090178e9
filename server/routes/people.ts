import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import { toMe } from '../services/people';
import type { RouteDeps } from './deps';

export function peopleRoutes({ route, services }: RouteDeps): void {
  route(e.getMe, ({ caller }) => Promise.resolve(toMe(caller)));
  route(e.markWorkSeen, async ({ caller }) => services.people.markWorkSeen(caller));
  route(e.updatePreferences, async ({ caller, body }) => services.people.updatePreferences(caller, body));
  route(e.searchAdvisors, async ({ query }) => services.people.searchAdvisors(query));
  route(e.createAdvisor, async ({ caller, body }) => new Reply(201, await services.people.createAdvisor(caller, body)));
  route(e.updateAdvisor, async ({ caller, params, body }) => services.people.updateAdvisor(caller, params.id, body));
  route(e.searchTeams, async ({ query }) => services.people.searchTeams(query));
  route(e.createTeam, async ({ caller, body }) => new Reply(201, await services.people.createTeam(caller, body)));
  route(e.addTeamMember, async ({ caller, params }) =>
    services.people.changeMembership(caller, params.id, params.advisorId, true),
  );
  route(e.removeTeamMember, async ({ caller, params }) =>
    services.people.changeMembership(caller, params.id, params.advisorId, false),
  );
}
