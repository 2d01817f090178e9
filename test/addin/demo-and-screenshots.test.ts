import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { seedDemoData } from '../../server/demo/seed';
import { DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * The demo page works end to end, and every pane view is captured in light and dark theme.
 * `npm run screenshots` writes the captures to docs/screenshots; otherwise they go to a temp folder.
 */
describe('demo page and screenshots', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let tokens: Record<string, string>;
  const toDocs = process.env.REGARDING_SCREENSHOTS === 'docs';
  const out = toDocs
    ? path.resolve(import.meta.dirname, '../../docs/screenshots')
    : fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-shots-'));

  before(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
    server.clock.set(new Date());
    const signIns = await seedDemoData(server.repo, new Date());
    tokens = Object.fromEntries(signIns.map((s) => [s.email, s.token]));
    browser = await launchBrowser();
    fs.mkdirSync(out, { recursive: true });
  });
  after(async () => {
    await browser.close();
    await server.close();
    if (!toDocs) fs.rmSync(out, { recursive: true, force: true });
  });

  const capture = async (page: Page, name: string) => {
    const file = path.join(out, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 5_000, `${name} was captured`);
  };

  it('runs the real pane beside a simulated Outlook: sign in, link, switch items, send a draft', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1100, height: 800 });
    await page.goto(`${server.url}/demo.html`);
    const pane = page.frameLocator('#pane');
    await pane.getByLabel('Personal access token').fill(tokens['alex.morgan@regarding.example']);
    await pane.getByRole('button', { name: 'Sign in' }).click();
    await pane.getByRole('option', { name: /Retirement rollover for Jordan Lee/ }).click();
    await pane.getByText('This email is now regarding “Retirement rollover for Jordan Lee”.').waitFor();
    await capture(page, 'demo-page');

    await page.getByRole('button', { name: /Draft \(compose\)/ }).click();
    await pane.getByRole('heading', { name: 'This draft' }).waitFor();
    await pane.getByRole('tab', { name: 'All Open' }).click();
    await pane.getByRole('option', { name: /Group benefits review/ }).click();
    await pane.getByText('the link completes when you send it', { exact: false }).first().waitFor();
    await page.getByRole('button', { name: 'Send this draft' }).click();
    await pane.getByRole('heading', { name: 'This email' }).waitFor();
    await pane.getByLabel('Current regarding').getByText('Group benefits review, Summit Logistics').waitFor();
    await page.waitForFunction(
      () => !document.querySelector('iframe')!.contentDocument!.body.innerText.includes('Completes when sent'),
    );
    const pending = server.db
      .prepare("SELECT count(*) FROM activities WHERE kind = 'email' AND internet_message_id IS NULL")
      .pluck()
      .get();
    assert.equal(pending, 0, 'the sent draft completed its link');
  });

  // Before the views below, which log a call: both themes show the same seeded month.
  for (const theme of ['light', 'dark'] as const) {
    it(`captures the points bar of an advisor and of a manager's team in the ${theme} theme`, async () => {
      const dark = theme === 'dark' ? '#1f1f1f' : undefined;
      const alex = { email: 'alex.morgan@regarding.example', name: 'Alex Morgan' };
      const advisor = await openPane(
        browser.context,
        server.url,
        { user: alex, items: [], token: tokens[alex.email], theme: dark },
        'view=work',
      );
      await advisor.getByRole('progressbar', { name: /^Points this month: \d+ \/ 60$/ }).waitFor();
      await advisor.getByRole('heading', { name: /Stage report/ }).waitFor();
      await advisor.setViewportSize({ width: 360, height: 420 });
      await advisor.screenshot({ path: path.join(out, `${theme}-points.png`) });
      assert.ok(fs.statSync(path.join(out, `${theme}-points.png`)).size > 5_000, `${theme}-points was captured`);
      await advisor.close();

      const casey = { email: 'casey.rivera@regarding.example', name: 'Casey Rivera' };
      const manager = await openPane(
        browser.context,
        server.url,
        { user: casey, items: [], token: tokens[casey.email], theme: dark },
        'view=work',
      );
      const team = manager.getByRole('region', { name: 'Team points this month' });
      await team.getByRole('progressbar', { name: 'Blake Chen' }).waitFor();
      await team.screenshot({ path: path.join(out, `${theme}-team-points.png`) });
      assert.ok(
        fs.statSync(path.join(out, `${theme}-team-points.png`)).size > 2_000,
        `${theme}-team-points was captured`,
      );
      await manager.close();
    });
  }

  for (const theme of ['light', 'dark'] as const) {
    it(`captures every pane view in the ${theme} theme`, async () => {
      const user = { email: 'blake.chen@regarding.example', name: 'Blake Chen' };
      const item = {
        id: 'shot-1',
        type: 'message' as const,
        mode: 'read' as const,
        subject: 'Re: benefits review',
        internetMessageId: `<shot-${theme}@summit>`,
        from: { email: 'sam.okafor@summitlogistics.example', name: 'Sam Okafor' },
        to: [user],
      };
      const setup = { user, items: [item], selected: 'shot-1', theme: theme === 'dark' ? '#1f1f1f' : undefined };
      const signIn = await openPane(browser.context, server.url, setup);
      await signIn.getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();
      await capture(signIn, `${theme}-sign-in`);
      await signIn.close();

      const page = await openPane(browser.context, server.url, { ...setup, token: tokens[user.email] });
      await page.getByRole('option', { name: /Group benefits review/ }).waitFor();
      await capture(page, `${theme}-set-regarding-lookup`);
      await page.getByRole('option', { name: /Group benefits review/ }).click();
      await page.getByLabel('Current regarding').waitFor();
      await capture(page, `${theme}-set-regarding-linked`);
      await page.getByRole('tab', { name: 'New' }).click();
      await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
      await page.getByText('Known contact', { exact: false }).waitFor();
      await capture(page, `${theme}-new-opportunity`);
      await page.getByRole('radio', { name: 'Another contact or organization…' }).check();
      await page.getByRole('searchbox', { name: 'Find the potential customer' }).fill('harbor');
      await page.getByRole('button', { name: /^Choose organization Harbor Dental Group/ }).waitFor();
      await capture(page, `${theme}-new-customer-search`);
      await page.getByRole('tab', { name: 'My Work' }).click();
      await page.getByRole('heading', { name: /Needs attention/ }).waitFor();
      await page.getByRole('heading', { name: /Stage report/ }).waitFor();
      await page.getByRole('cell').first().waitFor();
      await capture(page, `${theme}-my-work`);
      await page.getByRole('tab', { name: 'Closed' }).click();
      await page.getByRole('group', { name: 'Practice succession plan, Harbor Dental' }).getByText('Won').waitFor();
      await capture(page, `${theme}-my-work-closed`);
      await page.getByRole('tab', { name: 'Reports' }).click();
      await page.getByRole('heading', { name: 'Time in stage' }).waitFor();
      await page.locator('svg[data-chart="funnel"] rect').first().waitFor();
      await capture(page, `${theme}-reports-funnel`);
      await page.getByRole('tab', { name: 'My Work' }).click();
      await page.getByRole('tab', { name: 'Mine' }).click();
      await page.getByRole('heading', { name: /Needs attention/ }).waitFor();
      await page.getByRole('button', { name: 'Open “Group benefits review, Summit Logistics”' }).first().click();
      await page.getByRole('heading', { name: 'Timeline' }).waitFor();
      await capture(page, `${theme}-opportunity`);
      await page.getByRole('button', { name: 'Log a call' }).click();
      const call = page.getByRole('form', { name: 'Log a call' });
      await call.getByRole('textbox', { name: 'Subject' }).fill('Walked Sam through the plan options');
      await call.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Follow-up call' });
      await call.getByRole('combobox', { name: 'Outcome' }).selectOption({ label: 'Reached' });
      await capture(page, `${theme}-log-call`);
      // Both themes log this call on the same opportunity: wait for this run's entry, not the earlier one.
      const logged = page.getByText('Phone call: Walked Sam through the plan options');
      const loggedBefore = await logged.count();
      await call.getByRole('button', { name: 'Log call' }).click();
      await logged.nth(loggedBefore).waitFor();
      await capture(page, `${theme}-opportunity-with-call`);
      await page.getByRole('button', { name: 'Close as Won' }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByText('Checking for open activities…').waitFor({ state: 'detached' });
      await capture(page, `${theme}-close-dialog`);
      await page.close();
    });
  }
});
