import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

export function exceptionRuleRoutes({ route, services }: RouteDeps): void {
  route(e.getExceptionRules, async () => services.exceptionRules.get());
  route(e.setExceptionRules, async ({ caller, body }) => services.exceptionRules.set(caller, body));
  route(e.listHolidays, async ({ query }) => services.exceptionRules.holidays(query.year));
  route(
    e.addHoliday,
    async ({ caller, body }) => new Reply(201, await services.exceptionRules.addHoliday(caller, body)),
  );
  route(e.removeHoliday, async ({ caller, params }) => services.exceptionRules.removeHoliday(caller, params.date));
}
