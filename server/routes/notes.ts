import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

export function noteRoutes({ route, services }: RouteDeps): void {
  route(
    e.addNote,
    async ({ caller, params, body }) => new Reply(201, await services.notes.add(caller, params.id, body)),
  );
  route(e.updateNote, async ({ caller, params, body }) => services.notes.edit(caller, params.id, body.body));
  route(e.shareNote, async ({ caller, params, body }) => services.notes.share(caller, params.id, body));
}
