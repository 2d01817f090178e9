import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { Page, Request } from 'playwright-core';
import { axeViolations, DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import type { ReportWorkerOptions } from '../../server/repository/sqlite/report-runner';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 11, finding 5, as the advisor meets it: the database is busy with another process's change. */
describe('task pane: a busy database', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  before(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ WRITE_WAIT_MS: '300' }, { addinDir: DIST_ADDIN });
  });
  after(async () => {
    await browser.close();
    await server.close();
  });

  it('finding 5: says plainly that nothing was saved, keeps what the advisor typed, and saves it on the next try', async () => {
    const alex = await server.advisor('Alex Morgan');
    const page = await openPane(
      browser.context,
      server.url,
      {
        user: { email: alex.record.email, name: alex.record.displayName },
        token: alex.token,
        items: [
          {
            id: 'm1',
            type: 'message',
            mode: 'read',
            subject: 'Thinking about a rollover',
            internetMessageId: '<m1@harbor.example>',
            from: { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' },
            to: [{ email: alex.record.email, name: alex.record.displayName }],
            dateTimeCreated: '2026-11-18T08:00:00Z',
          },
        ],
        selected: 'm1',
      },
      'view=new',
    );
    await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill('Rollover referral for Jordan');

    // Another process (a backup, a second server) holds the write lock.
    const holder = new Database(server.config.databaseFile);
    holder.exec('BEGIN IMMEDIATE');
    try {
      await page.getByRole('button', { name: 'Create' }).click();
      await page
        .getByText('Regarding is busy saving other changes. Try again in a moment; nothing was changed.')
        .waitFor();
      assert.equal(
        await page.getByRole('textbox', { name: 'Topic', exact: true }).inputValue(),
        'Rollover referral for Jordan',
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    assert.equal(server.db.prepare('SELECT count(*) FROM opportunities').pluck().get(), 0);

    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Rollover referral for Jordan' }).waitFor();
    assert.equal(server.db.prepare('SELECT count(*) FROM opportunities').pluck().get(), 1);
  });
});

/** Issue 15: a report that could not be computed (the report worker stopped) says so, not that a save failed. */
describe('task pane: a report that could not be computed', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  before(async () => {
    browser = await launchBrowser();
  });
  // The first report worker dies on its first job: that report answers 503; the next one starts a new worker.
  beforeEach(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN, reportWorker: { firstWorkerDies: true } });
  });
  afterEach(async () => {
    await page.close();
    await server.close();
  });
  after(async () => {
    await browser.close();
  });

  const COULD_NOT = 'The report could not be computed just now. Try again in a minute.';

  /** The pane opened on `view` as an advisor; `funnelRequests()` counts the funnel requests it sent. */
  async function paneOn(view: string) {
    const alex = await server.advisor('Alex Morgan');
    page = await browser.context.newPage();
    let funnel = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/v1/reports/funnel') funnel += 1;
    });
    await openPane(
      browser.context,
      server.url,
      { user: { email: alex.record.email, name: alex.record.displayName }, token: alex.token },
      `view=${view}`,
      { page },
    );
    return { page, funnelRequests: () => funnel };
  }

  it('the Reports view says the report could not be computed just now, and the next try shows the funnel', async () => {
    const { page, funnelRequests } = await paneOn('reports');
    await page.getByText(COULD_NOT).waitFor();
    assert.equal(await page.getByText('Regarding is busy saving other changes', { exact: false }).count(), 0);

    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('table', { name: 'Funnel by stage' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByText('The report could not be computed just now', { exact: false }).count(), 0);
    assert.equal(funnelRequests(), 2);
  });

  // The flaky run's path, made certain: My Work's code is held until the advisor is back on Reports. React never
  // committed My Work, so Reports was never left: it keeps its failure and asks for nothing on its own.
  it('back on Reports before My Work has loaded, the view is as it was, and its Try again shows the funnel', async () => {
    const { page, funnelRequests } = await paneOn('reports');
    await page.getByText(COULD_NOT).waitFor();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked!: (request: Request) => void;
    const myWorkAsked = new Promise<Request>((resolve) => (asked = resolve));
    await page.route(`${server.url}/*.js`, async (route) => {
      asked(route.request());
      await held;
      await route.continue();
    });

    await page.getByRole('tab', { name: 'My Work' }).click();
    const myWorkCode = await myWorkAsked;
    await page.getByRole('tab', { name: 'Reports' }).click();
    release();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.getByText(COULD_NOT).waitFor();
    // Counted once My Work's held code has been served: whatever Reports asked for on the way back, it asked before
    // that code was let through.
    await (await myWorkCode.response())?.finished();
    assert.equal(funnelRequests(), 1);

    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('table', { name: 'Funnel by stage' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByText('The report could not be computed just now', { exact: false }).count(), 0);
    assert.equal(funnelRequests(), 2);
  });

  it("My Work's stage report says it could not be computed just now, and its Try again shows the report", async () => {
    const { page } = await paneOn('work');
    await page.getByText(COULD_NOT).waitFor();
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Stage report (mine)' }).waitFor();
    assert.equal(await page.getByText('The report could not be computed just now', { exact: false }).count(), 0);
  });

  it('Reports left for My Work, once My Work has shown, asks for the funnel again on the way back', async () => {
    const { page, funnelRequests } = await paneOn('reports');
    await page.getByText(COULD_NOT).waitFor();

    await page.getByRole('tab', { name: 'My Work' }).click();
    await page.getByRole('tablist', { name: 'Whose work' }).waitFor();
    await page.getByRole('tab', { name: 'Reports' }).click();
    await page.getByRole('table', { name: 'Funnel by stage' }).waitFor({ state: 'attached' });
    assert.equal(await page.getByText('The report could not be computed just now', { exact: false }).count(), 0);
    assert.equal(funnelRequests(), 2);
  });
});

/** Issue 15: My Work's lists are read in the read worker (`readWorker`: how that thread behaves in each test). */
describe('task pane: My Work’s lists in the read worker', function () {
  this.timeout(120_000);
  let server: TestServer | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  before(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await server?.close();
  });
  after(async () => {
    await browser.close();
  });

  async function myWork(readWorker: ReportWorkerOptions) {
    server = await startTestServer({}, { addinDir: DIST_ADDIN, readWorker });
    const alex = await server.advisor('Alex Morgan');
    return openPane(
      browser.context,
      server.url,
      { user: { email: alex.record.email, name: alex.record.displayName }, token: alex.token, items: [] },
      'view=work',
    );
  }

  it('shows the stage report below a heading of the lists’ own while they load, accessible, then the lists', async () => {
    // The reports below the lists may come first.
    const page = await myWork({ holdMs: 4000 });
    await page.getByRole('heading', { name: /Stage report/ }).waitFor();
    await page.getByText('Loading My Work…').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'New for me', level: 2 }).count(), 1);
    assert.deepEqual(await axeViolations(page), [], 'accessible while the lists load');
    await page.getByRole('heading', { name: /^Needs attention/ }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'accessible once they are shown');
    await page.close();
  });

  // A 503 on a read is not a change that waited: the list says it could not be read, and its retry reads it.
  it('My Work says its lists could not be read just now (not that a change is waiting), and Try again shows them', async () => {
    // The first read worker dies on its first job: that list answers 503; the next one starts a new worker.
    const page = await myWork({ firstWorkerDies: true });
    await page.getByText('Regarding could not read this just now. Try again in a moment; nothing was lost.').waitFor();
    assert.equal(await page.getByText('busy saving other changes', { exact: false }).count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'accessible with the failure shown');

    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: /^Needs attention/ }).waitFor();
    assert.equal(await page.getByText('could not read this just now', { exact: false }).count(), 0);
    await page.close();
  });
});
