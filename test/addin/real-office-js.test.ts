import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page, Route } from 'playwright-core';
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
    // office.js frames its telemetry page (aborted here, like every request off this machine); a
    // Content-Security-Policy without that origin in frame-src reports the frame it blocks.
    if (message.type() === 'error' && !message.text().startsWith(`Framing '${TELEMETRY}' violates`))
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
    await page.getByLabel('Customer email').waitFor();

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
