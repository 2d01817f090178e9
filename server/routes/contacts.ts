import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

export function contactRoutes({ route, services }: RouteDeps): void {
  route(e.searchContacts, async ({ query }) => services.contacts.search(query));
  route(e.createContact, async ({ caller, body }) => {
    const { contact, created } = await services.contacts.create(caller, body);
    return new Reply(created ? 201 : 200, contact);
  });
  route(e.searchOrganizations, async ({ query }) => services.contacts.searchOrganizations(query));
  route(
    e.createOrganization,
    async ({ caller, body }) => new Reply(201, await services.contacts.createOrganization(caller, body)),
  );
}
