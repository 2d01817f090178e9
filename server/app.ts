import fs from 'node:fs';
import express, { Router } from 'express';
import type { Logger } from 'pino';
import { API_PREFIX, type Endpoint } from '../shared/api';
import { Authenticator } from './auth/authenticator';
import { signInConfig } from './auth/sign-in-config';
import type { Clock } from './clock';
import type { Config } from './config';
import { NotFoundError } from './errors';
import { answerCompression } from './http/compression';
import { exactRoutes, mount, type ExactRoutes, type Handler } from './http/mount';
import { buildOpenApiDocument } from './http/openapi';
import { problemHandler } from './http/problem';
import { changeLimit, FailedSignIns } from './http/rate-limits';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { sendJson } from './http/send-json';
import type { Repository } from './repository/repository';
import { activityRoutes } from './routes/activities';
import { contactRoutes } from './routes/contacts';
import { exceptionRuleRoutes } from './routes/exception-rules';
import { noteRoutes } from './routes/notes';
import { opportunityRoutes } from './routes/opportunities';
import { peopleRoutes } from './routes/people';
import { workRoutes } from './routes/work';
import { activityPointsRoutes } from './routes/activity-points';
import { reportRoutes } from './routes/reports';
import { addinRoutes } from './routes/addin';
import { paneRoutes } from './routes/pane';
import { createServices } from './services';

export interface AppDeps {
  config: Config;
  repo: Repository;
  clock: Clock;
  logger: Logger;
}

/** The whole HTTP application: the API under /api/v1, the add-in's files and manifest, /healthz. */
export function createApp({ config, repo, clock, logger }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Which proxies' X-Forwarded-For names the client: the per-address limit on failed sign-ins counts by it.
  app.set('trust proxy', config.trustProxy);
  // API answers are private and never cached (no-store below), so hashing each body for an ETag is wasted work.
  // Opportunities carry their own ETag (their version) for If-Match; static files keep theirs.
  app.set('etag', false);
  app.use(answerCompression());
  app.use(requestLog(logger));
  app.use(securityHeaders(config));

  // Reads keep working while another process holds the write lock, so the service stays up (200)
  // and says which half works: a load balancer keeps it, monitoring sees writes stalled.
  app.get('/healthz', async (_req, res) => {
    const ok = await repo.ping().catch(() => false);
    const writes = ok && (await repo.writable().catch(() => false));
    sendJson(res, ok ? 200 : 503, {
      status: ok ? 'ok' : 'unavailable',
      writes: writes ? 'ok' : 'unavailable',
    });
  });

  const api = Router();
  // Before the body parser, so its errors (broken JSON) are not cached either.
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '1mb' }));
  api.get('/openapi.json', (_req, res) => sendJson(res, 200, buildOpenApiDocument(config.publicOrigin)));
  api.get('/auth/config', (_req, res) => sendJson(res, 200, signInConfig(config)));

  const gate = {
    authenticator: new Authenticator(repo, config.auth, clock, logger),
    failedSignIns: new FailedSignIns(repo, config.rateLimits.failedAuth, clock),
    changeLimit: changeLimit(repo, config.rateLimits.writes, clock, logger),
  };
  const services = createServices({ repo, clock }, (err: unknown) =>
    logger.error({ err }, 'needs-attention recompute batch failed; retried'),
  );
  // A recompute a stopped server left half-way (migration 023) goes on.
  services.attentionRecompute.resume();
  const exact: ExactRoutes = new Map();
  api.use(exactRoutes(exact));
  const deps = {
    services,
    route: <E extends Endpoint>(endpoint: E, handler: Handler<E>) => mount(api, gate, endpoint, handler, exact),
  };
  peopleRoutes(deps);
  contactRoutes(deps);
  opportunityRoutes(deps);
  noteRoutes(deps);
  activityRoutes(deps);
  workRoutes(deps);
  activityPointsRoutes(deps);
  exceptionRuleRoutes(deps);
  reportRoutes(deps);
  paneRoutes(deps);
  api.use((req) => {
    throw new NotFoundError(`The API route ${req.method} ${API_PREFIX}${req.path}`);
  });
  app.use(API_PREFIX, api);

  if (fs.existsSync(config.addinDir)) addinRoutes(app, config);
  app.use(problemHandler);
  return app;
}
