import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { forEachProfile, PROFILES } from '../helpers/profiles';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };
/** The advisor whose mailbox an assistant works in (delegate access or a shared mailbox). */
const OWNER = { email: 'dana.advisor@firm.example', name: 'Dana Advisor' };

describe('task pane: Set Regarding in a shared folder or shared mailbox (issue 12 point 15)', function () {
  this.timeout(90_000);
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
    rollover = (await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', CLIENT.email))).body
      .opportunity.id;
  });

  const me = () => ({ email: alex.record.email, name: 'Alex Morgan' });
  const received = (extra: Partial<ItemSpec> = {}): ItemSpec => ({
    id: 'inbox-1',
    type: 'message',
    mode: 'read',
    subject: 'Question about my 401(k)',
    internetMessageId: '<inbox-1@harbor.example>',
    conversationId: 'conv-1',
    from: CLIENT,
    to: [OWNER],
    dateTimeCreated: '2026-11-18T09:00:00Z',
    ...extra,
  });
  const storedMailbox = () =>
    server.db.prepare('SELECT mailbox FROM activities WHERE regarding_opportunity_id = ?').pluck().all(rollover);

  async function linkFromSuggested(item: ItemSpec, profile?: Parameters<typeof openPane>[2]['profile']) {
    const page = await openPane(context, server.url, {
      user: me(),
      token: alex.token,
      items: [item],
      selected: item.id,
      profile,
    });
    await page.getByRole('option', { name: /Retirement rollover/ }).click();
    await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    return page;
  }

  forEachProfile(['read-email'], (profile) => {
    const shared = !PROFILES[profile].missing.includes('getSharedPropertiesAsync');
    it(`${profile}: linking an email in a shared mailbox records ${shared ? "that mailbox's owner" : 'no mailbox (Outlook cannot say)'}`, async () => {
      await linkFromSuggested(received({ sharedMailbox: OWNER.email }), profile);
      assert.deepEqual(storedMailbox(), [shared ? OWNER.email : null]);
    });
  });

  it("linking an email in the advisor's own mailbox records no mailbox", async () => {
    await linkFromSuggested(received({ to: [me()] }));
    assert.deepEqual(storedMailbox(), [null]);
  });
});
