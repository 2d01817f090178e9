import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { DIST_ADDIN, launchBrowser, openSimulator } from '../helpers/browser';
import { startTestServer } from '../helpers/test-server';
import { forEachProfile, PROFILE_NAMES, profilesWith, type ProfileName } from '../helpers/profiles';

const ME = { email: 'alex@firm.example', name: 'Alex Morgan' };
const CLIENT = { email: 'jordan@harbor.example', name: 'Jordan Lee' };

const received = (id = 'inbox-1', extra: Partial<ItemSpec> = {}): ItemSpec => ({
  id,
  type: 'message',
  mode: 'read',
  subject: 'Question about my 401(k)',
  internetMessageId: `<${id}@harbor.example>`,
  conversationId: 'conv-1',
  from: CLIENT,
  to: [ME],
  ...extra,
});
const draft = (id = 'draft-1'): ItemSpec => ({
  id,
  type: 'message',
  mode: 'compose',
  subject: 'Follow-up',
  to: [CLIENT],
});
const meeting = (extra: Partial<ItemSpec> = {}): ItemSpec => ({
  id: 'appt-1',
  type: 'appointment',
  mode: 'compose',
  subject: 'Rollover review',
  start: '2026-11-25T15:00:00Z',
  end: '2026-11-25T16:00:00Z',
  requiredAttendees: [CLIENT],
  ...extra,
});

type Result = { status: string; value?: unknown; error?: { code: number; message: string } };

describe('simulated Outlook clients (test/office-simulator/profiles.ts)', function () {
  this.timeout(60_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;

  before(async () => {
    browser = await launchBrowser();
    context = browser.context;
  });
  after(() => browser.close());
  afterEach(async () => {
    for (const page of context.pages()) await page.close();
  });

  /** A page with only the simulator, as `profile`, with `items` in the mailbox and `selected` open. */
  async function outlook(profile: ProfileName, items: ItemSpec[], selected: string): Promise<Page> {
    const page = await openSimulator(context, profile, ME);
    await page.evaluate(
      ({ all, open }) => {
        for (const item of all) window.__outlook.put(item);
        window.__outlook.open(all.find((item) => item.id === open)!);
      },
      { all: items, open: selected },
    );
    return page;
  }

  /** Writes custom properties on the open item: `regarding` = `value`; the saveAsync result. */
  const saveProperty = (page: Page, value: string) =>
    page.evaluate(
      (v) =>
        new Promise<Result>((resolve) =>
          Office.context.mailbox.item!.loadCustomPropertiesAsync((loaded) => {
            loaded.value.set('regarding', v);
            loaded.value.saveAsync((saved) =>
              resolve({ status: saved.status as unknown as string, error: saved.error && { ...saved.error } }),
            );
          }),
        ),
      value,
    );

  describe('concurrent asynchronous calls', () => {
    for (const profile of PROFILE_NAMES) {
      const limited = ['new-outlook-web', 'mobile', 'outlook-live'].includes(profile);
      it(`${profile}: a 4th simultaneous call ${limited ? 'fails with 5100' : 'succeeds'}`, async () => {
        const page = await outlook(profile, [received()], 'inbox-1');
        const results = await page.evaluate(() =>
          Promise.all(
            [1, 2, 3, 4].map(
              () =>
                new Promise<Result>((resolve) =>
                  Office.context.mailbox.item!.loadCustomPropertiesAsync((r) =>
                    resolve({ status: r.status as unknown as string, error: r.error && { ...r.error } }),
                  ),
                ),
            ),
          ),
        );
        assert.deepEqual(
          results.slice(0, 3).map((r) => r.status),
          ['succeeded', 'succeeded', 'succeeded'],
        );
        if (limited) {
          assert.equal(results[3].status, 'failed');
          assert.equal(results[3].error?.code, 5100);
        } else assert.equal(results[3].status, 'succeeded');
        const stats = await page.evaluate(() => window.__outlook.asyncCalls());
        assert.equal(stats.peak, limited ? 3 : 4, 'the simulator reports the most calls in flight at once');
        assert.equal(stats.inFlight, 0);

        const after = await page.evaluate(
          () =>
            new Promise<string>((resolve) =>
              Office.context.mailbox.item!.loadCustomPropertiesAsync((r) => resolve(r.status as unknown as string)),
            ),
        );
        assert.equal(after, 'succeeded', 'a call made once the others completed succeeds');
      });
    }
  });

  describe('custom properties limit', () => {
    for (const profile of PROFILE_NAMES) {
      it(`${profile}: custom properties over 2,500 characters fail saveAsync and keep the saved ones`, async () => {
        const page = await outlook(profile, [received()], 'inbox-1');
        assert.equal((await saveProperty(page, 'x'.repeat(2000))).status, 'succeeded');
        const over = await saveProperty(page, 'y'.repeat(2500));
        assert.equal(over.status, 'failed');
        const stored = await page.evaluate(() => window.__outlook.customProperties('inbox-1'));
        assert.equal(stored.regarding, 'x'.repeat(2000), 'nothing of the failed save was kept');
      });
    }
  });

  describe('reply and forward', () => {
    for (const profile of PROFILE_NAMES) {
      const copies = profile === 'classic-windows';
      it(`${profile}: a forward and a reply ${copies ? 'carry' : 'do not carry'} the original's custom properties`, async () => {
        const page = await outlook(profile, [received()], 'inbox-1');
        await saveProperty(page, '{"activityId":7}');
        const drafts = await page.evaluate(() => {
          const forward = window.__outlook.forward('inbox-1');
          const reply = window.__outlook.reply('inbox-1');
          return {
            forward,
            reply,
            forwardProps: window.__outlook.customProperties(forward.id),
            replyProps: window.__outlook.customProperties(reply.id),
          };
        });
        assert.equal(drafts.forward.mode, 'compose');
        assert.equal(drafts.forward.composeType, 'forward');
        assert.deepEqual(drafts.reply.to, [CLIENT], 'a reply goes to the sender');
        const expected = copies ? { regarding: '{"activityId":7}' } : {};
        assert.deepEqual(drafts.forwardProps, expected);
        assert.deepEqual(drafts.replyProps, expected);

        await page.evaluate((id) => window.__outlook.open(id), drafts.forward.id);
        const seen = await page.evaluate(
          () =>
            new Promise<unknown>((resolve) =>
              Office.context.mailbox.item!.loadCustomPropertiesAsync((r) => resolve(r.value.get('regarding'))),
            ),
        );
        assert.equal(seen ?? null, copies ? '{"activityId":7}' : null, 'the add-in reads what Outlook copied');
      });
    }
  });

  describe('send', () => {
    forEachProfile(['compose-email', 'read-email'], (profile) =>
      it(`${profile}: the Sent Items copy answers "" headers with success and keeps the custom properties`, async () => {
        const page = await outlook(profile, [draft()], 'draft-1');
        const set = await page.evaluate(
          () =>
            new Promise<string>((resolve) =>
              (Office.context.mailbox.item as Office.MessageCompose).internetHeaders.setAsync(
                { 'X-Regarding-Token': 'token-1' },
                (r) => resolve(r.status as unknown as string),
              ),
            ),
        );
        assert.equal(set, 'succeeded');
        await saveProperty(page, 'pending');
        const copy = await page.evaluate(() => {
          const sent = window.__outlook.send('draft-1', { id: 'sent-1', internetMessageId: '<sent-1@firm.example>' });
          window.__outlook.open(sent.id);
          return sent;
        });
        assert.equal(copy.headers?.['X-Regarding-Token'], 'token-1', 'the message itself carried the header');
        const headers = await page.evaluate(
          () =>
            new Promise<Result>((resolve) =>
              (Office.context.mailbox.item as Office.MessageRead).getAllInternetHeadersAsync((r) =>
                resolve({ status: r.status as unknown as string, value: r.value }),
              ),
            ),
        );
        assert.deepEqual(headers, { status: 'succeeded', value: '' }, '[#4773], [#6796]');
        assert.deepEqual(await page.evaluate(() => window.__outlook.customProperties('sent-1')), {
          regarding: 'pending',
        });
      }),
    );

    it('a recipient still reads the headers of a received message', async () => {
      const page = await outlook(
        'new-outlook-web',
        [received('inbox-1', { headers: { 'X-Regarding-Token': 't' } })],
        'inbox-1',
      );
      const headers = await page.evaluate(
        () =>
          new Promise<unknown>((resolve) =>
            (Office.context.mailbox.item as Office.MessageRead).getAllInternetHeadersAsync((r) => resolve(r.value)),
          ),
      );
      assert.equal(headers, 'X-Regarding-Token: t');
    });
  });

  describe('API subset and requirement sets', () => {
    for (const profile of PROFILE_NAMES) {
      it(`${profile}: members, requirement sets and platform are the client's`, async () => {
        const page = await outlook(profile, [received(), draft()], 'inbox-1');
        await page.evaluate(() => window.__outlook.setTheme('#1f1f1f'));
        const read = await page.evaluate(async () => {
          const info = (await Office.onReady()) as unknown as { platform: string };
          const item = Office.context.mailbox.item as Office.MessageRead;
          const sets = Office.context.requirements;
          return {
            platform: info.platform,
            diagnostics: (Office.context as unknown as { diagnostics: { platform: string } }).diagnostics.platform,
            headers: typeof item.getAllInternetHeadersAsync,
            form: typeof Office.context.mailbox.displayNewAppointmentForm,
            convert: typeof Office.context.mailbox.convertToRestId,
            theme: Office.context.officeTheme === undefined,
            mailbox15: sets.isSetSupported('Mailbox', '1.5'),
            mailbox18: sets.isSetSupported('Mailbox', '1.8'),
            mailbox114: sets.isSetSupported('Mailbox', '1.14'),
            naa: sets.isSetSupported('NestedAppAuth', '1.1'),
            dialog: sets.isSetSupported('DialogApi', '1.2'),
          };
        });
        await page.evaluate(() => window.__outlook.open('draft-1'));
        const compose = await page.evaluate(() => {
          const item = Office.context.mailbox.item as Office.MessageCompose;
          return {
            save: typeof item.saveAsync,
            itemId: typeof item.getItemIdAsync,
            internetHeaders: typeof item.internetHeaders,
          };
        });
        const mobile = profile === 'mobile';
        const expectedPlatform =
          { 'classic-windows': 'PC', mac: 'Mac', mobile: 'iOS' }[profile as string] ?? 'OfficeOnline';
        assert.equal(read.platform, expectedPlatform);
        assert.equal(read.diagnostics, expectedPlatform);
        assert.equal(read.headers, mobile ? 'undefined' : 'function', 'getAllInternetHeadersAsync');
        assert.equal(read.form, mobile ? 'undefined' : 'function', 'displayNewAppointmentForm');
        assert.equal(read.convert, mobile ? 'undefined' : 'function', 'convertToRestId');
        assert.deepEqual(compose, {
          save: mobile ? 'undefined' : 'function',
          itemId: mobile ? 'undefined' : 'function',
          internetHeaders: mobile ? 'undefined' : 'object',
        });
        assert.equal(read.mailbox15, true);
        assert.equal(read.mailbox18, !mobile);
        assert.equal(read.mailbox114, ['classic-windows', 'new-outlook-web', 'outlook-live'].includes(profile));
        assert.equal(read.theme, mobile || profile === 'mac', 'officeTheme needs Mailbox 1.14');
        assert.equal(read.naa, profile !== 'outlook-live', 'no NestedAppAuth in Outlook.com mailboxes');
        assert.equal(read.dialog, !mobile);
      });
    }

    it('only the read-email surface exists on mobile', () => {
      assert.deepEqual(profilesWith(['read-email']), PROFILE_NAMES);
      assert.deepEqual(profilesWith(['organizer']), ['classic-windows', 'new-outlook-web', 'mac', 'outlook-live']);
      assert.ok(!profilesWith(['compose-email']).includes('mobile'));
    });
  });

  describe('meetings: saveAsync side effects', () => {
    forEachProfile(['organizer'], (profile) =>
      it(`${profile}: saveAsync saves a new meeting to the calendar, and sends an existing one's update to attendees`, async () => {
        const page = await outlook(profile, [meeting(), meeting({ id: 'appt-2', saved: true })], 'appt-1');
        const save = () =>
          page.evaluate(
            () =>
              new Promise<Result>((resolve) =>
                (Office.context.mailbox.item as Office.AppointmentCompose).saveAsync((r) =>
                  resolve({ status: r.status as unknown as string, value: r.value }),
                ),
              ),
          );
        assert.deepEqual(await save(), { status: 'succeeded', value: 'appt-1' });
        await page.evaluate(() => window.__outlook.open('appt-2'));
        await save();
        assert.deepEqual(await page.evaluate(() => window.__outlook.effects()), [
          { itemId: 'appt-1', effect: 'saved to calendar' },
          { itemId: 'appt-2', effect: 'update sent to attendees' },
        ]);
      }),
    );
  });

  describe('shared folders and shared mailboxes', () => {
    for (const profile of PROFILE_NAMES) {
      const supported = profile !== 'mobile';
      it(`${profile}: getSharedPropertiesAsync ${supported ? "answers a shared item's owner and fails on one's own" : 'is missing'}`, async () => {
        const items = [received(), received('shared-1', { sharedMailbox: 'dana.advisor@firm.example' })];
        const page = await outlook(profile, items, 'shared-1');
        const call = () =>
          page.evaluate(() => {
            const item = Office.context.mailbox.item as Office.MessageRead;
            if (typeof item.getSharedPropertiesAsync !== 'function') return null;
            return new Promise<Result>((resolve) =>
              item.getSharedPropertiesAsync((r) =>
                resolve({
                  status: r.status as unknown as string,
                  value: r.value && { owner: r.value.owner, permissions: r.value.delegatePermissions },
                  error: r.error && { ...r.error },
                }),
              ),
            );
          });
        const inShared = await call();
        await page.evaluate(() => window.__outlook.open('inbox-1'));
        const inOwn = await call();
        if (!supported) {
          assert.equal(inShared, null);
          assert.equal(inOwn, null);
          return;
        }
        assert.deepEqual(inShared, {
          status: 'succeeded',
          value: { owner: 'dana.advisor@firm.example', permissions: 23 },
          error: undefined,
        });
        assert.equal(inOwn?.status, 'failed');
      });
    }
  });

  describe('moving items', () => {
    for (const profile of PROFILE_NAMES) {
      it(`${profile}: a moved item gets a new id and keeps its custom properties`, async () => {
        const page = await outlook(profile, [received()], 'inbox-1');
        await saveProperty(page, 'linked');
        const moved = await page.evaluate(() => window.__outlook.move('inbox-1', { id: 'archive-1' }));
        assert.equal(moved.id, 'archive-1');
        const seen = await page.evaluate(() => ({
          id: (Office.context.mailbox.item as Office.MessageRead).itemId,
          old: window.__outlook.item('inbox-1'),
          props: window.__outlook.customProperties('archive-1'),
        }));
        assert.deepEqual(seen, { id: 'archive-1', old: null, props: { regarding: 'linked' } });
      });
    }

    it("mobile: an appointment's seriesId is a REST id; elsewhere the EWS id", async () => {
      const attendee: ItemSpec = {
        ...meeting({ id: 'occ-1', mode: 'read', organizer: CLIENT }),
        seriesId: 'AAMk+series/1',
      };
      const seriesIds: Record<string, unknown> = {};
      for (const profile of ['mobile', 'new-outlook-web'] as const) {
        const page = await outlook(profile, [attendee], 'occ-1');
        seriesIds[profile] = await page.evaluate(
          () => (Office.context.mailbox.item as Office.AppointmentRead).seriesId,
        );
      }
      assert.deepEqual(seriesIds, { mobile: 'AAMk_series-1', 'new-outlook-web': 'AAMk+series/1' });
    });
  });

  describe('ItemChanged', () => {
    /** Registers an ItemChanged handler that counts, then runs `act`; the count and the item id seen. */
    async function itemChanges(page: Page, act: () => void): Promise<{ fired: number; itemId: string | null }> {
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            (window as unknown as { fired: number }).fired = 0;
            Office.context.mailbox.addHandlerAsync(
              Office.EventType.ItemChanged,
              () => ((window as unknown as { fired: number }).fired += 1),
              () => resolve(),
            );
          }),
      );
      await page.evaluate(act);
      await new Promise((resolve) => setTimeout(resolve, 250));
      return page.evaluate(() => ({
        fired: (window as unknown as { fired: number }).fired,
        itemId: (Office.context.mailbox.item as Office.MessageRead | null)?.itemId ?? null,
      }));
    }

    for (const profile of PROFILE_NAMES) {
      it(`${profile}: not raised for an encrypted message or a meeting response`, async () => {
        const items = [
          received(),
          received('secret', { kind: 'encrypted' }),
          received('accepted', { kind: 'meetingResponse' }),
        ];
        const page = await outlook(profile, items, 'inbox-1');
        const seen = await itemChanges(page, () => {
          window.__outlook.select('secret');
          window.__outlook.select('accepted');
        });
        assert.equal(seen.fired, 0);
      });
    }

    it('outlook-live: never raised, and mailbox.item stays the first message', async () => {
      const page = await outlook('outlook-live', [received(), received('inbox-2')], 'inbox-1');
      const seen = await itemChanges(page, () => window.__outlook.select('inbox-2'));
      assert.deepEqual(seen, { fired: 0, itemId: 'inbox-1' });
    });

    it('new-outlook-web: in conversation view, going back to a visited item raises nothing', async () => {
      const page = await outlook('new-outlook-web', [received(), received('inbox-2')], 'inbox-1');
      await page.evaluate(() => window.__outlook.setConversationView(true));
      const seen = await itemChanges(page, () => {
        window.__outlook.select('inbox-2');
        window.__outlook.select('inbox-1');
      });
      assert.deepEqual(seen, { fired: 1, itemId: 'inbox-1' }, 'raised for inbox-2 only; the item itself follows');
    });

    it('selectWithoutEvent raises nothing on any client', async () => {
      const page = await outlook('classic-windows', [received(), received('inbox-2')], 'inbox-1');
      const seen = await itemChanges(page, () => window.__outlook.selectWithoutEvent('inbox-2'));
      assert.deepEqual(seen, { fired: 0, itemId: 'inbox-2' });
    });

    it('classic-windows: a pinned pane switched to a compose item sees it null right after ItemChanged', async () => {
      const page = await outlook('classic-windows', [received(), draft()], 'inbox-1');
      const atEvent = await page.evaluate(
        () =>
          new Promise<boolean>((resolve) => {
            Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, () =>
              resolve(Office.context.mailbox.item === null),
            );
            setTimeout(() => window.__outlook.select('draft-1'), 10);
          }),
      );
      assert.equal(atEvent, true);
      await page.waitForFunction(() => Office.context.mailbox.item !== null);
    });
  });

  describe('other limits and failures', () => {
    it('mac: internetHeaders.setAsync fails on a forward draft, and works on a new message', async () => {
      const page = await outlook('mac', [received(), draft()], 'draft-1');
      const setHeader = () =>
        page.evaluate(
          () =>
            new Promise<Result>((resolve) =>
              (Office.context.mailbox.item as Office.MessageCompose).internetHeaders.setAsync({ 'X-A': '1' }, (r) =>
                resolve({ status: r.status as unknown as string, error: r.error && { ...r.error } }),
              ),
            ),
        );
      assert.equal((await setHeader()).status, 'succeeded');
      await page.evaluate(() => window.__outlook.open(window.__outlook.forward('inbox-1').id));
      const failed = await setHeader();
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.code, 5001);
    });

    for (const profile of profilesWith(['organizer'])) {
      it(`${profile}: displayNewAppointmentForm throws on a subject over 255 or a body over 32 KB characters`, async () => {
        const page = await outlook(profile, [received()], 'inbox-1');
        const outcome = await page.evaluate(() =>
          [
            ['s'.repeat(255), 'b'.repeat(32 * 1024)],
            ['s'.repeat(256), ''],
            ['s', 'b'.repeat(32 * 1024 + 1)],
          ].map(([subject, body]) => {
            try {
              Office.context.mailbox.displayNewAppointmentForm({
                subject,
                requiredAttendees: [],
                optionalAttendees: [],
                start: new Date(),
                end: new Date(),
                location: '',
                resources: [],
                body,
              });
              return 'shown';
            } catch {
              return 'threw';
            }
          }),
        );
        assert.deepEqual(outcome, ['shown', 'threw', 'threw']);
        const shown = await page.evaluate(() => window.__outlook.log().map((entry) => entry.method));
        assert.deepEqual(shown, ['displayNewAppointmentForm'], 'only the form within the limits opened');
      });
    }

    it('failNext makes the next calls of one method fail with the given Office error, then succeed', async () => {
      const page = await outlook('classic-windows', [received()], 'inbox-1');
      await page.evaluate(() => window.__outlook.failNext('loadCustomPropertiesAsync', { code: 9020 }, 2));
      const load = () =>
        page.evaluate(
          () =>
            new Promise<Result>((resolve) =>
              Office.context.mailbox.item!.loadCustomPropertiesAsync((r) =>
                resolve({ status: r.status as unknown as string, error: r.error && { ...r.error } }),
              ),
            ),
        );
      const results = [await load(), await load(), await load()];
      assert.deepEqual(
        results.map((r) => [r.status, r.error?.code]),
        [
          ['failed', 9020],
          ['failed', 9020],
          ['succeeded', undefined],
        ],
      );
    });

    it('roaming settings over 32 KB fail saveAsync', async () => {
      const page = await outlook('new-outlook-web', [received()], 'inbox-1');
      const save = (name: string, size: number) =>
        page.evaluate(
          ({ n, length }) =>
            new Promise<string>((resolve) => {
              Office.context.roamingSettings.set(n, 'x'.repeat(length));
              Office.context.roamingSettings.saveAsync((r) => resolve(r.status as unknown as string));
            }),
          { n: name, length: size },
        );
      const statuses = [await save('small', 1), await save('big', 33 * 1024)];
      assert.deepEqual(statuses, ['succeeded', 'failed']);
    });
  });

  describe('demo page', () => {
    it('the client switch reloads the pane as that Outlook client', async () => {
      const server = await startTestServer({}, { addinDir: DIST_ADDIN });
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/demo.html`);
        const paneProfile = () =>
          page.evaluate(
            () =>
              (document.querySelector('#pane') as HTMLIFrameElement).contentWindow?.__outlook?.profile().name ?? null,
          );
        await page.waitForFunction(
          () => (document.querySelector('#pane') as HTMLIFrameElement).contentWindow?.__outlook,
        );
        assert.equal(await paneProfile(), 'new-outlook-web', 'the default client');
        await page.getByLabel('Outlook client').selectOption({ label: 'Outlook on iOS / Android' });
        await page.getByText('The pane now runs as in Outlook on iOS / Android.').waitFor();
        await page.waitForFunction(
          () =>
            (document.querySelector('#pane') as HTMLIFrameElement).contentWindow?.__outlook?.profile().name ===
            'mobile',
        );
        const platform = await page.evaluate(
          () =>
            (
              (document.querySelector('#pane') as HTMLIFrameElement).contentWindow as unknown as {
                Office: { context: { platform: string } };
              }
            ).Office.context.platform,
        );
        assert.equal(platform, 'iOS');
        await page.reload();
        assert.equal(await page.getByLabel('Outlook client').inputValue(), 'mobile', 'the choice is kept');
      } finally {
        await server.close();
      }
    });
  });
});
