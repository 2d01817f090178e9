import express from 'express';
import type { Config } from '../config';

/** The built task pane (dist/addin) on the same origin as the API. */
export function addinRoutes(app: express.Express, config: Config): void {
  app.use(express.static(config.addinDir, { index: false, maxAge: '1h', setHeaders: noCacheForHtml }));
}

function noCacheForHtml(res: express.Response, file: string): void {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
