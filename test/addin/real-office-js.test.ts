import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Locator, Page, Route } from 'playwright-core';
import { seedDemoData, type DemoSignIn } from '../../server/demo/seed';
import {
  demoSignInFile,
  formatDemoSignIns,
  isLoopbackAddress,
  isLoopbackHost,
  isLoopbackRequest,
  offersDemoSignIns,
  parseDemoSignIns,
  writeDemoSignIns,
} from '../../server/demo/sign-ins';
import { DIST_ADDIN, launchBrowser } from '../helpers/browser';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';
import { OFFICE_JS_URL } from '../office-simulator/bundle';

/** Microsoft's office.js and the files it loads, as published in the @microsoft/office-js package. */
const OFFICE_JS_DIR = path.resolve(import.meta.dirname, '../../node_modules/@microsoft/office-js/dist');
/** The CDN folder taskpane.html loads office.js from; office.js loads its other files from the same folder. */
const CDN_FOLDER = OFFICE_JS_URL.slice(0, OFFICE_JS_URL.lastIndexOf('/') + 1);

/** Where office.js sends its telemetry (a frame): never served, aborted. */
const TELEMETRY = 'https://telemetryservice.firstpartyapps.oaspapps.com/';

const TYPES: Record<string, string> = {
  '.js': 'application/javascript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.json': 'application/json',
  '.png': 'image/png',
};

interface Traffic {
  /** Files of the CDN folder, served from the package. */
  served: string[];
  /** Requests to anywhere else but the test server: aborted, none reaches the network. */
  aborted: string[];
  /** Uncaught errors and console errors in the page (and its frames). */
  problems: string[];
}

/**
 * The test server's own requests go through; Microsoft's CDN folder is served from the package (a file
 * it does not have is a failure); every other request is aborted, so nothing reaches the network.
 */
async function offline(
  page: Page,
  serverUrl: string,
  options: { officeJs?: 'real' | 'missing' } = {},
): Promise<Traffic> {
  const traffic: Traffic = { served: [], aborted: [], problems: [] };
  page.on('pageerror', (error) => traffic.problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    // Any console error counts, Content-Security-Policy violations included: the server's real headers apply.
    if (message.type() === 'error')
      traffic.problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  const origin = new URL(serverUrl).origin;
  await page.route('**/*', async (route: Route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    if (url.startsWith(CDN_FOLDER) && options.officeJs !== 'missing') {
      const file = path.resolve(OFFICE_JS_DIR, new URL(url).pathname.slice(new URL(CDN_FOLDER).pathname.length));
      if (file.startsWith(OFFICE_JS_DIR + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        traffic.served.push(path.relative(OFFICE_JS_DIR, file));
        return route.fulfill({
          status: 200,
          contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
          body: fs.readFileSync(file),
        });
      }
      traffic.problems.push(`office.js asked for a file its package does not have: ${url}`);
    }
    traffic.aborted.push(url);
    return route.abort();
  });
  return traffic;
}

/** Waits for `locator`; if it never shows, the failure also says what went wrong in the page. */
async function shows(locator: Locator, traffic: Traffic): Promise<void> {
  try {
    await locator.waitFor({ timeout: 15_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nIn the page: ${traffic.problems.join('\n') || 'no errors'}`, {
      cause: error,
    });
  }
}

describe('task pane with Microsoft’s real office.js, opened outside Outlook (headless Chromium)', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;

  before(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
    alex = await server.advisor('Alex Morgan');
    await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', 'jordan.lee@harbor.example'));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
  });

  it('renders, signs in with a token kept for the tab, says which views need an Outlook item, and runs My Work', async () => {
    const page = await browser.context.newPage();
    const traffic = await offline(page, server.url);
    await page.goto(`${server.url}/taskpane.html?view=regarding`);

    await shows(page.getByRole('heading', { name: 'Sign in to Regarding' }), traffic);
    // It is Microsoft's office.js, outside any Office host: onReady says host null, and there is no mailbox.
    const office = await page.evaluate(async () => {
      const info = await Office.onReady();
      return {
        host: info.host,
        mailbox: typeof (Office.context as Partial<Office.Context>).mailbox,
        simulator: '__outlook' in window,
      };
    });
    assert.deepEqual(office, { host: null, mailbox: 'undefined', simulator: false });
    assert.ok(
      traffic.served.includes('office.js'),
      `office.js came from the package (served: ${traffic.served.join(', ')})`,
    );

    await page.getByLabel('Personal access token').fill(alex.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await shows(
      page.getByText('Open this pane from an email or appointment in Outlook to set what it is regarding.'),
      traffic,
    );

    await page.getByRole('tab', { name: 'New' }).click();
    await page
      .getByText('Outside Outlook there is no email or appointment to create this from', { exact: false })
      .waitFor();
    await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
    await page.getByRole('searchbox', { name: 'Find the potential customer' }).waitFor();

    await page.getByRole('tab', { name: 'My Work' }).click();
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().click();
    // Outside Outlook there is no appointment form: the action is not offered, and the pane says where it is.
    await page.getByText('Schedule next step opens an appointment in Outlook', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Schedule next step' }).count(), 0);
    await page.getByRole('tab', { name: 'My Work' }).click();
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().waitFor();

    // Outside Outlook there are no roaming settings: the token is kept for this tab only.
    const stored = await page.evaluate(
      (token) => ({
        tab: sessionStorage.getItem('regarding.tab.regarding.accessToken') === token,
        local: Object.values({ ...localStorage }).some((value) => value.includes(token)),
      }),
      alex.token,
    );
    assert.deepEqual(stored, { tab: true, local: false });
    await page.reload();
    await page.getByText('Open this pane from an email or appointment in Outlook', { exact: false }).waitFor();
    await page.locator('header').getByText('Alex Morgan').waitFor();

    assert.deepEqual(traffic.problems, [], 'no uncaught errors and no console errors');
    assert.deepEqual(
      traffic.aborted.filter((url) => !url.startsWith(TELEMETRY)),
      [],
      'office.js asked for nothing else outside its folder but its telemetry (aborted)',
    );
  });

  it('says it could not start when office.js does not load, instead of a pane that never loads', async () => {
    const page = await browser.context.newPage();
    const traffic = await offline(page, server.url, { officeJs: 'missing' });
    await page.goto(`${server.url}/taskpane.html?view=regarding`);
    await page
      .getByRole('alert')
      .filter({ hasText: `Regarding could not start. Office.js did not load (from ${OFFICE_JS_URL}).` })
      .waitFor();
    assert.deepEqual(
      traffic.problems.filter((p) => !/Failed to load resource|Regarding could not start/.test(p)),
      [],
      'only the failed script and the pane saying so',
    );
  });
});

describe('demo page', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let signIns: DemoSignIn[];

  before(async () => {
    server = await startTestServer({ DEMO_DATA: 'on' }, { addinDir: DIST_ADDIN });
    server.clock.set(new Date());
    signIns = await seedDemoData(server.repo, new Date());
    writeDemoSignIns(demoSignInFile(server.config.databaseFile), signIns);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await server.close();
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
  });

  const demoPage = async (url = server.url) => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    const traffic = await offline(page, url);
    await page.goto(`${url}/healthz`);
    await page.evaluate(() => localStorage.clear());
    return { page, traffic };
  };

  it('says plainly that the simulated Outlook is missing when its script does not load', async () => {
    const { page, traffic } = await demoPage();
    await page.route('**/office-simulator.js', (route) => route.abort());
    await page.goto(`${server.url}/demo.html`);
    const missing = 'The simulated Outlook (office-simulator.js) did not load';
    await page.getByRole('status').filter({ hasText: missing }).waitFor();
    await page
      .frameLocator('#pane')
      .getByRole('alert')
      .filter({ hasText: 'Regarding could not start. Office.js did not load (from /office-simulator.js).' })
      .waitFor();
    await page.getByRole('button', { name: /Sent email/ }).click();
    await page.getByRole('status').filter({ hasText: missing }).waitFor();
    assert.deepEqual(
      traffic.problems.filter((p) => !/Failed to load resource|Regarding could not start/.test(p)),
      [],
      'no uncaught errors: only the failed script and the pane saying so',
    );
  });

  it('signs the pane in with one button per demo advisor, no token copied', async () => {
    const { page, traffic } = await demoPage();
    await page.goto(`${server.url}/demo.html`);
    const pane = page.frameLocator('#pane');
    await pane.getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();

    await page.getByRole('button', { name: 'Sign in as Alex Morgan (advisor)' }).click();
    await pane.getByRole('option', { name: /Retirement rollover for Jordan Lee/ }).waitFor();
    await pane.locator('header').getByText('Alex Morgan').waitFor();

    await page.getByRole('button', { name: 'Sign in as Casey Rivera (manager)' }).click();
    await pane.locator('header').getByText('Casey Rivera').waitFor();
    assert.equal(await page.getByLabel('You are').inputValue(), 'casey.rivera@regarding.example');
    for (const name of ['Blake Chen (advisor)', 'Dana Patel (admin)'])
      assert.equal(await page.getByRole('button', { name: `Sign in as ${name}` }).count(), 1);
    // An item not linked yet is a 404 of the item lookup, which the browser reports in the console.
    assert.deepEqual(
      traffic.problems.filter((p) => !/status of 404 .*\/api\/v1\/activities\/lookup\?/.test(p)),
      [],
    );
  });

  it('GET /demo/sign-ins gives the seeded tokens to loopback, the same each time, and issues none', async () => {
    const tokenCount = () => server.db.prepare('SELECT count(*) FROM access_tokens').pluck().get();
    const before = tokenCount();
    const first = await server.client.request('GET', '/demo/sign-ins');
    const second = await server.client.request('GET', '/demo/sign-ins');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(
      first.body.signIns,
      signIns.map((s) => ({ displayName: s.displayName, role: s.role, email: s.email, token: s.token })),
    );
    assert.deepEqual(second.body, first.body);
    assert.equal(tokenCount(), before, 'no token was issued');
  });

  it('GET /demo/sign-ins is 404 to a forwarded request or one for another host name', async () => {
    const get = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const request = http.get(`${server.url}/demo/sign-ins`, { headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
      });
    assert.equal(await get({}), 200);
    assert.equal(await get({ 'X-Forwarded-For': '203.0.113.7' }), 404, 'through a proxy on this machine');
    assert.equal(await get({ Forwarded: 'for=203.0.113.7' }), 404);
    assert.equal(await get({ Host: `rebound.example:${new URL(server.url).port}` }), 404, 'DNS rebinding');
  });

  it('GET /demo/sign-ins is 404 on a server set up for others (a public origin, or listening on every interface)', async () => {
    const setUpForOthers: Record<string, string>[] = [
      { PUBLIC_ORIGIN: 'https://regarding.example.com' },
      { HOST: '0.0.0.0' },
    ];
    for (const env of setUpForOthers) {
      const shared = await startTestServer({ DEMO_DATA: 'on', ...env }, { addinDir: DIST_ADDIN });
      try {
        writeDemoSignIns(demoSignInFile(shared.config.databaseFile), signIns);
        assert.equal((await shared.client.request('GET', '/demo/sign-ins')).status, 404, JSON.stringify(env));
      } finally {
        await shared.close();
      }
    }
    const local = { demoData: true, host: 'localhost', publicOrigin: undefined };
    assert.equal(offersDemoSignIns(local), true);
    assert.equal(offersDemoSignIns({ ...local, publicOrigin: 'https://localhost:3000' }), true);
    assert.equal(offersDemoSignIns({ ...local, demoData: false }), false);
    assert.equal(offersDemoSignIns({ ...local, host: '::' }), false);
    assert.equal(offersDemoSignIns({ ...local, publicOrigin: 'https://crm.firm.example' }), false);
  });

  it('with demo data off, GET /demo/sign-ins is 404 and the demo page offers no sign-in buttons', async () => {
    const off = await startTestServer({ DEMO_DATA: 'off' }, { addinDir: DIST_ADDIN });
    try {
      writeDemoSignIns(demoSignInFile(off.config.databaseFile), signIns);
      assert.equal((await off.client.request('GET', '/demo/sign-ins')).status, 404);
      const { page } = await demoPage(off.url);
      // The page offers the buttons once its GET /demo/sign-ins is answered: they are counted after that answer.
      const offered = page.waitForResponse((response) => new URL(response.url()).pathname === '/demo/sign-ins');
      await page.goto(`${off.url}/demo.html`);
      const answer = await offered;
      assert.equal(answer.status(), 404);
      await answer.finished();
      await page.frameLocator('#pane').getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();
      await page.getByText("Sign in to the pane with that advisor's token", { exact: false }).waitFor();
      assert.equal(await page.getByRole('button', { name: /^Sign in as/ }).count(), 0);
    } finally {
      await off.close();
    }
  });
});

describe('demo sign-ins: the file and the loopback rule', () => {
  it('reads back the sign-ins the seed wrote', () => {
    const signIns: DemoSignIn[] = [
      {
        displayName: 'Alex Morgan',
        role: 'advisor',
        email: 'alex.morgan@regarding.example',
        token: 'rgd_abcdefghijklmnopqrstuvwxyz_-0123',
      },
      {
        displayName: 'Dana Patel',
        role: 'admin',
        email: 'dana.patel@regarding.example',
        token: 'rgd_ZYXWVUTSRQPONMLKJIHGFEDCBA-_9876',
      },
    ];
    assert.deepEqual(parseDemoSignIns(formatDemoSignIns(signIns)), signIns);
    assert.deepEqual(parseDemoSignIns('Demo advisors and their personal access tokens:\n'), []);
  });

  it('counts only loopback addresses as loopback', () => {
    for (const address of ['127.0.0.1', '127.10.0.2', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1'])
      assert.equal(isLoopbackAddress(address), true, address);
    for (const address of [
      undefined,
      '',
      '10.0.0.1',
      '192.168.1.5',
      '::ffff:10.0.0.1',
      '::2',
      'fe80::1',
      '128.0.0.1',
      'localhost',
    ])
      assert.equal(isLoopbackAddress(address), false, String(address));
  });

  it('counts only loopback host names as this machine', () => {
    for (const host of ['localhost', 'localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost:3000'])
      assert.equal(isLoopbackHost(host), true, host);
    for (const host of [undefined, '', 'regarding.example', 'localhost.example.com', '10.0.0.1:3000', '[fe80::1]:3000'])
      assert.equal(isLoopbackHost(host), false, String(host));
  });

  it('needs a loopback connection, a loopback Host and no proxy in between', () => {
    const request = (remoteAddress: string, headers: Record<string, string>) =>
      ({ socket: { remoteAddress }, headers }) as unknown as Parameters<typeof isLoopbackRequest>[0];
    assert.equal(isLoopbackRequest(request('127.0.0.1', { host: 'localhost:3000' })), true);
    assert.equal(isLoopbackRequest(request('::1', { host: '[::1]:3000' })), true);
    assert.equal(isLoopbackRequest(request('192.0.2.10', { host: 'localhost:3000' })), false, 'another machine');
    assert.equal(isLoopbackRequest(request('127.0.0.1', { host: 'regarding.example' })), false, 'another host name');
    assert.equal(
      isLoopbackRequest(request('127.0.0.1', { host: 'localhost', 'x-forwarded-for': '198.51.100.4' })),
      false,
      'a proxy on this machine',
    );
  });
});
