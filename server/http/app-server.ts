import http from 'node:http';
import https from 'node:https';
import type { Express } from 'express';

/**
 * The HTTP or HTTPS server of `app` (with `tls`), whose requests and responses are created with the app's
 * prototypes.
 *
 * Express gives each request and response the app's prototypes (`app.request`, `app.response`) with
 * `Object.setPrototypeOf`. V8 then kept those objects past the young generation's collections: under 50 keep-alive
 * connections a bare Express app's scavenges paused the event loop 12.8 ms on average against 1.1 ms when the objects
 * are born with those prototypes, and it answered 7,010 against 26,666 requests a second (bench/app-server.ts;
 * expressjs/express#5998 proposes the same). Node's server creates them with the classes below, so Express's change
 * finds the prototype it would set. `app.request` and `app.response` become the classes' prototypes, which inherit
 * from the ones Express made (`req.app` included). Once per app: a second server for the same app would chain its
 * classes onto the first's, whose requests Express would then change again. A sub-app (none here) changes them as
 * before.
 */
export function createAppServer(
  app: Express,
  options: http.ServerOptions,
  tls?: { cert: string; key: string },
): http.Server {
  class AppRequest extends http.IncomingMessage {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  class AppResponse extends http.ServerResponse {}
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as typeof app.request;
  app.response = AppResponse.prototype as typeof app.response;
  const classes = { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof http.ServerResponse };
  return tls
    ? https.createServer({ ...options, ...classes, ...tls }, app)
    : http.createServer({ ...options, ...classes }, app);
}
