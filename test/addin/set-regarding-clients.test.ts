import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { forEachProfile, type ProfileName } from '../helpers/profiles';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const CLIENT = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };
const crowd = (count: number) => Array.from({ length: count }, (_, i) => ({ email: `guest${i}@party.example` }));

/** Issue 12: Set Regarding under each simulated Outlook client, one named test per point. */
describe('task pane: Set Regarding on every Outlook client (issue 12)', function () {
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
  const received = (id = 'inbox-1'): ItemSpec => ({
    id,
    type: 'message',
    mode: 'read',
    subject: 'Question about my 401(k)',
    internetMessageId: `<${id}@harbor.example>`,
    conversationId: 'conv-1',
    from: CLIENT,
    to: [me()],
    dateTimeCreated: '2026-11-18T09:00:00Z',
  });
  const activities = () =>
    server.db
      .prepare(
        'SELECT id, regarding_opportunity_id AS regarding, internet_message_id AS imid, item_id AS itemId, tracking_token AS token FROM activities ORDER BY id',
      )
      .all() as {
      id: number;
      regarding: number | null;
      imid: string | null;
      itemId: string | null;
      token: string | null;
    }[];
  const open = (items: ItemSpec[], selected: string, profile: ProfileName) =>
    openPane(context, server.url, { user: me(), token: alex.token, items, selected, profile });
  const property = (page: Page, itemId: string) =>
    page
      .evaluate((id) => window.__outlook.customProperties(id).regarding as string | undefined, itemId)
      .then((v) => (v ? (JSON.parse(v) as Record<string, unknown>) : null));
  const pick = (page: Page) => page.getByRole('option', { name: /Retirement rollover/ }).click();
  /** Links a new draft and sends it: the sent copy is not opened yet, so its activity is still pending. */
  const linkAndSend = async (page: Page) => {
    await pick(page);
    await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
    await page.evaluate(() =>
      window.__outlook.send('draft-1', { id: 'sent-1', internetMessageId: '<sent-1@firm.example>' }),
    );
  };
  const draft: ItemSpec = { id: 'draft-1', type: 'message', mode: 'compose', subject: 'Follow-up', to: [CLIENT] };

  it('point 1: a forward of a linked sent email shows unlinked on classic Windows, and Remove never touches the original', async () => {
    const page = await open([draft], 'draft-1', 'classic-windows');
    await linkAndSend(page);
    const forward = await page.evaluate(() => window.__outlook.forward('sent-1'));
    assert.ok(await property(page, forward.id), 'classic Windows copied the property onto the forward (#2456)');
    await page.evaluate((id) => window.__outlook.select(id), forward.id);
    await page.getByText('FW: Follow-up').waitFor();
    await page.getByText('Regarding: Not set').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Remove' }).count(), 0, 'nothing to remove on the forward');
    assert.equal(await property(page, forward.id), null, 'the copied property is removed from the forward');
    assert.deepEqual(
      activities().map((a) => [a.regarding, a.imid]),
      [[rollover, null]],
      "the original's activity is untouched and still pending",
    );
  });

  it("point 1: sending a forward and opening its sent copy never completes the original's activity (classic Windows)", async () => {
    const page = await open([draft], 'draft-1', 'classic-windows');
    await linkAndSend(page);
    const forward = await page.evaluate(() => window.__outlook.forward('sent-1'));
    await page.evaluate((id) => window.__outlook.select(id), forward.id);
    await page.getByText('Regarding: Not set').waitFor();
    await page.evaluate(
      (id) => window.__outlook.send(id, { id: 'fwd-sent', internetMessageId: '<fwd-sent@firm.example>' }),
      forward.id,
    );
    await page.evaluate(() => window.__outlook.select('fwd-sent'));
    await page.getByText('Regarding: Not set').waitFor();
    assert.deepEqual(
      activities().map((a) => a.imid),
      [null],
    );
    await page.evaluate(() => window.__outlook.select('sent-1'));
    await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes('Completes when sent'));
    assert.deepEqual(
      activities().map((a) => a.imid),
      ['<sent-1@firm.example>'],
      'the original completes with its own sent copy',
    );
  });

  it("point 1: a forward sent without the pane ever seeing it never completes the original's pending link (classic Windows)", async () => {
    const page = await open([draft], 'draft-1', 'classic-windows');
    await linkAndSend(page);
    // The original's sent copy is never opened: its link stays pending. The forward is written and sent
    // without the pane on it, so the copied property (#2456) reaches the forward's sent copy untouched.
    const forward = await page.evaluate(() => window.__outlook.forward('sent-1'));
    assert.ok(await property(page, forward.id), 'classic Windows copied the property onto the forward');
    await page.evaluate(
      (id) => window.__outlook.send(id, { id: 'fwd-sent', internetMessageId: '<fwd-sent@firm.example>' }),
      forward.id,
    );
    await page.evaluate(() => window.__outlook.select('fwd-sent'));
    await page.getByRole('region', { name: 'Which draft is this?' }).waitFor();
    assert.deepEqual(
      activities().map((a) => a.imid),
      [null],
      'the original is still pending: nothing was completed with the forward',
    );
    await page.getByRole('button', { name: 'None of these' }).click();
    await page.evaluate(() => window.__outlook.select('sent-1'));
    await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
    await page.waitForFunction(() => !document.body.innerText.includes('Completes when sent'));
    assert.deepEqual(
      activities().map((a) => a.imid),
      ['<sent-1@firm.example>'],
      'the original completes with its own sent copy',
    );
  });

  it('point 1: a reply to a linked received email shows unlinked on classic Windows', async () => {
    const page = await open([received()], 'inbox-1', 'classic-windows');
    await pick(page);
    await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    const reply = await page.evaluate(() => window.__outlook.reply('inbox-1'));
    await page.evaluate((id) => window.__outlook.select(id), reply.id);
    await page.getByText('Regarding: Not set').waitFor();
    assert.equal(await property(page, reply.id), null);
    assert.deepEqual(
      activities().map((a) => [a.regarding, a.imid]),
      [[rollover, '<inbox-1@harbor.example>']],
    );
  });

  for (const profile of ['new-outlook-web', 'mobile'] as ProfileName[])
    it(`point 3: never more than three Office calls in flight with many people on the item (${profile})`, async () => {
      const many: ItemSpec[] =
        profile === 'mobile'
          ? [{ ...received(), cc: crowd(40) }]
          : [
              {
                id: 'meeting',
                type: 'appointment',
                mode: 'compose',
                subject: 'Review',
                saved: true,
                requiredAttendees: [CLIENT, ...crowd(40)],
                optionalAttendees: crowd(5),
                start: '2026-11-25T15:00:00Z',
                end: '2026-11-25T16:00:00Z',
              },
              { ...draft, to: [CLIENT, ...crowd(40)], cc: crowd(20) },
            ];
      const page = await open(many, many[0].id, profile);
      await pick(page);
      await page.getByText('is now regarding “Retirement rollover”', { exact: false }).waitFor();
      if (profile !== 'mobile') {
        await page.evaluate(() => window.__outlook.select('draft-1'));
        await pick(page);
        await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
      }
      const calls = await page.evaluate(() => window.__outlook.asyncCalls());
      assert.ok(calls.peak <= 3, `at most three in flight, saw ${calls.peak}`);
      assert.equal(calls.refused, 0);
    });

  it('point 4: on mobile Set Regarding works on every received email, with no header read and no TypeError', async () => {
    const errors: string[] = [];
    const page = await open([received(), received('inbox-2')], 'inbox-1', 'mobile');
    page.on('pageerror', (error) => errors.push(error.message));
    for (const id of ['inbox-1', 'inbox-2']) {
      if (id !== 'inbox-1') await page.evaluate((item) => window.__outlook.select(item), id);
      await pick(page);
      await page.getByText('This email is now regarding “Retirement rollover”.').waitFor();
    }
    assert.deepEqual(
      activities().map((a) => a.imid),
      ['<inbox-1@harbor.example>', '<inbox-2@harbor.example>'],
    );
    assert.deepEqual(errors, []);
    assert.equal(
      await page.evaluate(() => typeof Office.context.mailbox.item?.getAllInternetHeadersAsync),
      'undefined',
    );
  });

  forEachProfile(['organizer'], (profile) =>
    it(`point 5: linking a saved organizer meeting sends no update to its attendees (${profile})`, async () => {
      const meeting: ItemSpec = {
        id: 'meeting',
        type: 'appointment',
        mode: 'compose',
        subject: 'Review',
        saved: true,
        requiredAttendees: [CLIENT],
        start: '2026-11-25T15:00:00Z',
        end: '2026-11-25T16:00:00Z',
      };
      const page = await open([meeting], 'meeting', profile);
      await pick(page);
      await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
      assert.deepEqual(await page.evaluate(() => window.__outlook.effects()), []);
      assert.deepEqual(await page.evaluate(() => window.__outlook.log().filter((e) => e.method === 'saveAsync')), []);
      assert.deepEqual(
        activities().map((a) => a.itemId),
        ['meeting'],
      );
    }),
  );

  it('point 5: a new meeting is saved only after the advisor agrees; Cancel saves nothing', async () => {
    const meeting: ItemSpec = {
      id: 'meeting',
      type: 'appointment',
      mode: 'compose',
      subject: 'Review',
      requiredAttendees: [CLIENT],
    };
    const page = await open([meeting], 'meeting', 'new-outlook-web');
    await pick(page);
    await page.getByText('no invitation is sent until you send it', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    // Checked once Cancel's render is shown and the pane has settled: a save and link started by Cancel would disable
    // the search in that render (Saving…) and replace it with the current regarding once done.
    await page.getByRole('region', { name: 'Save this meeting?' }).waitFor({ state: 'detached' });
    await page
      .getByRole('combobox', { name: 'Search opportunities', disabled: false })
      .or(page.getByRole('region', { name: 'Current regarding' }))
      .waitFor();
    assert.deepEqual(await page.evaluate(() => window.__outlook.effects()), []);
    assert.equal(activities().length, 0);
    await pick(page);
    await page.getByRole('button', { name: 'Save and link to “Retirement rollover”' }).click();
    await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
    assert.deepEqual(
      (await page.evaluate(() => window.__outlook.effects())).map((e) => e.effect),
      ['saved to calendar'],
    );
  });

  it('point 6: over the custom property limit the link is still made and the pane says the item could not carry the marker', async () => {
    const page = await open([received()], 'inbox-1', 'new-outlook-web');
    await page.getByText('Regarding: Not set').waitFor();
    await page.evaluate(() => {
      const saved = JSON.parse(localStorage.getItem('__outlookSimulator')!) as {
        customProperties: Record<string, unknown>;
      };
      saved.customProperties['inbox-1'] = { notes: 'x'.repeat(2400) };
      localStorage.setItem('__outlookSimulator', JSON.stringify(saved));
    });
    await page.reload();
    await pick(page);
    await page.getByText("could not carry Regarding's marker", { exact: false }).waitFor();
    assert.deepEqual(
      activities().map((a) => [a.regarding, a.imid]),
      [[rollover, '<inbox-1@harbor.example>']],
    );
    assert.equal(await property(page, 'inbox-1'), null);
  });

  // Mobile (Mailbox 1.5) has no SelectedItemsChanged either (the web profiles would notice through it, office-js #4960).
  it('point 9: where ItemChanged does not fire, the pane notices the new item on focus and a pending link never lands on it', async () => {
    const other: ItemSpec = { ...received('inbox-2'), subject: 'Something else' };
    const page = await open([received(), other], 'inbox-1', 'mobile');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/activities/regarding', async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    await pick(page);
    await page.getByText('Saving…').waitFor();
    await page.evaluate(() => window.__outlook.selectWithoutEvent('inbox-2'));
    release();
    await page.getByText('Outlook now shows another item, so Regarding changed nothing on it.').waitFor();
    await page.unroute('**/api/v1/activities/regarding');
    assert.equal(await property(page, 'inbox-2'), null, 'nothing written to the item Outlook now shows');
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.getByText('Something else').waitFor();
    await page.getByText('Regarding: Not set').waitFor();
    assert.deepEqual(
      activities().map((a) => a.imid),
      ['<inbox-1@harbor.example>'],
      'only the item the pane showed is linked',
    );
  });

  it('point 10: with more than 100 people on an email, Suggested finds the customer and New Opportunity knows the contact', async () => {
    const page = await open(
      [{ ...received(), from: { email: 'host@party.example' }, cc: [...crowd(130), CLIENT] }],
      'inbox-1',
      'new-outlook-web',
    );
    await page.getByRole('option', { name: /Retirement rollover/ }).waitFor();
    assert.equal(await page.getByText('Invalid input', { exact: false }).count(), 0);
    await page.getByRole('tab', { name: 'New' }).click();
    await page.getByText(`${CLIENT.email} · Known contact`, { exact: false }).waitFor();
  });

  it('point 11: Schedule next step caps a subject over 255 characters, and on mobile says plainly it is unavailable', async () => {
    await alex.api.post('/api/v1/opportunities', referral(`Rollover ${'L'.repeat(290)}`, 'long@client.example'));
    const web = await open([received()], 'inbox-1', 'new-outlook-web');
    await web.getByRole('tab', { name: 'My Open Opportunities' }).click();
    await web.getByRole('option', { name: /LLLL/ }).click();
    await web.getByRole('button', { name: 'Open opportunity' }).click();
    await web.getByRole('button', { name: 'Schedule next step' }).click();
    await web.getByText('Outlook opened a new appointment', { exact: false }).waitFor();
    const form = (await web.evaluate(() => window.__outlook.log())).find((e) =>
      e.method.startsWith('displayNewAppointmentForm'),
    )!.args as { subject: string };
    assert.equal(form.subject.length, 255);
    assert.ok(form.subject.startsWith('Rollover LLL'));

    await web.close();
    const mobile = await open([received('inbox-2')], 'inbox-2', 'mobile');
    await pick(mobile);
    await mobile.getByRole('button', { name: 'Open opportunity' }).click();
    await mobile.getByRole('button', { name: 'Schedule next step' }).click();
    await mobile.getByText('Schedule next step is not available in this Outlook', { exact: false }).waitFor();
    assert.equal((await mobile.evaluate(() => window.__outlook.roaming()))['regarding.nextStep'], undefined);
  });

  it('point 13: a moved appointment keeps its link', async () => {
    const appointment: ItemSpec = {
      id: 'appt-1',
      type: 'appointment',
      mode: 'read',
      subject: 'Review',
      organizer: CLIENT,
      requiredAttendees: [me()],
      start: '2026-11-25T15:00:00Z',
      end: '2026-11-25T16:00:00Z',
    };
    const page = await open([appointment], 'appt-1', 'new-outlook-web');
    await pick(page);
    await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
    const moved = await page.evaluate(() => window.__outlook.move('appt-1'));
    await page.reload();
    await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
    assert.equal((await property(page, moved.id))?.opportunityId, rollover, 'the link is still on the item');
    assert.equal(activities().length, 1);
  });

  forEachProfile(['compose-email'], (profile) =>
    it(`point 14: a failing header write never fails the link, and the header says nothing about Regarding (${profile})`, async () => {
      const page = await open([draft], 'draft-1', profile);
      await page.getByText('Regarding: Not set').waitFor();
      await page.evaluate(() => window.__outlook.failNext('internetHeaders.setAsync', { code: 5001 }));
      await pick(page);
      await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
      assert.equal((await property(page, 'draft-1'))?.header, false);
      await page.reload();
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      await page.evaluate(() => {
        window.__outlook.send('draft-1', { id: 'sent-1', internetMessageId: '<sent-1@firm.example>' });
        window.__outlook.open('sent-1');
      });
      await page.reload();
      await page.getByRole('heading', { name: 'This email' }).waitFor();
      await page.getByLabel('Current regarding').getByText('Retirement rollover').waitFor();
      await page.waitForFunction(() => !document.body.innerText.includes('Completes when sent'));
      assert.deepEqual(
        activities().map((a) => a.imid),
        ['<sent-1@firm.example>'],
      );

      // A second draft whose header Outlook accepts: a neutral name and a random token, nothing else.
      await page.evaluate((d) => window.__outlook.open({ ...d, id: 'draft-2', subject: 'Another' }), draft);
      await page.reload();
      await pick(page);
      await page.getByText('the link completes when you send it', { exact: false }).first().waitFor();
      const headers = (await page.evaluate(() => window.__outlook.item('draft-2').headers)) ?? {};
      assert.deepEqual(Object.keys(headers), ['X-Message-Ref']);
      assert.match(headers['X-Message-Ref'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }),
  );
});
