import { endpoints as e } from '../../shared/api';
import { Reply } from '../http/mount';
import type { RouteDeps } from './deps';

export function reportRoutes({ route, services }: RouteDeps): void {
  route(e.funnelReport, async ({ caller, query }) => services.funnel.report(caller, query));
  route(e.funnelCsv, async ({ caller, query }) => {
    const { filename, text } = await services.funnel.csv(caller, query);
    return new Reply(200, text, { 'Content-Disposition': `attachment; filename="${filename}"` });
  });
}
