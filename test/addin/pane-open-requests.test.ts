import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { DIST_ADDIN, launchBrowser, openPane, withOfficeJs } from '../helpers/browser';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };
const HASHED = /^\/[\w-]+\.[0-9a-f]{8}\.(js|css)$/;

/**
 * Installed in every page before its scripts: `window.__opening` lists, in order, when the pane-context request was
 * sent, when React first rendered into the pane's root (the boot text replaced), and whether the lookup ever showed
 * "Searching…". Plain JavaScript text, so nothing the test runner adds to a function reaches the page.
 */
const RECORD_OPENING = `(() => {
  const log = (window.__opening = []);
  const fetched = window.fetch;
  window.fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).includes('/api/v1/pane/context')) log.push('context request');
    return fetched(input, init);
  };
  new MutationObserver(() => {
    const root = document.getElementById('root');
    if (root && root.firstElementChild && root.firstElementChild.id !== 'boot' && !log.includes('first render'))
      log.push('first render');
    if (document.body && document.body.textContent.includes('Searching…') && !log.includes('Searching…'))
      log.push('Searching…');
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/**
 * What the pane asks of the service as it opens on an email (issue 15: two round trips after the HTML, cold; one
 * warm). The browser keeps its HTTP cache (launchBrowser's httpCache: office.js is replaced without routing, which
 * would turn the cache off), and the server's request log says what reached it: a file the cache served never does.
 */
describe('task pane: the requests it makes as it opens on an email (issue 15)', function () {
  this.timeout(90_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let server: TestServer;
  let received: string[];
  let advisor: Awaited<ReturnType<TestServer['advisor']>>;

  before(async () => {
    browser = await launchBrowser({ httpCache: true });
    context = browser.context;
    await context.addInitScript(RECORD_OPENING);
  });
  after(() => browser.close());
  beforeEach(async () => {
    received = [];
    // Every request the server answered, as "GET /path status" (the request log's line for each).
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          const entry = JSON.parse(line) as { req?: { method: string; url: string }; res?: { statusCode: number } };
          // Chromium asks for a top-level page's /favicon.ico on its own, at a moment of its choosing; the pane
          // (a frame or web view inside Outlook) does not, so it is not one of the pane's requests.
          if (entry.req && entry.res && entry.req.url !== '/favicon.ico')
            received.push(`${entry.req.method} ${entry.req.url} ${entry.res.statusCode}`);
        }
        done();
      },
    });
    server = await startTestServer({}, { addinDir: DIST_ADDIN, logger: pino({ level: 'info' }, log) });
    advisor = await server.advisor('Alex Morgan');
    const opportunity = await advisor.api.post('/api/v1/opportunities', referral('Retirement rollover', CLIENT.email));
    const linked = await advisor.api.post('/api/v1/activities/regarding', {
      item: emailItem('<linked@harbor.example>'),
      opportunityId: opportunity.body.opportunity.id,
    });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
  });
  afterEach(async () => {
    for (const page of context.pages()) await page.close();
    await server.close();
  });

  const email = (internetMessageId: string): ItemSpec => ({
    id: 'mail',
    type: 'message',
    mode: 'read',
    subject: 'Question about my 401(k)',
    internetMessageId,
    conversationId: 'conv-1',
    from: CLIENT,
    to: [{ email: advisor.record.email, name: 'Alex Morgan' }],
    dateTimeCreated: '2026-11-18T09:00:00Z',
  });

  /** Opens the pane twice on the item (a cold cache, then a warm one); returns what reached the server each time. */
  async function openTwice(item: ItemSpec, shown: (page: Page) => Promise<unknown>) {
    const asked: string[] = [];
    context.on('request', (request) => asked.push(request.url()));
    const cold = await openPane(
      context,
      server.url,
      { user: { email: advisor.record.email }, token: advisor.token, items: [item], selected: item.id },
      'view=regarding',
      { page: await withOfficeJs(context), beforePane: () => (received = []) },
    );
    await shown(cold);
    await cold.waitForLoadState('networkidle');
    const first = received;
    await cold.close();

    received = [];
    const warm = await withOfficeJs(context);
    await warm.goto(`${server.url}/taskpane.html?view=regarding`);
    await shown(warm);
    await warm.waitForLoadState('networkidle');
    const second = received;
    // The page asked for neither endpoint the pane context replaces, nor for the sign-in configuration.
    for (const url of asked)
      assert.doesNotMatch(url, /\/api\/v1\/(me|auth\/config|activities\/lookup|opportunities\/suggestions)\b/);
    return { first, second };
  }

  const api = (requests: string[]) => requests.filter((r) => r.includes(' /api/'));
  const pathOf = (request: string) => request.split(' ')[1].split('?')[0];

  function checkCold(first: string[]): void {
    // Cold: the HTML, the first view's JavaScript, then one API request.
    const html = first.filter((r) => pathOf(r) === '/taskpane.html');
    const files = first.filter((r) => HASHED.test(pathOf(r)));
    assert.equal(html.length, 1, first.join('\n'));
    assert.ok(files.length >= 1, first.join('\n'));
    assert.deepEqual(api(first).map(pathOf), ['/api/v1/pane/context'], first.join('\n'));
    assert.deepEqual(
      first.filter((r) => !html.includes(r) && !files.includes(r) && !api(first).includes(r)),
      [],
      'nothing else',
    );
  }

  function checkWarm(second: string[]): void {
    // Warm: the HTML (revalidated), no JavaScript (immutable in the cache), exactly one API request.
    assert.deepEqual(
      second.map((r) => `${r.split(' ')[0]} ${pathOf(r)}`),
      ['GET /taskpane.html', 'GET /api/v1/pane/context'],
      second.join('\n'),
    );
  }

  it('a linked email: HTML, its JavaScript and one pane-context request cold; the HTML and one request warm', async () => {
    const { first, second } = await openTwice(email('<linked@harbor.example>'), (page) =>
      page.getByRole('region', { name: 'Current regarding' }).getByText('Retirement rollover').waitFor(),
    );
    checkCold(first);
    checkWarm(second);
  });

  /** Opens the pane on an email with a warm cache (opened once before); returns what the page recorded. */
  async function openWarm(item: ItemSpec): Promise<string[]> {
    const first = await openPane(
      context,
      server.url,
      { user: { email: advisor.record.email }, token: advisor.token, items: [item], selected: item.id },
      'view=regarding',
      { page: await withOfficeJs(context) },
    );
    await first.getByRole('option', { name: /Retirement rollover/ }).waitFor();
    await first.close();
    const warm = await withOfficeJs(context);
    await warm.goto(`${server.url}/taskpane.html?view=regarding`);
    await warm.getByRole('option', { name: /Retirement rollover/ }).waitFor();
    return warm.evaluate(() => (window as unknown as { __opening: string[] }).__opening);
  }

  it('sends the pane-context request before its first render, not after it', async () => {
    const opening = await openWarm(email('<new@harbor.example>'));
    assert.deepEqual(
      opening.filter((event) => event !== 'Searching…'),
      ['context request', 'first render'],
    );
  });

  it('shows the Suggested list from the pane context in the lookup’s first render, never “Searching…”', async () => {
    const opening = await openWarm(email('<new@harbor.example>'));
    assert.ok(!opening.includes('Searching…'), opening.join(', '));
    assert.ok(opening.includes('context request'), opening.join(', '));
  });

  it('an unlinked email from a customer: the Suggested list after one pane-context request', async () => {
    const { first, second } = await openTwice(email('<new@harbor.example>'), (page) =>
      page.getByRole('option', { name: /Retirement rollover/ }).waitFor(),
    );
    checkCold(first);
    checkWarm(second);
  });
});
