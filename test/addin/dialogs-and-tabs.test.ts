import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations, DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: dialogs, the close dialog, tabs and the draft message (issue 13)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let alex: Advisor;
  let rollover: number;

  before(async () => {
    browser = await launchBrowser();
    context = browser.context;
  });
  after(() => browser.close());
  beforeEach(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
    alex = await server.advisor('Alex Morgan');
    rollover = (
      await alex.api.post(
        '/api/v1/opportunities',
        referral('Retirement rollover', 'jordan.lee@harbor.example', { estimatedValue: 120000 }),
      )
    ).body.opportunity.id;
  });
  afterEach(async () => {
    for (const page of context.pages()) await page.close();
    await server.close();
  });

  const me = () => ({ email: alex.record.email, name: 'Alex Morgan' });
  const open = (query: string) => openPane(context, server.url, { user: me(), token: alex.token }, query);
  const task = async (subject: string) =>
    (await alex.api.post('/api/v1/activities', { kind: 'task', subject, opportunityId: rollover })).body.id as number;
  const statusOf = (id: number) =>
    server.db.prepare('SELECT status FROM activities WHERE id = ?').pluck().get(id) as string;

  /** Opens the opportunity from My Work, as an advisor with no item open would. */
  async function openRollover(): Promise<Page> {
    const page = await open('view=work');
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).click();
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    return page;
  }

  /** Nothing above the main content is hidden from screen readers, focus is on an element (not the body), axe is clean. */
  async function assertPaneUsable(page: Page, after: string): Promise<string> {
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Fluent's focus restorer moves focus a moment after the dialog leaves; wait for it, then check.
    await page
      .waitForFunction(() => document.activeElement && document.activeElement !== document.body, null, {
        timeout: 3000,
      })
      .catch(() => undefined);
    const state = await page.evaluate(() => {
      const hidden: string[] = [];
      for (let el: Element | null = document.querySelector('main'); el; el = el.parentElement)
        if (el.getAttribute('aria-hidden') === 'true') hidden.push(el.tagName.toLowerCase());
      const active = document.activeElement;
      return {
        hidden,
        focused: !active || active === document.body ? 'body' : (active.textContent ?? '').trim(),
      };
    });
    assert.deepEqual(state.hidden, [], `after ${after}: no ancestor of the main content has aria-hidden`);
    assert.notEqual(state.focused, 'body', `after ${after}: focus is on an element, not the body`);
    assert.deepEqual(await axeViolations(page), [], `after ${after}: axe is clean`);
    return state.focused;
  }

  it('point 1: every dialog of the pane (Close as Won, Close as Lost) leaves the pane readable and focused after Cancel, Escape and confirm', async () => {
    await task('Send the transfer form');
    const page = await openRollover();
    for (const outcome of ['Close as Won', 'Close as Lost']) {
      for (const way of ['Cancel', 'Escape']) {
        await page.getByRole('button', { name: outcome }).click();
        const dialog = page.getByRole('dialog', { name: outcome });
        await dialog.getByText('One activity is still open.', { exact: false }).waitFor();
        if (way === 'Cancel') await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
        else await page.keyboard.press('Escape');
        const focused = await assertPaneUsable(page, `${outcome}, ${way}`);
        assert.equal(focused, outcome, `after ${outcome}, ${way}: focus is back on the button that opened it`);
      }
    }

    await page.getByRole('button', { name: 'Close as Lost' }).click();
    const lost = page.getByRole('dialog', { name: 'Close as Lost' });
    await lost.getByRole('textbox', { name: 'Reason' }).fill('Went with another firm');
    await lost.getByRole('button', { name: 'Close as Lost' }).click();
    await page.getByText('Closed as Lost.').waitFor();
    const focused = await assertPaneUsable(page, 'Close as Lost, confirmed');
    assert.equal(focused, 'Retirement rollover', 'the trigger is gone: focus is on the heading of the opportunity');

    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByText('Reopened.').waitFor();
    await page.getByRole('button', { name: 'Close as Won' }).click();
    await page.getByRole('dialog', { name: 'Close as Won' }).getByRole('button', { name: 'Close as Won' }).click();
    await page.getByText('Closed as Won.').waitFor();
    assert.equal(await assertPaneUsable(page, 'Close as Won, confirmed'), 'Retirement rollover');
    assert.equal(server.db.prepare('SELECT status FROM opportunities').pluck().get(), 'won');
  });

  it('point 2: the close dialog offers Complete all and Cancel all, prefills the actual value with the estimate, and puts its Cancel under the activities’ Cancel buttons', async () => {
    const first = await task('Send the transfer form');
    const second = await task('Call about the beneficiaries');
    const page = await openRollover();
    await page.getByRole('button', { name: 'Close as Won' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close as Won' });
    await dialog.getByText('2 activities are still open.', { exact: false }).waitFor();

    const value = dialog.getByRole('spinbutton', { name: 'Actual value (USD)' });
    assert.equal(await value.inputValue(), '120000', 'the actual value starts as the estimate');

    const cancelColumn = await Promise.all(
      [
        dialog.getByRole('button', { name: 'Cancel “Send the transfer form”' }),
        dialog.getByRole('button', { name: 'Cancel “Call about the beneficiaries”' }),
        dialog.getByRole('button', { name: 'Cancel all' }),
        dialog.getByRole('button', { name: 'Cancel', exact: true }),
      ].map(async (button) => {
        const box = (await button.boundingBox())!;
        return [Math.round(box.x), Math.round(box.width)];
      }),
    );
    assert.equal(
      new Set(cancelColumn.map(String)).size,
      1,
      `one column of Cancel buttons: ${JSON.stringify(cancelColumn)}`,
    );

    // Keyboard order: each activity's pair (newest first), the pair for all, the fields, then Close as Won and Cancel.
    // Document order is the Tab order (no positive tabindex); a date input takes several Tab presses of its own.
    const order = await dialog.evaluate((surface) =>
      [...surface.querySelectorAll<HTMLInputElement>('button, input, textarea, [tabindex]')]
        .filter((el) => el.tabIndex >= 0 && !el.disabled && !el.hasAttribute('data-tabster-dummy'))
        .map((el) => {
          if (el.tabIndex > 0) return `positive tabindex on ${el.outerHTML}`;
          return (el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent) ?? '';
        }),
    );
    assert.deepEqual(order, [
      'Complete “Call about the beneficiaries”',
      'Cancel “Call about the beneficiaries”',
      'Complete “Send the transfer form”',
      'Cancel “Send the transfer form”',
      'Complete all',
      'Cancel all',
      'Actual value (USD)',
      'Close date',
      'Close as Won',
      'Cancel',
    ]);

    await dialog.getByRole('button', { name: 'Complete all' }).click();
    await dialog.getByText('still open', { exact: false }).waitFor({ state: 'detached' });
    assert.deepEqual([statusOf(first), statusOf(second)], ['completed', 'completed']);
    await value.fill('130000');
    await dialog.getByRole('button', { name: 'Close as Won' }).click();
    await page.getByText('Closed as Won.').waitFor();
    assert.equal(server.db.prepare('SELECT actual_value FROM opportunities').pluck().get(), 130000);
  });

  it('point 2: Cancel all cancels every open activity, and an untouched actual value closes at the estimate', async () => {
    const first = await task('Send the transfer form');
    const second = await task('Call about the beneficiaries');
    const page = await openRollover();
    await page.getByRole('button', { name: 'Close as Won' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close as Won' });
    await dialog.getByRole('button', { name: 'Cancel all' }).click();
    await dialog.getByText('still open', { exact: false }).waitFor({ state: 'detached' });
    assert.deepEqual([statusOf(first), statusOf(second)], ['canceled', 'canceled']);
    await dialog.getByRole('button', { name: 'Close as Won' }).click();
    await page.getByText('Closed as Won.').waitFor();
    assert.equal(server.db.prepare('SELECT actual_value FROM opportunities').pluck().get(), 120000);
  });
});
