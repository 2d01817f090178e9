import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Route } from 'playwright-core';
import { deepLinkFrom, deepLinkFromState, paneLink } from '../../addin/app/deep-link';
import { axeViolations, DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { ISSUER, startOidcIssuer, TENANT } from '../helpers/oidc-issuer';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';
import { OFFICE_JS_URL } from '../office-simulator/bundle';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

/** Microsoft's real office.js (no simulator): opened in a plain tab it reports no host and no mailbox. */
const OFFICE_JS_DIR = path.resolve(import.meta.dirname, '../../node_modules/@microsoft/office-js/dist');
const CDN_FOLDER = OFFICE_JS_URL.slice(0, OFFICE_JS_URL.lastIndexOf('/') + 1);
const CLIENT_ID = 'regarding-test-client';
const AUTHORITY = ISSUER.replace(/\/v2\.0$/, '');

/** Entra ID answers the pane's cross-origin requests (discovery, tokens) with CORS headers. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST',
};
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signedIn = (page: Page) => page.getByRole('button', { name: 'Sign out' }).waitFor();
const selectedTab = (page: Page) => page.getByRole('tab', { selected: true }).first().textContent();

describe('the pane in a plain browser tab, opened from a link (issue 14)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: TestServer;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let alex: Advisor;
  let blake: Advisor;
  let alexsId: number;
  let blakesId: number;
  /** What went wrong in each page: uncaught errors, console errors (CSP included), and dialogs (alert()). */
  let problems: string[];

  before(async () => {
    browser = await launchBrowser();
    issuer = await startOidcIssuer();
    server = await startTestServer({ ...issuer.env, OIDC_CLIENT_ID: CLIENT_ID }, { addinDir: DIST_ADDIN });
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
    const create = async (advisor: Advisor, topic: string, email: string, extra = {}) => {
      const res = await advisor.api.post('/api/v1/opportunities', referral(topic, email, extra));
      assert.equal(res.status, 201);
      return res.body.opportunity.id as number;
    };
    alexsId = await create(alex, 'Retirement rollover', 'jordan.lee@harbor.example');
    // Another advisor's closed opportunity is not Alex's to read (an open one any advisor may read).
    blakesId = await create(blake, 'Blake’s college fund', 'sam.ortiz@harbor.example', { stage: 'propose' });
    assert.equal((await blake.api.post(`/api/v1/opportunities/${blakesId}/close`, { outcome: 'won' })).status, 200);
  });
  after(async () => {
    await browser.close();
    await server.close();
    await issuer.close();
  });
  beforeEach(() => {
    problems = [];
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
  });

  /** A new tab on `query`: office.js is Microsoft's own, served from its package; nothing reaches the network. */
  async function tab(query: string, routes: (page: Page) => Promise<void> = () => Promise.resolve()): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/status of 40[34]/.test(message.text()))
        problems.push(`console: ${message.text()}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    const origin = new URL(server.url).origin;
    await page.route('**/*', async (route: Route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      if (url.startsWith(CDN_FOLDER)) {
        const file = path.resolve(OFFICE_JS_DIR, new URL(url).pathname.slice(new URL(CDN_FOLDER).pathname.length));
        if (file.startsWith(OFFICE_JS_DIR + path.sep) && fs.existsSync(file))
          return route.fulfill({ status: 200, contentType: 'application/javascript', body: fs.readFileSync(file) });
      }
      return route.abort();
    });
    await routes(page);
    await page.goto(`${server.url}/taskpane.html${query}`);
    return page;
  }

  /**
   * Entra ID's part, played by routes: discovery, the authorize page (which answers at once, redirecting back with
   * `answer`'s fragment) and the token endpoint (a token for Alex, signed by the issuer the service trusts).
   */
  async function entraRoutes(
    page: Page,
    answer: (authorize: URL) => Record<string, string>,
    seen: { authorize?: URL; tokenRequest?: URLSearchParams; accessToken?: string } = {},
  ) {
    const accessToken = await issuer.sign({
      tid: TENANT,
      oid: `oid-${alex.record.email}`,
      preferred_username: alex.record.email,
      scp: 'access_as_user',
    });
    seen.accessToken = accessToken;
    await page.route('https://login.microsoftonline.com/common/discovery/instance**', (route) =>
      route.fulfill({
        headers: CORS,
        json: { tenant_discovery_endpoint: `${ISSUER}/.well-known/openid-configuration`, metadata: [] },
      }),
    );
    await page.route(`${AUTHORITY}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
      if (url.pathname.endsWith('/.well-known/openid-configuration'))
        return route.fulfill({
          headers: CORS,
          json: {
            issuer: ISSUER,
            authorization_endpoint: `${AUTHORITY}/oauth2/v2.0/authorize`,
            token_endpoint: `${AUTHORITY}/oauth2/v2.0/token`,
            end_session_endpoint: `${AUTHORITY}/oauth2/v2.0/logout`,
            jwks_uri: issuer.jwksUri,
          },
        });
      if (url.pathname.endsWith('/oauth2/v2.0/authorize')) {
        seen.authorize = url;
        const back = new URL(url.searchParams.get('redirect_uri')!);
        back.hash = new URLSearchParams(answer(url)).toString();
        return route.fulfill({ status: 302, headers: { location: back.href } });
      }
      if (url.pathname.endsWith('/oauth2/v2.0/token')) {
        seen.tokenRequest = new URLSearchParams(route.request().postData() ?? '');
        const now = Math.floor(Date.now() / 1000);
        const idToken = [
          base64url({ alg: 'none', typ: 'JWT' }),
          base64url({
            iss: ISSUER,
            aud: CLIENT_ID,
            tid: TENANT,
            oid: `oid-${alex.record.email}`,
            sub: 'subject',
            preferred_username: alex.record.email,
            name: 'Alex Morgan',
            nonce: seen.authorize?.searchParams.get('nonce'),
            iat: now,
            exp: now + 3600,
          }),
          'signature',
        ].join('.');
        return route.fulfill({
          headers: CORS,
          json: {
            token_type: 'Bearer',
            scope: 'api://regarding-test/access_as_user',
            expires_in: 3600,
            ext_expires_in: 3600,
            access_token: accessToken,
            id_token: idToken,
            client_info: base64url({ uid: `oid-${alex.record.email}`, utid: TENANT }),
          },
        });
      }
      return route.abort();
    });
  }

  async function signInWithToken(page: Page, advisor: Advisor) {
    await page.getByLabel('Personal access token').fill(advisor.token);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedIn(page);
  }

  it('an opportunity link signs in with a token, then opens that opportunity, with Back to My Work', async () => {
    const page = await tab(`?opportunity=${alexsId}`);
    await page.getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();
    assert.equal(await page.evaluate(() => '__outlook' in window), false, 'no simulated Outlook');
    await signInWithToken(page, alex);
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    assert.equal(await selectedTab(page), 'My Work', 'opened from My Work');
    assert.deepEqual(await axeViolations(page), [], 'the opportunity in a tab is accessible');

    await page.getByRole('button', { name: '← Back to My Work' }).click();
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();
    assert.deepEqual(problems, []);
  });

  it('an opportunity link opens that opportunity inside Outlook too', async () => {
    const user = { email: alex.record.email, name: 'Alex Morgan' };
    const page = await openPane(browser.context, server.url, { user, token: alex.token }, `opportunity=${alexsId}`);
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    await signedIn(page);
    assert.equal(await page.evaluate(() => '__outlook' in window), true, 'in the simulated Outlook');
    await page.getByRole('button', { name: 'Schedule next step' }).waitFor();
    await page.getByRole('button', { name: '← Back to My Work' }).click();
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();
  });

  it('a refused Microsoft sign-in in a tab comes back to the sign-in page saying so', async () => {
    const page = await tab(`?opportunity=${alexsId}`, (p) =>
      entraRoutes(p, (url) => ({
        error: 'access_denied',
        error_description: 'The user declined.',
        state: url.searchParams.get('state')!,
      })),
    );
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByText('Microsoft sign-in did not complete', { exact: false }).waitFor();
    await page.getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  });

  it('a My Work link opens My Work; a reports link opens Reports with its funnel', async () => {
    const work = await tab('?view=work');
    await signInWithToken(work, alex);
    await work.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();
    assert.equal(await selectedTab(work), 'My Work');

    const reports = await tab('?view=reports');
    await signInWithToken(reports, alex);
    await reports
      .getByRole('heading', { name: /funnel/i })
      .first()
      .waitFor();
    assert.equal(await selectedTab(reports), 'Reports');
    assert.deepEqual(problems, []);
  });

  it('the Set Regarding and New views say in words that they need an Outlook item', async () => {
    const page = await tab('?view=regarding');
    await signInWithToken(page, alex);
    await page
      .getByText('Open this pane from an email or appointment in Outlook to set what it is regarding.')
      .waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('tab', { name: 'New' }).click();
    await page
      .getByText('Outside Outlook there is no email or appointment to create this from', { exact: false })
      .waitFor();
    assert.deepEqual(problems, []);
  });

  it('an opportunity in a tab offers no Outlook-only action (Schedule next step) and says where it is', async () => {
    const page = await tab(`?opportunity=${alexsId}`);
    await signInWithToken(page, alex);
    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Log a call' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Schedule next step' }).count(), 0);
    await page.getByText('Schedule next step opens an appointment in Outlook', { exact: false }).waitFor();
    // The actions a tab has work: a task is the next step here.
    await actions.getByRole('button', { name: 'Add a task' }).click();
    assert.deepEqual(problems, []);
  });

  it("a link to an opportunity that is not found, or not the advisor's, shows the service's words and a way to My Work", async () => {
    for (const id of [999_999, blakesId]) {
      const expected = await alex.api.get(`/api/v1/opportunities/${id}`);
      assert.ok(expected.status === 404 || expected.status === 403, String(expected.status));
      const page = await tab(`?opportunity=${id}`);
      await signInWithToken(page, alex);
      await page
        .getByRole('alert')
        .getByText(expected.body.detail as string)
        .waitFor();
      assert.equal(await page.getByText('Blake’s college fund').count(), 0, 'nothing of it shows');
      assert.deepEqual(await axeViolations(page), [], `the refusal is accessible (${id})`);
      await page.getByRole('button', { name: '← Back to My Work' }).click();
      await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();
    }
    assert.deepEqual(problems, []);
  });

  it('a link with a hostile value does nothing harmful: it opens My Work', async () => {
    for (const query of [
      '?opportunity=javascript:alert(1)',
      '?opportunity=-1',
      `?opportunity=${alexsId}%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E`,
      '?view=%3Cscript%3Ealert(1)%3C/script%3E',
      '?view=constructor',
      '?view=__proto__',
    ]) {
      const page = await tab(query);
      await signInWithToken(page, alex);
      await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();
      assert.equal(await selectedTab(page), 'My Work', query);
      assert.equal(await page.getByRole('button', { name: /Back to/ }).count(), 0, `no opportunity opened: ${query}`);
      // The one script without src is the server's sign-in configuration: a JSON data block, never run.
      assert.equal(await page.locator('script:not([src]):not(#regarding-config), img[src="x"]').count(), 0, query);
      assert.equal(await page.locator('script#regarding-config[type="application/json"]').count(), 1, query);
      await page.close();
    }
    assert.deepEqual(problems, [], 'no alert(), no error');
  });

  it('Microsoft sign-in in a tab redirects to Entra ID with the pane as redirect URI and the link as state, and comes back to the linked opportunity', async () => {
    const seen: { authorize?: URL; tokenRequest?: URLSearchParams; accessToken?: string } = {};
    const page = await tab(`?opportunity=${alexsId}`, (p) =>
      entraRoutes(
        p,
        (url) => ({
          code: 'the-code',
          state: url.searchParams.get('state')!,
          client_info: base64url({ uid: `oid-${alex.record.email}`, utid: TENANT }),
        }),
        seen,
      ),
    );
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    await signedIn(page);

    const started = seen.authorize;
    assert.ok(started, 'the tab went to Entra ID');
    assert.equal(started.searchParams.get('redirect_uri'), `${server.url}/taskpane.html`);
    assert.equal(started.searchParams.get('client_id'), CLIENT_ID);
    assert.match(started.searchParams.get('scope') ?? '', /api:\/\/regarding-test\/access_as_user/);
    assert.ok(
      started.searchParams.get('state')?.endsWith(`|/taskpane.html?opportunity=${alexsId}`),
      `the link rides in MSAL's state: ${started.searchParams.get('state')}`,
    );
    assert.equal(seen.tokenRequest?.get('code'), 'the-code');
    assert.equal(new URL(page.url()).search, `?opportunity=${alexsId}`, 'the address is the link again');
    assert.equal(new URL(page.url()).hash, '', 'no code left in the address');

    // The sign-in is kept for this tab (sessionStorage), never in localStorage; a reload opens the link again.
    const kept = await page.evaluate(
      (token) => ({
        tab: Object.values({ ...sessionStorage }).some((value) => value.includes(token)),
        local: Object.values({ ...localStorage }).some((value) => value.includes(token)),
      }),
      seen.accessToken!,
    );
    assert.deepEqual(kept, { tab: true, local: false });
    await page.reload();
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    await signedIn(page);
    assert.deepEqual(problems, []);
  });
});

describe('deep links: reading a link and a returned state', () => {
  it('reads only a positive whole opportunity id and a plain view name', () => {
    assert.deepEqual(deepLinkFrom('?opportunity=42'), { view: null, opportunity: 42 });
    assert.deepEqual(deepLinkFrom('?view=work'), { view: 'work', opportunity: null });
    for (const bad of ['-1', '0', '1e3', '0x10', ' 7', 'javascript:alert(1)', '1234567890123456', '4.5'])
      assert.equal(deepLinkFrom(`?opportunity=${encodeURIComponent(bad)}`).opportunity, null, bad);
    for (const bad of ['<script>', 'Work', 'a b', '../admin', ''])
      assert.equal(deepLinkFrom(`?view=${encodeURIComponent(bad)}`).view, null, bad);
    assert.equal(paneLink({ view: 'work', opportunity: 7 }), '/taskpane.html?opportunity=7');
    assert.equal(paneLink({ view: 'reports', opportunity: null }), '/taskpane.html?view=reports');
  });

  it('follows a returned state only when it is a pane link on this origin (never an open redirect)', () => {
    const origin = 'https://regarding.example';
    assert.deepEqual(deepLinkFromState('/taskpane.html?opportunity=9', origin), { view: null, opportunity: 9 });
    for (const hostile of [
      'https://evil.example/taskpane.html?opportunity=9',
      '//evil.example/taskpane.html?opportunity=9',
      '/\\evil.example/taskpane.html',
      'javascript:alert(1)',
      '/admin?opportunity=9',
      '/taskpane.html/../admin',
      '',
      null,
    ])
      assert.equal(deepLinkFromState(hostile, origin), null, String(hostile));
  });
});
