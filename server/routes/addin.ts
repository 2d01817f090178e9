import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import { SIGN_IN_CONFIG_ELEMENT } from '../../shared/constants';
import { signInConfig } from '../auth/sign-in-config';
import type { Config } from '../config';
import { demoSignInFile, isLoopbackRequest, offersDemoSignIns, readDemoSignIns } from '../demo/sign-ins';
import { sendJson } from '../http/send-json';
import { manifestFor } from '../manifest';

/** The built task pane (dist/addin) on the same origin as the API, and the manifest for this origin. */
export function addinRoutes(app: express.Express, config: Config): void {
  // The origin comes from configuration, never from the request's Host header: without PUBLIC_ORIGIN it is
  // this machine on the port the request reached (a local development server).
  app.get('/manifest.xml', (req, res) => {
    // Outlook loads add-ins over HTTPS only (behind a TLS-terminating proxy, set PUBLIC_ORIGIN).
    const origin = config.publicOrigin ?? `https://localhost:${req.socket.localPort}`;
    res.type('application/xml').send(manifestFor(origin));
  });
  app.get('/', (_req, res) => res.redirect('/demo.html'));
  // The demo page's "Sign in as …" buttons: the demo advisors' tokens as seeded, only while demo data is on
  // and only to a browser on this machine; to anyone else this route does not exist (404).
  app.get('/demo/sign-ins', (req, res, next) => {
    const signIns =
      offersDemoSignIns(config) && isLoopbackRequest(req) ? readDemoSignIns(demoSignInFile(config.databaseFile)) : [];
    if (!signIns.length) return next();
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 200, { signIns });
  });
  app.get(PANE_PAGES, panePage(config));
  // The built pane, and support.html: the page the manifest's SupportUrl names (the store listing links to it).
  app.use(express.static(config.addinDir, { index: false, maxAge: '1h', setHeaders: cacheRules }));
}

/** webpack's content-hashed files (`[name].[contenthash:8].js`): a new build gives them new names. */
const HASHED_FILE = /\.[0-9a-f]{8}\.(js|css)$/;

/** Pages revalidate, so a new build is seen at once; hashed files never change, so they are kept for a year. */
function cacheRules(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
  else if (HASHED_FILE.test(file)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
}

/** The pages that start the pane: served with the sign-in configuration inline (see panePage). */
const PANE_PAGES = ['/taskpane.html', '/demo-taskpane.html'];

/**
 * A pane page with the sign-in configuration (what GET /api/v1/auth/config answers) in a JSON data block, so the pane
 * starts without a request for it. A data block is never executed, so the Content-Security-Policy (no inline scripts)
 * still holds; `<` is escaped so nothing in the configuration can close the block. The page revalidates like the other
 * pages, with an ETag of its text, so an unchanged page costs a 304. Read again whenever a new build replaced it.
 */
function panePage(config: Config): express.RequestHandler {
  const block = `<script type="application/json" id="${SIGN_IN_CONFIG_ELEMENT}">${JSON.stringify(signInConfig(config)).replace(/</g, '\\u003c')}</script>`;
  const pages = new Map<string, { mtimeMs: number; body: string; etag: string }>();
  return (req, res, next) => {
    const file = path.join(config.addinDir, req.path);
    fs.stat(file, (error, stat) => {
      if (error) return next();
      let page = pages.get(file);
      if (page?.mtimeMs !== stat.mtimeMs) {
        const body = fs.readFileSync(file, 'utf8').replace('</head>', () => `${block}</head>`);
        const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
        page = { mtimeMs: stat.mtimeMs, body, etag };
        pages.set(file, page);
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('ETag', page.etag);
      if (req.fresh) return void res.status(304).end();
      res.type('html').send(page.body);
    });
  };
}
