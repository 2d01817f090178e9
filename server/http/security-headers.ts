import type { Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { isLoopbackHost } from './loopback';
import type { Config } from '../config';

/** Microsoft's CDN for office.js (and the host-specific scripts office.js loads from the same place). */
const OFFICE_JS_ORIGIN = 'https://appsforoffice.microsoft.com';
/** Office.js reports its own usage here (office-js issue #1005 lists it among the hosts it needs). */
const OFFICE_TELEMETRY_ORIGIN = 'https://browser.pipe.aria.microsoft.com';
/** Office.js (1.1.110 from @microsoft/office-js) frames this telemetry page when it starts. */
const OFFICE_TELEMETRY_FRAME_ORIGIN = 'https://telemetryservice.firstpartyapps.oaspapps.com';
/** Microsoft's sign-in: MSAL fetches its metadata and tokens, and its pop-up or Office dialog shows these pages. */
const MICROSOFT_SIGN_IN_ORIGINS = ['https://login.microsoftonline.com', 'https://login.microsoft.com'];

/**
 * Security headers for every answer (helmet): a Content-Security-Policy that lets Outlook frame the pane,
 * office.js load from Microsoft's CDN, Microsoft sign-in work, and the demo page frame the pane on the
 * same origin, and nothing else; HSTS when users reach the service over HTTPS; nosniff; no referrer.
 */
export function helmetOptions(config: Config): HelmetOptions {
  const signIn = [...MICROSOFT_SIGN_IN_ORIGINS];
  if (config.auth.oidc) signIn.push(new URL(config.auth.oidc.issuer).origin);
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", OFFICE_JS_ORIGIN],
        // Fluent UI (Griffel) inserts its style rules at run time, and the pages carry a small <style>.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'", OFFICE_JS_ORIGIN, OFFICE_TELEMETRY_ORIGIN, ...new Set(signIn)],
        'frame-src': ["'self'", OFFICE_TELEMETRY_FRAME_ORIGIN, ...new Set(signIn)],
        'frame-ancestors': ["'self'", ...config.frameAncestors],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
      },
    },
    strictTransportSecurity: false,
    // X-Frame-Options cannot name Outlook's origins; frame-ancestors above does that job.
    xFrameOptions: false,
    // Outlook's own page loads the add-in's icons, so our files may be embedded cross-origin.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Microsoft sign-in may open a pop-up that reports back to the pane.
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    referrerPolicy: { policy: 'no-referrer' },
  };
}

/**
 * The headers a middleware sets (and removes) on every answer, worked out once: helmet's depend only on the
 * configuration here (no directive is a function of the request), and running its dozen middleware functions on
 * each request cost more than setting their result.
 */
function precomputed(middleware: RequestHandler): RequestHandler {
  const set = new Map<string, string>();
  const removed = new Set<string>();
  let called = false;
  const stub = {
    setHeader: (name: string, value: string) => set.set(name, value) && removed.delete(name),
    removeHeader: (name: string) => set.delete(name) || removed.add(name),
  };
  void middleware({} as Request, stub as unknown as Response, () => (called = true));
  if (!called) throw new Error('the security headers middleware did not finish at once');
  const headers = [...set];
  const removals = [...removed];
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    for (const name of removals) res.removeHeader(name);
    next();
  };
}

export function securityHeaders(config: Config): RequestHandler[] {
  const httpsOrigin = Boolean(config.publicOrigin?.startsWith('https:'));
  const hsts = helmet.strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: false });
  const headers = precomputed(helmet(helmetOptions(config)));
  // HSTS means something only on HTTPS: this connection's TLS, or the public origin's behind a proxy.
  // Never for localhost: a browser would then force HTTPS on every local development server for a year.
  const hstsOverHttps: RequestHandler = (req, res, next) =>
    (req.secure || httpsOrigin) && !isLoopbackHost(req.headers.host) ? hsts(req, res, next) : next();
  return [headers, hstsOverHttps, dialogOpener];
}

/** The Office dialog's Microsoft sign-in page (addin/auth/dialog.html, built by webpack). */
export const SIGN_IN_DIALOG_PAGE = '/auth-dialog.html';

/**
 * Outlook on the web opens the Office dialog as a pop-up of its own (cross-origin) page and talks to it through
 * the opener: a Cross-Origin-Opener-Policy other than unsafe-none severs that link, and the pane gets 12006 as
 * soon as the dialog navigates (office-js #4376; dialog-api-in-office-add-ins.md, office-js-docs-pr #4563). So
 * the dialog page alone opts out; its CSP stays the pane's.
 */
const dialogOpener: RequestHandler = (req, res, next) => {
  if (req.path === SIGN_IN_DIALOG_PAGE) res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
  next();
};
