import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import { helmetOptions } from '../../server/http/security-headers';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** The headers helmet may set or remove, as a sorted list of [name, value]. */
const SECURITY =
  /^(content-security-policy|cross-origin-|origin-agent-cluster|referrer-policy|strict-transport-security|x-)/;
const securityHeaders = (headers: Headers) =>
  [...headers].filter(([name]) => SECURITY.test(name) && name !== 'x-request-id').sort();

describe('security headers', () => {
  let server: TestServer;
  let live: { url: string; close: () => void };

  before(async () => {
    server = await startTestServer({ FRAME_ANCESTORS: 'https://outlook.office.com' });
    // helmet as it runs on each request, with the server's own options.
    const app = express();
    app.disable('x-powered-by');
    app.use(helmet(helmetOptions(server.config)));
    app.get('/', (_req, res) => res.json({}));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => listening.once('listening', resolve));
    live = {
      url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/`,
      close: () => listening.close(),
    };
  });
  after(async () => {
    live.close();
    await server.close();
  });

  it('issue 15: the security headers worked out once are exactly those helmet sets on each answer', async () => {
    const expected = securityHeaders((await fetch(live.url)).headers);
    assert.ok(expected.some(([name]) => name === 'content-security-policy'));
    assert.ok(expected.length >= 8, JSON.stringify(expected));
    const alex = await server.advisor('Alex');
    for (const response of [
      await fetch(`${server.url}/api/v1/auth/config`),
      await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${alex.token}` } }),
      await fetch(`${server.url}/api/v1/me`),
      await fetch(`${server.url}/healthz`),
    ])
      assert.deepEqual(securityHeaders(response.headers), expected);
  });
});
