import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createAppServer } from '../../server/http/app-server';
import { loadOrCreateCertificate } from '../../server/tls/certificate';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Seen {
  /** Whether the request and response had the app's prototypes when Node's server emitted them, before Express. */
  bornWithAppPrototypes: boolean;
  answer: { status: number; body: unknown; header: string | undefined };
}

/** An Express app using what Regarding's app relies on (req.path, req.query, req.ip, req.app, res.locals, res.json). */
function probeApp() {
  const app = express();
  app.set('trust proxy', 'loopback');
  app.get('/probe', (req, res) => {
    res.locals.seen = 'yes';
    res.set('X-Probe', String(res.locals.seen));
    res.status(201).json({
      path: req.path,
      q: req.query.q,
      ip: req.ip,
      sameApp: req.app === app,
      stillAppPrototypes: Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response,
    });
  });
  return app;
}

async function probe(server: http.Server, app: express.Express, secure: boolean): Promise<Seen> {
  let bornWithAppPrototypes = false;
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    bornWithAppPrototypes = Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const answer = await new Promise<Seen['answer']>((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path: '/probe?q=ada', rejectUnauthorized: false };
      const request = (secure ? https : http).get(options, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(text), header: res.headers['x-probe'] as string }),
        );
      });
      request.on('error', reject);
    });
    return { bornWithAppPrototypes, answer };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const expected = {
  status: 201,
  body: { path: '/probe', q: 'ada', ip: '127.0.0.1', sameApp: true, stillAppPrototypes: true },
  header: 'yes',
};

/**
 * Issue 15: requests and responses are created with the app's prototypes, so Express never changes an object's
 * prototype (which kept every request past V8's young-generation collections: see server/http/app-server.ts).
 */
describe('issue 15: the server creates requests with the app prototypes', () => {
  it('issue 15: over HTTP, a request has the app prototypes before Express sees it, and Express works as before', async () => {
    const app = probeApp();
    assert.deepEqual(await probe(createAppServer(app, {}), app, false), {
      bornWithAppPrototypes: true,
      answer: expected,
    });
  });

  it('issue 15: over HTTPS (as npm start serves), the same', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-tls-'));
    try {
      const tls = await loadOrCreateCertificate({ dir });
      const app = probeApp();
      assert.deepEqual(await probe(createAppServer(app, {}, tls), app, true), {
        bornWithAppPrototypes: true,
        answer: expected,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('issue 15: a second server for the same app creates its requests with the same prototypes as the first', async () => {
    const app = probeApp();
    const first = createAppServer(app, {});
    const second = createAppServer(app, {});
    for (const server of [first, second])
      assert.deepEqual(await probe(server, app, false), { bornWithAppPrototypes: true, answer: expected });
  });

  it('issue 15: a server made the usual way is what the check tells apart', async () => {
    const app = probeApp();
    const seen = await probe(http.createServer(app), app, false);
    assert.equal(seen.bornWithAppPrototypes, false);
    assert.deepEqual(seen.answer, expected);
  });
});

/**
 * Issue 15: a property defined with a getter on each request (as the request log's `req.log` was) gives that request
 * a shape of its own, and V8 kept every request past its young-generation collections again (bench/app-server.ts
 * measures the prototype change's like effect): the whole app's middleware leaves only plain data on a request and
 * its response.
 */
describe('issue 15: requests through the whole app keep one shape', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('issue 15: no middleware defines a getter or setter on a request or a response (answered, refused, failed)', async () => {
    const accessors: string[] = [];
    server.http.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.on('finish', () => {
        for (const [owner, object] of [
          ['req', req],
          ['res', res],
        ] as const)
          for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(object)))
            if (descriptor.get || descriptor.set) accessors.push(`${req.url} ${owner}.${name}`);
      });
    });
    const ada = await server.advisor('Ada');
    assert.equal((await ada.api.get('/api/v1/me')).status, 200);
    assert.equal((await ada.api.get('/api/v1/opportunities?view=my-open&q=ret')).status, 200);
    assert.equal((await server.client.get('/api/v1/me')).status, 401);
    assert.equal((await ada.api.post('/api/v1/opportunities', {})).status, 400);
    assert.equal((await server.client.get('/api/v1/auth/config')).status, 200);
    assert.deepEqual(accessors, []);
  });
});
