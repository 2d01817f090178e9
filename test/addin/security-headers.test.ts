import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { loadConfig } from '../../server/config';
import { seedDemoData } from '../../server/demo/seed';
import { DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Collects Content-Security-Policy violations in every frame of a page, from its first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(
        `Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
      ),
    );
  });
  return async () => {
    await page.waitForTimeout(200); // let late reports arrive
    return seen;
  };
}

/**
 * Waits until no section of `page` is still loading: no Fluent Spinner (role progressbar, "Loading …") and no
 * "Loading…" placeholder (role status) left. Call it once the view has shown: its sections render with it, loading
 * or loaded, so what they request and render is in before the page is left.
 */
async function allSectionsLoaded(page: Page): Promise<void> {
  await page
    .getByRole('progressbar', { name: /^Loading/ })
    .or(page.getByRole('status').filter({ hasText: /^Loading/ }))
    .first()
    .waitFor({ state: 'detached' });
}

describe('security headers on the real pane (issue 11, finding 10)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let tokens: Record<string, string>;

  before(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
    server.clock.set(new Date());
    const signIns = await seedDemoData(server.repo, new Date());
    tokens = Object.fromEntries(signIns.map((s) => [s.email, s.token]));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  it('finding 10: sends a CSP that lets Outlook frame the pane and office.js load from Microsoft, with nosniff and no HSTS over HTTP', async () => {
    const answer = await fetch(`${server.url}/taskpane.html`);
    const csp = answer.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors 'self' https:\/\/outlook\.office\.com https:\/\/outlook\.office365\.com/);
    assert.match(csp, /script-src 'self' https:\/\/appsforoffice\.microsoft\.com/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(answer.headers.get('strict-transport-security'), null, 'no HSTS on plain HTTP');
    assert.equal(answer.headers.get('x-frame-options'), null, 'frame-ancestors decides, not X-Frame-Options');
    const api = await fetch(`${server.url}/api/v1/me`);
    assert.match(api.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  });

  it('finding 10: sends HSTS when users reach the service over HTTPS but never for localhost, and FRAME_ANCESTORS replaces the Outlook origins', async () => {
    const behindProxy = await startTestServer({
      PUBLIC_ORIGIN: 'https://regarding.example.com',
      FRAME_ANCESTORS: 'https://outlook.example.net',
    });
    const headersFor = (host: string) =>
      new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
        http
          .get(`${behindProxy.url}/healthz`, { headers: { host } }, (response) => {
            response.resume();
            resolve(response.headers);
          })
          .on('error', reject);
      });
    try {
      const answer = await headersFor('regarding.example.com');
      assert.match(String(answer['strict-transport-security']), /max-age=31536000/);
      assert.equal((await headersFor('localhost:3000'))['strict-transport-security'], undefined, 'not for localhost');
      const csp = String(answer['content-security-policy']);
      assert.match(csp, /frame-ancestors 'self' https:\/\/outlook\.example\.net(;|$)/);
    } finally {
      await behindProxy.close();
    }
  });

  it('finding 10: refuses a FRAME_ANCESTORS that is not a list of https origins, naming the setting', () => {
    for (const value of ['', '*', 'https:', 'http://outlook.example.net', 'https://outlook.example.net/mail']) {
      assert.throws(() => loadConfig({ FRAME_ANCESTORS: value }), /FRAME_ANCESTORS/, JSON.stringify(value));
    }
  });

  it('issue 12, point 8: the sign-in dialog page may reach Microsoft sign-in, keeps its opener (COOP unsafe-none) and runs without a CSP violation', async () => {
    const answer = await fetch(`${server.url}/auth-dialog.html`);
    assert.equal(answer.status, 200);
    const csp = answer.headers.get('content-security-policy') ?? '';
    assert.match(csp, /connect-src [^;]*https:\/\/login\.microsoftonline\.com/);
    assert.match(csp, /frame-ancestors 'self' https:\/\/outlook\.office\.com/);
    assert.equal(answer.headers.get('cross-origin-opener-policy'), 'unsafe-none', 'office-js #4376');
    const pane = await fetch(`${server.url}/taskpane.html`);
    assert.equal(pane.headers.get('cross-origin-opener-policy'), 'same-origin-allow-popups', 'the pane keeps its own');

    const page = await browser.context.newPage();
    const violations = await watchViolations(page);
    await page.goto(`${server.url}/auth-dialog.html`);
    // Without Entra ID configured the page says so to the pane (messageParent), having run its script.
    await page.waitForFunction(() => window.__outlook.dialog.sentToParent().length > 0);
    assert.deepEqual(await page.evaluate(() => window.__outlook.dialog.sentToParent()), [
      JSON.stringify({ error: 'not_configured' }),
    ]);
    assert.deepEqual(await violations(), []);
    await page.close();
  });

  it('finding 10: runs every view of the pane without a single CSP violation', async () => {
    const user = { email: 'blake.chen@regarding.example', name: 'Blake Chen' };
    const item = {
      id: 'csp-1',
      type: 'message' as const,
      mode: 'read' as const,
      subject: 'Re: benefits review',
      internetMessageId: '<csp-1@summit>',
      from: { email: 'sam.okafor@summitlogistics.example', name: 'Sam Okafor' },
      to: [user],
    };
    const pane = await openPane(browser.context, server.url, {
      user,
      items: [item],
      selected: 'csp-1',
      token: tokens[user.email],
    });
    const paneViolations = await watchViolations(pane);
    await pane.reload();
    await pane.getByRole('option', { name: /Group benefits review/ }).click();
    await pane.getByLabel('Current regarding').waitFor();
    await pane.getByRole('tab', { name: 'New' }).click();
    await pane.getByRole('heading', { name: 'New opportunity' }).waitFor();
    await pane.getByRole('tab', { name: 'My Work' }).click();
    await pane.getByRole('heading', { name: /Stage report/ }).waitFor();
    await allSectionsLoaded(pane);
    await pane.getByRole('button', { name: 'Open “Group benefits review, Summit Logistics”' }).first().click();
    await pane.getByRole('heading', { name: 'Timeline' }).waitFor();
    // The function file the manifest names runs under the same policy.
    await pane.goto(`${server.url}/commands.html`);
    await pane.waitForFunction(() => document.scripts.length >= 2);
    assert.deepEqual(await paneViolations(), []);
    await pane.close();
  });

  it('issue 12 point 12: the SupportUrl the served manifest names answers 200 HTML, a help page with no CSP violation', async () => {
    const manifest = await (await fetch(`${server.url}/manifest.xml`)).text();
    const supportUrl = /<SupportUrl DefaultValue="([^"]+)"/.exec(manifest)![1];
    const { pathname } = new URL(supportUrl);
    assert.equal(pathname, '/support.html');
    assert.ok(fs.existsSync(`${DIST_ADDIN}/support.html`), 'the build writes it (npm run build)');
    const answer = await fetch(`${server.url}${pathname}`);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(answer.headers.get('content-security-policy') ?? '', /default-src 'self'/);

    const page = await browser.context.newPage();
    const violations = await watchViolations(page);
    await page.goto(`${server.url}${pathname}`);
    await page.getByRole('heading', { level: 1, name: 'Regarding: help and support' }).waitFor();
    for (const name of ['What Regarding is', 'Getting help', 'Privacy'])
      await page.getByRole('heading', { level: 2, name }).waitFor();
    await page.getByRole('navigation', { name: 'On this page' }).getByRole('link', { name: 'Privacy' }).click();
    assert.equal(await page.evaluate(() => location.hash), '#privacy');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.deepEqual(await violations(), []);
    await page.close();
  });

  it('finding 10: lets the demo page frame the pane with no CSP violation, and refuses a frame from another origin', async () => {
    const page = await browser.context.newPage();
    const violations = await watchViolations(page);
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(`${server.url}/demo.html`);
    await page.frameLocator('#pane').getByLabel('Personal access token').waitFor();
    assert.deepEqual(await violations(), []);

    // A page of another origin (a plain server on another port) may not frame the pane.
    const outsider = http.createServer((_req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<!doctype html><title>outsider</title><iframe src="${server.url}/taskpane.html"></iframe>`);
    });
    await new Promise<void>((resolve) => outsider.listen(0, '127.0.0.1', resolve));
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/frame-ancestors/.test(message.text())) refused.push(message.text());
    });
    try {
      await page.goto(`http://127.0.0.1:${(outsider.address() as AddressInfo).port}/`);
      for (let i = 0; i < 50 && !refused.length; i++) await page.waitForTimeout(100);
    } finally {
      outsider.close();
    }
    assert.equal(refused.length, 1, 'Chromium refuses to frame the pane from another origin');
    await page.close();
  });
});
