import assert from 'node:assert/strict';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SIGN_IN_CONFIG_ELEMENT } from '../../shared/constants';
import { AUDIENCE, ISSUER } from '../helpers/oidc-issuer';
import { startTestServer, type TestServer } from '../helpers/test-server';

const PAGE = `<!doctype html><html lang="en"><head><title>Regarding</title><script src="taskpane.0a1b2c3d.js"></script></head><body><div id="root"></div></body></html>`;

/** The JSON block the page carries, parsed as the pane parses it (its text, as the browser gives it). */
function inlinedConfig(html: string): unknown {
  const match = new RegExp(
    `<script type="application/json" id="${SIGN_IN_CONFIG_ELEMENT}">([^<]*)</script></head>`,
  ).exec(html);
  assert.ok(match, `no configuration block in ${html}`);
  return JSON.parse(match[1]);
}

/** One raw GET: fetch adds `Cache-Control: no-cache` to a conditional request, as a browser's reload would. */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      request(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
        .on('error', reject)
        .end();
    },
  );
}

describe('taskpane.html carries the sign-in configuration inline (issue 15)', () => {
  let server: TestServer;
  let dir: string;

  async function start(env: Record<string, string> = {}): Promise<void> {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-pane-page-'));
    fs.writeFileSync(path.join(dir, 'taskpane.html'), PAGE);
    server = await startTestServer(env, { addinDir: dir });
  }
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('inlines what GET /api/v1/auth/config answers, which stays as it was', async () => {
    await start();
    const page = await server.client.get('/taskpane.html');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const endpoint = await server.client.get('/api/v1/auth/config');
    assert.equal(endpoint.status, 200);
    assert.equal(endpoint.headers.get('cache-control'), 'no-store');
    assert.deepEqual(endpoint.body, { providers: ['pat'], oidc: null });
    assert.deepEqual(inlinedConfig(page.body as string), endpoint.body);
  });

  it('escapes the configuration for HTML, so no value can close the block', async () => {
    await start({
      AUTH_PROVIDERS: 'pat,oidc',
      OIDC_ISSUER: ISSUER,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_CLIENT_ID: 'client-id',
      // `$'` and `$&` are replacement patterns to String.replace: they must reach the page as written.
      OIDC_SCOPES: "api://x/$'$&</script><script>alert(1)</script>",
    });
    const html = (await server.client.get('/taskpane.html')).body as string;
    assert.equal(html.match(/<\/script>/g)?.length, 2, html); // the page's own script and the block
    assert.ok(html.includes('\\u003c/script>\\u003cscript>alert(1)\\u003c/script>'), html);
    const config = inlinedConfig(html) as { oidc: { scopes: string[] } };
    assert.deepEqual(config, (await server.client.get('/api/v1/auth/config')).body);
    assert.deepEqual(config.oidc.scopes, ["api://x/$'$&</script><script>alert(1)</script>"]);
  });

  it('revalidates (no-cache) with an ETag: an unchanged page is a 304, a rebuilt one is sent anew', async () => {
    await start();
    const first = await get(`${server.url}/taskpane.html`);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = first.headers.etag as string;
    assert.ok(etag, 'an ETag');
    const again = await get(`${server.url}/taskpane.html`, { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');

    fs.writeFileSync(path.join(dir, 'taskpane.html'), PAGE.replace('0a1b2c3d', '4e5f6a7b'));
    fs.utimesSync(path.join(dir, 'taskpane.html'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await get(`${server.url}/taskpane.html`, { 'If-None-Match': etag });
    assert.equal(rebuilt.status, 200);
    assert.notEqual(rebuilt.headers.etag, etag);
    assert.ok(rebuilt.body.includes('taskpane.4e5f6a7b.js'));
    assert.ok(inlinedConfig(rebuilt.body));
  });

  it('keeps the Content-Security-Policy without inline scripts: the block is data, never run', async () => {
    await start();
    const page = await server.client.get('/taskpane.html');
    const csp = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    assert.ok(scriptSrc.includes("'self'"), csp);
    assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes('nonce-'), csp);
  });
});
