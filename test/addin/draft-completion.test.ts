import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { forEachProfile, type ProfileName } from '../helpers/profiles';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };

/**
 * Issue 12, point 2: the sender's Sent Items copy answers "" for its headers on every client (office-js
 * #4773, #6796) and here shows none of the draft's custom properties either (#5467), so only the
 * service's match of the advisor's own pending drafts can complete the link.
 */
describe('task pane: a linked draft completes from its sent copy without property or headers', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let context: BrowserContext;
  let alex: Advisor;
  let rollover: number;
  let college: number;

  beforeEach(async () => {
    ({ server, browser } = suite);
    context = browser.context;
    alex = await server.advisor('Alex Morgan');
    rollover = (await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', CLIENT.email))).body
      .opportunity.id;
    college = (await alex.api.post('/api/v1/opportunities', referral('College savings plan', 'priya@example.org'))).body
      .opportunity.id;
    // The simulator dates a sent copy by the real clock: the service's links are made a minute before it.
    server.clock.set(new Date(Date.now() - 60_000));
  });

  const me = () => ({ email: alex.record.email, name: 'Alex Morgan' });
  const draft = (id: string): ItemSpec => ({
    id,
    type: 'message',
    mode: 'compose',
    subject: 'Follow-up',
    to: [CLIENT],
  });
  const drafts = () =>
    server.db
      .prepare(
        'SELECT regarding_opportunity_id AS regarding, internet_message_id AS imid FROM activities WHERE tracking_token IS NOT NULL ORDER BY id',
      )
      .all() as { regarding: number; imid: string | null }[];

  /** Opens the pane afresh on `id`, as the advisor opening that item later. */
  const reopen = async (page: Page, id: string) => {
    await page.evaluate((itemId) => window.__outlook.open(itemId), id);
    await page.reload();
  };
  const link = async (page: Page, topic: RegExp) => {
    await page.getByRole('tab', { name: 'My Open Opportunities' }).click();
    await page.getByRole('option', { name: topic }).click();
    await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
  };
  const sendWithoutProperties = (page: Page, draftId: string, copyId: string, internetMessageId: string) =>
    page.evaluate(
      ({ d, c, m }) => window.__outlook.send(d, { id: c, internetMessageId: m }, { customProperties: false }),
      { d: draftId, c: copyId, m: internetMessageId },
    );

  const start = (profile: ProfileName, items: ItemSpec[], selected: string) =>
    openPane(context, server.url, { user: me(), token: alex.token, items, selected, profile });

  forEachProfile(['compose-email'], (profile) => {
    it(`point 2: completes the one matching draft when its sent copy is opened (${profile})`, async () => {
      const page = await start(profile, [draft('draft-1')], 'draft-1');
      await link(page, /Retirement rollover/);
      await sendWithoutProperties(page, 'draft-1', 'sent-1', '<follow-up@firm.example>');
      assert.deepEqual(await page.evaluate(() => window.__outlook.customProperties('sent-1')), {});

      await reopen(page, 'sent-1');
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      await page.waitForFunction(() => !document.body.innerText.includes('Completes when sent'));
      assert.deepEqual(drafts(), [{ regarding: rollover, imid: '<follow-up@firm.example>' }]);
      const marker = await page.evaluate(() => window.__outlook.customProperties('sent-1').regarding as string);
      assert.equal(JSON.parse(marker).opportunityId, rollover, 'the sent copy now carries the link');
    });

    it(`point 2: asks which of two near-identical drafts was sent, and completes only the one picked (${profile})`, async () => {
      const page = await start(profile, [draft('draft-1'), draft('draft-2')], 'draft-1');
      await link(page, /Retirement rollover/);
      await reopen(page, 'draft-2');
      await link(page, /College savings plan/);
      await sendWithoutProperties(page, 'draft-2', 'sent-2', '<follow-up-2@firm.example>');

      await reopen(page, 'sent-2');
      const question = page.getByRole('region', { name: 'Which draft is this?' });
      await question.waitFor();
      assert.equal(await question.getByRole('button', { name: /Follow-up/ }).count(), 2);
      assert.equal(
        await page.getByLabel('Current regarding').count(),
        0,
        'nothing is completed before the advisor picks',
      );
      assert.deepEqual(
        drafts().map((d) => d.imid),
        [null, null],
      );

      await question.getByRole('button', { name: /College savings plan/ }).click();
      await page.getByText('This email is now regarding “College savings plan”.').waitFor();
      await page.getByLabel('Current regarding').getByText('College savings plan').waitFor();
      assert.equal(await question.count(), 0);
      assert.deepEqual(drafts(), [
        { regarding: rollover, imid: null },
        { regarding: college, imid: '<follow-up-2@firm.example>' },
      ]);
    });
  });
});
