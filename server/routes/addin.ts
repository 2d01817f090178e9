import express from 'express';
import type { Config } from '../config';
import { manifestFor } from '../manifest';

/** The built task pane (dist/addin) on the same origin as the API, and the manifest for this origin. */
export function addinRoutes(app: express.Express, config: Config): void {
  app.get('/manifest.xml', (req, res) => {
    const host = req.get('host') ?? '';
    const origin =
      config.publicOrigin ?? (/^[\w.-]+(:\d+)?$/.test(host) ? `https://${host}` : 'https://localhost:3000');
    res.type('application/xml').send(manifestFor(origin));
  });
  app.get('/', (_req, res) => res.redirect('/demo.html'));
  app.use(express.static(config.addinDir, { index: false, maxAge: '1h', setHeaders: noCacheForHtml }));
}

function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
