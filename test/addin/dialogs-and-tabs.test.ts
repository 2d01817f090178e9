import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };

describe('task pane: dialogs, the close dialog, tabs and the draft message (issue 13)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let context: BrowserContext;
  let alex: Advisor;
  let rollover: number;

  beforeEach(async () => {
    ({ server, browser } = suite);
    context = browser.context;
    alex = await server.advisor('Alex Morgan');
    rollover = (
      await alex.api.post(
        '/api/v1/opportunities',
        referral('Retirement rollover', 'jordan.lee@harbor.example', { estimatedValue: 120000 }),
      )
    ).body.opportunity.id;
  });

  const me = () => ({ email: alex.record.email, name: 'Alex Morgan' });
  const open = (query: string, items: ItemSpec[] = []) =>
    openPane(context, server.url, { user: me(), token: alex.token, items, selected: items[0]?.id }, query);
  const received = (): ItemSpec => ({
    id: 'inbox-1',
    type: 'message',
    mode: 'read',
    subject: 'Question about my 401(k)',
    internetMessageId: '<inbox-1@harbor.example>',
    from: CLIENT,
    to: [me()],
    dateTimeCreated: '2026-11-18T09:00:00Z',
  });
  const draft: ItemSpec = { id: 'draft-1', type: 'message', mode: 'compose', subject: 'Follow-up', to: [CLIENT] };
  const task = async (subject: string) =>
    (await alex.api.post('/api/v1/activities', { kind: 'task', subject, opportunityId: rollover })).body.id as number;
  const statusOf = (id: number) =>
    server.db.prepare('SELECT status FROM activities WHERE id = ?').pluck().get(id) as string;

  /** Opens the opportunity from My Work, as an advisor with no item open would. */
  async function openRollover(): Promise<Page> {
    const page = await open('view=work');
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().click();
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

  /** The tab list fits the pane: its tabs on one row, and each, reached by the keyboard, shown within the row. */
  async function assertOneRowAllReachable(page: Page, name: string) {
    const list = page.getByRole('tablist', { name });
    const tabs = list.getByRole('tab');
    const tops = await tabs.evaluateAll((elements) => elements.map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `${name}: every tab on one row (tops ${tops.join(', ')})`);
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      `${name}: the pane does not scroll sideways`,
    );
    await list.getByRole('tab', { selected: true }).focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < tops.length; i++) {
      if (i > 0) await page.keyboard.press('ArrowRight');
      const shown = await page.evaluate(() => {
        const tab = document.activeElement!;
        const box = tab.getBoundingClientRect();
        const row = tab.parentElement!.getBoundingClientRect();
        return tab.getAttribute('role') === 'tab' && box.left >= row.left - 1 && box.right <= row.right + 1;
      });
      assert.ok(shown, `${name}: tab ${i + 1} of ${tops.length} is reached and shown`);
    }
  }

  it('point 3: at 320 px the lookup, My Work and the nav each keep their tabs on one row, scrolling with every tab reachable', async () => {
    const dana = await server.advisor('Dana Reyes', 'manager');
    const page = await openPane(
      context,
      server.url,
      {
        user: { email: dana.record.email, name: 'Dana Reyes' },
        token: dana.token,
        items: [received()],
        selected: 'inbox-1',
      },
      'view=regarding',
    );
    await page.setViewportSize({ width: 320, height: 720 });
    await page.getByRole('tab', { name: 'All Open' }).waitFor();
    await assertOneRowAllReachable(page, 'Views');
    await assertOneRowAllReachable(page, 'Sections');
    await page.getByRole('tab', { name: 'My Work' }).click();
    await page.getByRole('tab', { name: 'My team' }).waitFor();
    await assertOneRowAllReachable(page, 'Whose work');
    assert.deepEqual(await axeViolations(page), [], 'the scrolling tab rows are accessible');
  });

  const selectedSection = (page: Page) =>
    page.getByRole('tablist', { name: 'Sections' }).getByRole('tab', { selected: true }).textContent();

  it('point 4: an opened opportunity keeps the section it was opened from highlighted, and Back returns there', async () => {
    // From My Work.
    const page = await openRollover();
    assert.equal(await selectedSection(page), 'My Work');
    await page.getByRole('button', { name: '← Back to My Work' }).click();
    await page.getByRole('heading', { name: /New for me/ }).waitFor();
    assert.equal(await selectedSection(page), 'My Work');
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.textContent),
      'My Work',
      'Back leaves focus on the section returned to, not the page body',
    );

    // From Set Regarding.
    const pane = await open('view=regarding', [received()]);
    await pane.getByRole('option', { name: /Retirement rollover/ }).click();
    await pane.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    await pane.getByRole('button', { name: 'Open opportunity' }).click();
    await pane.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    assert.equal(await selectedSection(pane), 'Set Regarding');
    await pane.getByRole('button', { name: '← Back to Set Regarding' }).click();
    await pane.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();

    // From New: the new opportunity is no longer "New"; it is shown from the item's Set Regarding.
    await pane.getByRole('tab', { name: 'New' }).click();
    await pane.getByRole('textbox', { name: 'Topic', exact: true }).fill('College savings for Jordan');
    await pane.getByRole('button', { name: 'Create' }).click();
    await pane.getByRole('heading', { name: 'College savings for Jordan' }).waitFor();
    assert.equal(await selectedSection(pane), 'Set Regarding');
    await pane.getByRole('button', { name: '← Back to Set Regarding' }).click();
    await pane.getByRole('heading', { name: 'This email' }).waitFor();
    assert.equal(await selectedSection(pane), 'Set Regarding');
  });

  it('point 5: linking a draft says it once, in one sentence', async () => {
    const page = await open('view=regarding', [draft]);
    await page.getByRole('option', { name: /Retirement rollover/ }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Retirement rollover' });
    await notice.waitFor();
    assert.equal(
      (await notice.textContent())?.trim(),
      'This draft is now regarding “Retirement rollover”, and the link completes when you send it.',
    );
    const main = page.getByRole('main');
    assert.equal(await main.getByText(/Linked/).count(), 0, 'no “Linked to … Linked” any more');
    await page.reload();
    await page.getByLabel('Current regarding').getByText('Completes when sent').waitFor();
    assert.equal(await main.getByText(/completes when/i).count(), 1, 'reopened, only the card says it is pending');
  });
});
