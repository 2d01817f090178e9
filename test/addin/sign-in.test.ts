import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { startOidcIssuer, TENANT } from '../helpers/oidc-issuer';
import { forEachProfile } from '../helpers/profiles';
import { startTestServer, type TestServer } from '../helpers/test-server';
import type { ProfileName } from '../office-simulator/simulator';

const TOKEN_KEY = 'regarding.accessToken';
const CONSUMER_MESSAGE =
  'Sign in with your work account (Microsoft 365); Outlook.com and Gmail accounts cannot sign in to Regarding; use an access token instead.';

const signedIn = (page: Page) => page.getByRole('button', { name: 'Sign out' }).waitFor();
const signInHeading = (page: Page) => page.getByRole('heading', { name: 'Sign in to Regarding' });

describe('sign-in (issue 12, points 7 and 8)', function () {
  this.timeout(120_000);
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let server: TestServer;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;

  before(async () => {
    browser = await launchBrowser();
    context = browser.context;
    issuer = await startOidcIssuer();
    server = await startTestServer(
      { ...issuer.env, OIDC_CLIENT_ID: 'regarding-test-client' },
      { addinDir: DIST_ADDIN },
    );
  });
  after(async () => {
    await browser.close();
    await server.close();
    await issuer.close();
  });
  afterEach(async () => {
    for (const page of context.pages()) await page.close();
  });

  describe('point 7: the token leaves roaming settings', () => {
    forEachProfile(['read-email'], (profile) =>
      it(`moves the roaming copy of the token to the origin's storage, deletes it from roaming settings, and sign-out clears it (${profile})`, async () => {
        const advisor = await server.advisor('Kim Lee');
        const user = { email: advisor.record.email, name: 'Kim Lee' };
        // openPane puts the token where earlier versions kept it: the mailbox's roaming settings.
        const page = await openPane(context, server.url, { user, token: advisor.token, profile });
        await signedIn(page);
        assert.equal(
          (await page.evaluate(() => window.__outlook.roaming()))[TOKEN_KEY],
          undefined,
          'gone from roaming',
        );
        assert.equal(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), advisor.token);
        const saved = await page.evaluate(() => localStorage.getItem('__outlookSimulator') ?? '{}');
        const savedRoaming = (JSON.parse(saved) as { roaming: Record<string, unknown> }).roaming;
        assert.equal(savedRoaming[TOKEN_KEY], undefined, 'the removal was saved (roamingSettings.saveAsync)');

        await page.reload();
        await signedIn(page);
        assert.equal(await signInHeading(page).count(), 0, 'still signed in from the origin storage');

        await page.getByRole('button', { name: 'Sign out' }).click();
        await signInHeading(page).waitFor();
        assert.equal(await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY), null, 'sign-out clears it');
        await page.reload();
        await signInHeading(page).waitFor();
      }),
    );
  });

  describe('point 8: Microsoft sign-in', () => {
    /** An Entra ID access token for `email`, signed by the test issuer the service trusts. */
    const entraToken = (email: string) =>
      issuer.sign({ tid: TENANT, oid: `oid-${email}`, preferred_username: email, scp: 'access_as_user' });

    async function open(profile: ProfileName, email: string, setup?: (page: Page) => Promise<void>) {
      const page = await openPane(context, server.url, { user: { email, name: 'Robin Diaz' }, profile });
      if (setup) {
        await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
        await setup(page);
        await page.reload();
      }
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
      return page;
    }

    it("with NestedAppAuth 1.1, asks Outlook for the signed-in account's token (nested app authentication), signs in without a pop-up or dialog, then uses the active account", async () => {
      const advisor = await server.advisor('Robin Diaz');
      const page = await open('new-outlook-web', advisor.record.email);
      const token = await entraToken(advisor.record.email);
      await page.evaluate((t) => window.__outlook.naa.answerWith({ accessToken: t }), token);
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await signedIn(page);
      const requests = await page.evaluate(() => window.__outlook.naa.requests());
      assert.equal(requests[0].method, 'GetInitContext');
      const tokenRequests = requests.filter((r) => r.method === 'GetToken');
      assert.ok(tokenRequests.length >= 1, JSON.stringify(requests));
      assert.equal(tokenRequests.at(-1)?.clientId, 'regarding-test-client');
      assert.match(tokenRequests.at(-1)?.scope ?? '', /api:\/\/regarding-test\/access_as_user/);
      assert.equal(requests.filter((r) => r.method === 'GetTokenPopup').length, 0, 'silent: no pop-up');

      // Later requests use the now active account (acquireTokenSilent with it).
      await page.getByRole('tab', { name: 'My Work' }).click();
      await page.waitForFunction(() => window.__outlook.naa.requests().some((r) => r.account));
      const later = (await page.evaluate(() => window.__outlook.naa.requests())).filter((r) => r.account);
      assert.match(later[0].account ?? '', /\./, 'the homeAccountId of the signed-in account');
      assert.equal(await page.evaluate(() => window.__outlook.dialog.current()), null, 'no Office dialog');
    });

    it('without NestedAppAuth, opens our sign-in page in the Office dialog; its token signs the pane in, and a message from another origin is ignored', async () => {
      const advisor = await server.advisor('Robin Diaz');
      // Classic Outlook on Windows before Version 2409 has the dialog API but not NestedAppAuth.
      const page = await open('classic-windows', advisor.record.email, (p) =>
        p.evaluate(() => window.__outlook.setRequirementSet('NestedAppAuth', null)),
      );
      assert.equal(await page.evaluate(() => 'nestedAppAuthBridge' in window), false, 'no NAA bridge');
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.waitForFunction(() => window.__outlook.dialog.current()?.open);
      const dialog = (await page.evaluate(() => window.__outlook.dialog.current()))!;
      const url = new URL(dialog.url);
      assert.equal(url.origin + url.pathname, `${server.url}/auth-dialog.html`);
      assert.equal(url.searchParams.get('loginHint'), advisor.record.email);
      assert.deepEqual(await page.evaluate(() => window.__outlook.naa.requests()), [], 'NAA not attempted');

      const result = (accessToken: string) => JSON.stringify({ accessToken, expiresOn: Date.now() + 3_600_000 });
      // Another origin's message carries another advisor's token, and comes first: had the pane taken it, it would
      // sign in as them (and close the dialog), so the dialog's own message could no longer sign Robin in.
      const other = await server.advisor('Sam Okafor');
      const foreign = result(await entraToken(other.record.email));
      await page.evaluate((m) => window.__outlook.dialog.message(m, 'https://attacker.example'), foreign);
      await page.evaluate((m) => window.__outlook.dialog.message(m), result(await entraToken(advisor.record.email)));
      await signedIn(page);
      assert.match(await page.locator('header').innerText(), /Robin Diaz/, 'signed in with the dialog’s own message');
      assert.equal(
        await server.value('SELECT entra_oid FROM advisors WHERE id = ?', other.record.id),
        null,
        'a message from another origin signs nothing in: its token never reached the service',
      );
      assert.equal((await page.evaluate(() => window.__outlook.dialog.current()))?.open, false, 'the pane closed it');
    });

    it('without NestedAppAuth, says so when the advisor closes the sign-in dialog', async () => {
      const advisor = await server.advisor('Robin Diaz');
      const page = await open('mac', advisor.record.email, (p) =>
        p.evaluate(() => window.__outlook.setRequirementSet('NestedAppAuth', null)),
      );
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.waitForFunction(() => window.__outlook.dialog.current()?.open);
      await page.evaluate(() => window.__outlook.dialog.closeByUser());
      await page.getByText('The sign-in window was closed.').waitFor();
      assert.equal(await signInHeading(page).count(), 1);
    });

    it('tells an Outlook.com or Gmail mailbox to use a work account or an access token, and attempts nothing', async () => {
      const page = await open('outlook-live', 'robin.diaz@outlook.com');
      await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await page.getByText(CONSUMER_MESSAGE).waitFor();
      assert.equal(await page.evaluate(() => window.__outlook.dialog.current()), null, 'no dialog');
      assert.deepEqual(await page.evaluate(() => window.__outlook.naa.requests()), [], 'no NAA request');

      const gmail = await openPane(context, server.url, {
        user: { email: 'robin.diaz@gmail.com', name: 'Robin Diaz', accountType: 'gmail' },
        profile: 'new-outlook-web',
      });
      await gmail.getByRole('button', { name: 'Sign in with Microsoft' }).click();
      await gmail.getByText(CONSUMER_MESSAGE).waitFor();
      assert.deepEqual(
        (await gmail.evaluate(() => window.__outlook.naa.requests())).filter((r) => r.method !== 'GetInitContext'),
        [],
        'no token request',
      );
    });
  });
});
