import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { forEachProfile, PROFILES, profilesWith, type ProfileName } from '../helpers/profiles';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };

describe('task pane: Set Regarding (headless Chromium, simulated Outlook)', function () {
  this.timeout(90_000);
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
  });

  const me = () => ({ email: alex.record.email, name: 'Alex Morgan' });
  const received = (id = 'inbox-1', internetMessageId = '<inbox-1@harbor.example>'): ItemSpec => ({
    id,
    type: 'message',
    mode: 'read',
    subject: 'Question about my 401(k)',
    internetMessageId,
    conversationId: 'conv-1',
    from: CLIENT,
    to: [me()],
    dateTimeCreated: '2026-11-18T09:00:00Z',
  });
  const activities = () =>
    server.db
      .prepare(
        'SELECT id, kind, regarding_opportunity_id AS regarding, internet_message_id AS imid, item_id AS itemId, tracking_token AS token FROM activities ORDER BY id',
      )
      .all() as {
      id: number;
      kind: string;
      regarding: number | null;
      imid: string | null;
      itemId: string | null;
      token: string | null;
    }[];
  const open = (items: ItemSpec[], selected: string, profile: ProfileName = 'new-outlook-web') =>
    openPane(context, server.url, { user: me(), token: alex.token, items, selected, profile });
  /**
   * The advisor moves to another item. Where Outlook freezes mailbox.item (outlook.live.com, office-js #6833)
   * a pinned pane cannot follow, so the advisor opens the pane on it afresh.
   */
  const show = async (page: Page, profile: ProfileName, item: ItemSpec | string) => {
    if (!PROFILES[profile].quirks.itemFrozen) return page.evaluate((it) => void window.__outlook.select(it), item);
    await page.evaluate((it) => window.__outlook.open(it), item);
    await page.reload();
  };
  const customProperty = (page: Page, itemId: string) =>
    page
      .evaluate((id) => window.__outlook.customProperties(id).regarding as string | undefined, itemId)
      .then((v) => (v ? JSON.parse(v) : null));

  it('signs in with a pasted token once, and links a received email from the Suggested view', async () => {
    const page = await openPane(context, server.url, { user: me(), items: [received()], selected: 'inbox-1' });
    await page.getByRole('heading', { name: 'Sign in to Regarding' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'sign-in view is accessible');
    await page.getByLabel('Personal access token').fill('rgd_not-a-real-token-but-long-enough');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted').waitFor();
    await page.getByLabel('Personal access token').fill(alex.token);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByText('Regarding: Not set').waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Suggested', selected: true }).count(), 1);
    const option = page.getByRole('option', { name: /Retirement rollover/ });
    await option.waitFor();
    assert.equal(await page.getByRole('option').count(), 1, "only the sender's open opportunities are suggested");
    assert.deepEqual(await axeViolations(page), [], 'lookup view is accessible');
    await option.click();
    await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    await page
      .getByRole('group', { name: 'Current regarding' })
      .or(page.getByLabel('Current regarding'))
      .first()
      .waitFor();
    assert.deepEqual(await axeViolations(page), [], 'linked view is accessible');

    const [activity] = activities();
    assert.equal(activities().length, 1);
    assert.equal(activity.imid, '<inbox-1@harbor.example>');
    assert.equal(activity.regarding, rollover);
    assert.deepEqual(await customProperty(page, 'inbox-1'), {
      opportunityId: rollover,
      topic: 'Retirement rollover',
      activityId: activity.id,
      trackingToken: null,
      synced: true,
      for: 'message:<inbox-1@harbor.example>',
    });
    const roaming = await page.evaluate(() => window.__outlook.roaming());
    assert.equal(
      roaming['regarding.accessToken'],
      undefined,
      'the token is not kept in roaming settings (issue 12, point 7)',
    );

    await page.reload();
    await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Sign in to Regarding' }).count(), 0, 'no second sign-in');
  });

  forEachProfile(['read-email'], (profile) =>
    it(`links a sent email with the keyboard only: search as you type, arrows, Enter (${profile})`, async () => {
      const sent: ItemSpec = {
        ...received('sent-1', '<sent-1@firm.example>'),
        from: me(),
        to: [{ email: 'priya@example.org', name: 'Priya' }],
        subject: 'Your plan',
      };
      const page = await open([sent], 'sent-1', profile);
      await page.getByText('Regarding: Not set').waitFor();
      await page.getByRole('tab', { name: 'My Open Opportunities' }).click();
      const search = page.getByRole('combobox', { name: 'Search opportunities' });
      await search.focus();
      await search.pressSequentially('retire');
      await page.getByRole('option', { name: /Retirement rollover/ }).waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[role=option]').length === 1);
      await search.press('Escape');
      assert.equal(await search.inputValue(), '', 'Esc clears the search');
      await page.waitForFunction(() => document.querySelectorAll('[role=option]').length === 2);
      await search.press('ArrowDown');
      const active = await search.getAttribute('aria-activedescendant');
      assert.match(
        await page.locator(`[id="${active}"]`).innerText(),
        /Retirement rollover/,
        'the second option (newest first: college, then rollover) is active',
      );
      await search.press('Enter');
      await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
      assert.equal(activities()[0].imid, '<sent-1@firm.example>');
    }),
  );

  forEachProfile(['compose-email'], (profile) =>
    it(`links a compose draft as pending, and completes it once when the sent copy is opened (${profile})`, async () => {
      const draft: ItemSpec = { id: 'draft-1', type: 'message', mode: 'compose', subject: 'Follow-up', to: [CLIENT] };
      const page = await open([draft], 'draft-1', profile);
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
      const headers = await page.evaluate(() => window.__outlook.item('draft-1').headers);
      const token = headers?.['X-Message-Ref'];
      assert.match(token ?? '', /^[0-9a-f-]{36}$/, 'the draft carries a tracking header');
      assert.deepEqual(
        activities().map((a) => [a.token, a.imid]),
        [[token, null]],
      );

      await page.evaluate(() =>
        window.__outlook.send('draft-1', { id: 'sent-copy', internetMessageId: '<follow-up@firm.example>' }),
      );
      await show(page, profile, 'sent-copy');
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      await page.waitForFunction(() => !document.body.innerText.includes('Completes when sent'));
      assert.deepEqual(
        activities().map((a) => [a.token, a.imid, a.regarding]),
        [[token, '<follow-up@firm.example>', rollover]],
      );
    }),
  );

  forEachProfile(['organizer', 'attendee'], (profile) =>
    it(`links an appointment as organizer (saving it first, once the advisor agrees) and as attendee; a recurring series links as the series (${profile})`, async () => {
      const organizer: ItemSpec = {
        id: 'appt-new',
        type: 'appointment',
        mode: 'compose',
        subject: 'Rollover review',
        start: '2026-11-25T15:00:00Z',
        end: '2026-11-25T16:00:00Z',
        location: 'Office',
        requiredAttendees: [CLIENT],
      };
      const page = await open([organizer], 'appt-new', profile);
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page
        .getByText('Linking saves this meeting to your calendar; no invitation is sent until you send it.', {
          exact: false,
        })
        .waitFor();
      assert.deepEqual(
        await page.evaluate(() => window.__outlook.effects()),
        [],
        'nothing is saved before the advisor agrees',
      );
      await page.getByRole('button', { name: 'Save and link to “Retirement rollover”' }).click();
      await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
      const log = await page.evaluate(() => window.__outlook.log());
      assert.ok(
        log.some((entry) => entry.method === 'saveAsync'),
        'a new appointment is saved to get its id',
      );
      assert.deepEqual(
        activities().map((a) => [a.kind, a.itemId, a.regarding]),
        [['appointment', 'appt-new', rollover]],
      );

      const attendee: ItemSpec = {
        id: 'appt-occurrence-3',
        seriesId: 'appt-series',
        type: 'appointment',
        mode: 'read',
        subject: 'Monthly check-in',
        start: '2026-12-01T15:00:00Z',
        end: '2026-12-01T15:30:00Z',
        organizer: CLIENT,
        requiredAttendees: [me()],
      };
      await show(page, profile, attendee);
      await page.getByText('Regarding: Not set').waitFor();
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
      assert.deepEqual(activities()[1].itemId, 'appt-series');
    }),
  );

  forEachProfile(['read-email'], (profile) =>
    it(`changes and removes the regarding (${profile})`, async () => {
      const page = await open([received()], 'inbox-1', profile);
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page.getByRole('button', { name: 'Change' }).click();
      await page.getByRole('tab', { name: 'All Open' }).click();
      // Counted once All Open's answer is shown (it has College savings plan): before it, the list is empty anyway.
      await page.getByRole('option', { name: /College savings plan/ }).waitFor();
      assert.equal(
        await page.getByRole('option', { name: /Retirement rollover/ }).count(),
        0,
        'the current one is not offered',
      );
      await page.getByRole('option', { name: /College savings plan/ }).click();
      await page.getByText('This email is now regarding “College savings plan”.').waitFor();
      assert.equal(activities()[0].regarding, college);
      await page.getByRole('button', { name: 'Remove' }).click();
      await page.getByText('Regarding removed from this email.').waitFor();
      await page.getByText('Regarding: Not set').waitFor();
      assert.equal(activities()[0].regarding, null);
      assert.equal(await customProperty(page, 'inbox-1'), null);
    }),
  );

  // Where the pane can follow a switch at all (outlook.live.com freezes the item: point 9's test covers it).
  for (const profile of profilesWith(['read-email']).filter((name) => !PROFILES[name].quirks.itemFrozen))
    it(`never links the wrong item when a pinned pane moves on during a slow request (${profile})`, async () => {
      const other: ItemSpec = { ...received('inbox-2', '<inbox-2@harbor.example>'), subject: 'Something else' };
      const page = await open([received(), other], 'inbox-1', profile);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/api/v1/activities/regarding', async (route) => {
        await held; // a deliberately slow service
        await route.continue().catch(() => undefined);
      });
      // The held request's end (finished, or failed when the pane gives it up), watched from before it is sent: the
      // checks below wait for it, however slow the machine, where a fixed pause alone could end before it did.
      const linking = (request: { url: () => string }) => request.url().endsWith('/api/v1/activities/regarding');
      const ended = new Promise<void>((resolve) => {
        page.on('requestfinished', (request) => linking(request) && resolve());
        page.on('requestfailed', (request) => linking(request) && resolve());
      });
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page.getByText('Saving…').waitFor();
      await page.evaluate(() => window.__outlook.select('inbox-2'));
      await page.getByText('Something else').waitFor();
      release();
      await ended;
      await page.getByText('Regarding: Not set').waitFor();
      await page.unroute('**/api/v1/activities/regarding');
      // A broken pane would start its write as the answer arrives: give it that moment, then let any call finish.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await page.waitForFunction(() => window.__outlook.asyncCalls().inFlight === 0);
      assert.equal(await customProperty(page, 'inbox-2'), null, 'nothing was written to the newly selected item');
      assert.ok(
        activities().every((a) => a.imid !== '<inbox-2@harbor.example>'),
        'the new item was not linked',
      );

      await page.evaluate(() => window.__outlook.select('inbox-1'));
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      assert.deepEqual(
        activities().map((a) => [a.imid, a.regarding]),
        [['<inbox-1@harbor.example>', rollover]],
        'the first item is linked exactly once',
      );
    });

  forEachProfile(['read-email'], (profile) =>
    it(`keeps the link on the item when the service is down, and completes it once when the item is opened again (${profile})`, async () => {
      const page = await open([received()], 'inbox-1', profile);
      await page.route('**/api/v1/activities/regarding', (route) => route.abort('connectionrefused'));
      await page.getByRole('option', { name: /Retirement rollover/ }).click();
      await page
        .getByText(/could not reach its service\. The link to “Retirement rollover” is kept on this email/)
        .waitFor();
      assert.deepEqual(await customProperty(page, 'inbox-1'), {
        opportunityId: rollover,
        topic: 'Retirement rollover',
        activityId: null,
        trackingToken: null,
        synced: false,
        for: 'message:<inbox-1@harbor.example>',
      });
      assert.equal(activities().length, 0);

      await page.unroute('**/api/v1/activities/regarding');
      await page.reload(); // the advisor opens the item again later
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      await page.reload();
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      assert.deepEqual(
        activities().map((a) => [a.imid, a.regarding]),
        [['<inbox-1@harbor.example>', rollover]],
      );
      assert.equal((await customProperty(page, 'inbox-1')).synced, true);
    }),
  );

  it('asks to sign in again on a 401 in the middle of linking, then finishes the link', async () => {
    const page = await open([received()], 'inbox-1');
    await page.getByRole('option', { name: /Retirement rollover/ }).waitFor();
    const [token] = await server.repo.tokens.listFor(alex.record.id);
    await server.repo.tokens.revoke(token.id, new Date().toISOString());
    await page.getByRole('option', { name: /Retirement rollover/ }).click();
    await page.getByText('Your sign-in has expired or was revoked').waitFor();
    const fresh = await server.repo.tokens.create(
      alex.record.id,
      'new',
      (await import('../../server/auth/access-tokens')).hashAccessToken('rgd_fresh-token-for-alex-0000000000'),
      new Date().toISOString(),
      null,
    );
    assert.ok(fresh.id);
    await page.getByLabel('Personal access token').fill('rgd_fresh-token-for-alex-0000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    assert.deepEqual(
      activities().map((a) => a.regarding),
      [rollover],
    );
  });

  it('says plainly when the service is unreachable at start-up, and carries on with Try again', async () => {
    const pane = await open([received()], 'inbox-1');
    // Opening on an item, the pane checks its token with the pane context; elsewhere, and with Try again, with /me.
    for (const url of ['**/api/v1/me', '**/api/v1/pane/context?**'])
      await pane.route(url, (route) => route.abort('connectionrefused'));
    await pane.reload();
    await pane.getByText('Regarding could not reach its service', { exact: false }).waitFor();
    for (const url of ['**/api/v1/me', '**/api/v1/pane/context?**']) await pane.unroute(url);
    await pane.getByRole('button', { name: 'Try again' }).click();
    await pane.getByText('Regarding: Not set').waitFor();
  });

  it('follows a dark Office theme', async () => {
    const page = await openPane(context, server.url, {
      user: me(),
      token: alex.token,
      items: [received()],
      selected: 'inbox-1',
      theme: '#1f1f1f',
    });
    await page.getByText('Regarding: Not set').waitFor();
    const background = await page.evaluate(
      () => getComputedStyle(document.querySelector('#root > div')!).backgroundColor,
    );
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    assert.ok(r + g + b < 200, `dark background, got ${background}`);
    assert.deepEqual(await axeViolations(page), [], 'dark theme is accessible');
  });

  it("shows a recipient the sender's pending link from the tracking header, without completing the sender's draft", async () => {
    const token = randomUUID();
    await alex.api.post('/api/v1/activities/regarding', {
      item: { kind: 'email', trackingToken: token, subject: 'Question about my 401(k)' },
      opportunityId: rollover,
    });
    const blake = await server.advisor('Blake Chen');
    const blakeMe = { email: blake.record.email, name: 'Blake Chen' };
    const page = await openPane(context, server.url, {
      user: blakeMe,
      token: blake.token,
      selected: 'inbox-1',
      items: [{ ...received(), from: me(), to: [blakeMe], headers: { 'X-Message-Ref': token } }],
    });
    await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
    await page.getByText('Completes when sent').first().waitFor();
    assert.deepEqual(
      activities().map((a) => [a.token, a.imid]),
      [[token, null]],
      "only Alex's pane completes Alex's draft",
    );
    assert.equal((await customProperty(page, 'inbox-1'))?.trackingToken ?? null, null, 'the token is not handed on');
  });

  it('shows an email another advisor linked to an opportunity since closed as a closed opportunity it cannot open', async () => {
    await alex.api.post('/api/v1/activities/regarding', {
      item: {
        kind: 'email',
        internetMessageId: '<inbox-1@harbor.example>',
        subject: 'Question about my 401(k)',
        participants: [{ email: CLIENT.email, role: 'from' }],
      },
      opportunityId: rollover,
    });
    await alex.api.post(`/api/v1/opportunities/${rollover}/close`, { outcome: 'won', actualValue: 5000 });
    const blake = await server.advisor('Blake Chen');
    const blakeMe = { email: blake.record.email, name: 'Blake Chen' };
    const page = await openPane(context, server.url, {
      user: blakeMe,
      token: blake.token,
      selected: 'inbox-1',
      items: [{ ...received(), to: [blakeMe] }],
    });
    const card = page.getByLabel('Current regarding');
    await card.getByRole('heading', { name: 'A closed opportunity you cannot open' }).waitFor();
    await card.getByText('Linked by Alex Morgan.').waitFor();
    assert.equal(await page.getByText('Retirement rollover').count(), 0, 'the topic is not shown');
    assert.equal(await card.getByRole('button', { name: 'Open opportunity' }).count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'the hidden card is accessible');
  });
});
