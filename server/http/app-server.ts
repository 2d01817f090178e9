import http from 'node:http';
import https from 'node:https';
import type { Express } from 'express';

type AppClasses = Required<Pick<http.ServerOptions, 'IncomingMessage' | 'ServerResponse'>>;

/** Each app's classes: made once, so every server of the app creates its requests with the same prototypes. */
const classesOf = new WeakMap<Express, AppClasses>();

/**
 * The request and response classes of `app`. Express gives each request and response the app's prototypes
 * (`app.request`, `app.response`) with `Object.setPrototypeOf`. V8 then kept those objects past the young
 * generation's collections: under 50 keep-alive connections a bare Express app's scavenges paused the event loop
 * 12.8 ms on average against 1.1 ms when the objects are born with those prototypes, and it answered 7,010 against
 * 26,666 requests a second (bench/app-server.ts; expressjs/express#5998 proposes the same). Created by these classes,
 * a request already has the prototype Express sets, so Express's change changes nothing. `app.request` and
 * `app.response` become the classes' prototypes, which inherit from the ones Express made (`req.app` included). A
 * sub-app (none here) changes them as before.
 */
function appClasses(app: Express): AppClasses {
  let classes = classesOf.get(app);
  if (!classes) {
    class AppRequest extends http.IncomingMessage {}
    Object.setPrototypeOf(AppRequest.prototype, app.request);
    class AppResponse extends http.ServerResponse {}
    Object.setPrototypeOf(AppResponse.prototype, app.response);
    app.request = AppRequest.prototype as typeof app.request;
    app.response = AppResponse.prototype as typeof app.response;
    classes = { IncomingMessage: AppRequest, ServerResponse: AppResponse as typeof http.ServerResponse };
    classesOf.set(app, classes);
  }
  return classes;
}

/** The HTTP or HTTPS server of `app` (with `tls`), whose requests and responses are born with the app's prototypes. */
export function createAppServer(
  app: Express,
  options: http.ServerOptions,
  tls?: { cert: string; key: string },
): http.Server {
  const classes = appClasses(app);
  return tls
    ? https.createServer({ ...options, ...classes, ...tls }, app)
    : http.createServer({ ...options, ...classes }, app);
}
