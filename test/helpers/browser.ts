import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ItemSpec, PersonSpec, ProfileName } from '../office-simulator/simulator';
import { OFFICE_JS_URL, simulatorScript } from '../office-simulator/bundle';

export const DIST_ADDIN = path.resolve(import.meta.dirname, '../../dist/addin');

/**
 * Debian's Chromium, headless, with a fresh profile, and office.js replaced by the simulated Outlook host.
 * `httpCache`: Playwright turns the browser's HTTP cache off while any route is set, so then office.js is replaced
 * in each page through the debugging protocol instead (`withOfficeJs`), and files are cached as in a real browser.
 */
export async function launchBrowser({ httpCache = false } = {}): Promise<{
  context: BrowserContext;
  close: () => Promise<void>;
}> {
  if (!fs.existsSync(path.join(DIST_ADDIN, 'taskpane.html')))
    throw new Error('Build the add-in first: npm run build (npm test does).');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    reducedMotion: 'reduce',
    viewport: { width: 360, height: 720 },
  });
  if (!httpCache)
    await context.route(OFFICE_JS_URL, (route) =>
      route.fulfill({ status: 200, contentType: 'application/javascript', body: simulatorScript() }),
    );
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface OutlookSetup {
  user: PersonSpec;
  items?: ItemSpec[];
  selected?: string;
  token?: string;
  theme?: string;
  /** The Outlook client to simulate (test/office-simulator/profiles.ts); default new Outlook / Outlook on the web. */
  profile?: ProfileName;
  /** Conversation view in the reading pane (some ItemChanged gaps need it: [#1096]). */
  conversationView?: boolean;
}

/** A new page whose office.js is the simulated host, replaced through the debugging protocol (see launchBrowser). */
export async function withOfficeJs(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', ({ requestId }: { requestId: string }) => {
    void cdp.send('Fetch.fulfillRequest', {
      requestId,
      responseCode: 200,
      responseHeaders: [{ name: 'Content-Type', value: 'application/javascript' }],
      body: Buffer.from(simulatorScript()).toString('base64'),
    });
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: OFFICE_JS_URL }] });
  return page;
}

/** Opens the task pane on `selected`, with the simulated mailbox holding `items` (and a saved token, if given). */
export async function openPane(
  context: BrowserContext,
  baseUrl: string,
  setup: OutlookSetup,
  query = 'view=regarding',
  { beforePane, page: given }: { beforePane?: () => void; page?: Page } = {},
): Promise<Page> {
  const page = given ?? (await context.newPage());
  await page.goto(`${baseUrl}/healthz`);
  await page.evaluate((s) => {
    localStorage.clear();
    localStorage.setItem(
      '__outlookSimulator',
      JSON.stringify({
        profile: s.profile ?? 'new-outlook-web',
        conversationView: s.conversationView ?? false,
        items: Object.fromEntries((s.items ?? []).map((item) => [item.id, item])),
        customProperties: {},
        roaming: s.token ? { 'regarding.accessToken': s.token } : {},
        selected: s.selected ?? null,
        user: s.user,
        theme: s.theme ? { bodyBackgroundColor: s.theme } : null,
        log: [],
        effects: [],
        visited: s.selected ? [s.selected] : [],
      }),
    );
  }, setup);
  beforePane?.();
  await page.goto(`${baseUrl}/taskpane.html?${query}`);
  return page;
}

const SIMULATOR_PAGE = 'https://outlook.simulated.test/';

/**
 * A blank page with only the simulated Outlook host loaded (no pane), for tests of the simulator itself:
 * drive it with `window.__outlook` and `Office` in page.evaluate. Starts from an empty mailbox as `profile`.
 */
export async function openSimulator(context: BrowserContext, profile: ProfileName, user: PersonSpec): Promise<Page> {
  await context.route(`${SIMULATOR_PAGE}**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Simulated Outlook</title><script src="${OFFICE_JS_URL}"></script></head><body></body></html>`,
    }),
  );
  const page = await context.newPage();
  await page.goto(SIMULATOR_PAGE);
  await page.evaluate(({ p, u }) => window.__outlook.reset({ profile: p, user: u }), { p: profile, u: user });
  return page;
}

/**
 * Asserts that My Work shows `page`'s advisor none of the admin editors headed `headings`. Checked once the time zone
 * section is shown: the admin settings (or their "Loading the admin settings…" placeholder) render with it, so an
 * editor an advisor must not see could not still be on its way.
 */
export async function assertNoAdminEditors(page: Page, headings: string[]): Promise<void> {
  await page.getByRole('heading', { name: 'Time zone', exact: true }).waitFor();
  for (const heading of headings)
    assert.equal(
      await page.getByRole('heading', { name: heading }).or(page.getByText('Loading the admin settings…')).count(),
      0,
      `only admins see ${heading}`,
    );
}

/** Runs axe-core in the page; returns the violations (empty is good). */
export async function axeViolations(page: Page): Promise<{ id: string; help: string; nodes: string[] }[]> {
  // Evaluated through the browser's debugging protocol, not added as an inline <script>: the pane's
  // Content-Security-Policy (rightly) refuses inline scripts.
  await page.evaluate(
    fs.readFileSync(path.resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8'),
  );
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: object,
            options: object,
          ) => Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    // Fluent UI's focus manager (tabster) adds aria-hidden <i tabindex="0" data-tabster-dummy> sentinels that
    // move focus onward and are never read; axe's aria-hidden-focus rule cannot know that, so they are left out.
    const result = await axe.run(
      { include: [['html']], exclude: [['[data-tabster-dummy]']] },
      { resultTypes: ['violations'] },
    );
    return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
