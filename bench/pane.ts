/**
 * Pane benchmark: the initial JavaScript of the task pane (gzipped) against a minimal React + Fluent app built in the
 * same run with the same settings; and, in alternating rounds on one server, the pane's warm open (navigation start to
 * the Suggested list rendered) beside the minimal app's first render (navigation start to its button rendered), in
 * headless Chromium with its HTTP cache. `BENCH_PANE_BASELINE=<a dist/addin of another build>` times that build's pane
 * in the same rounds too (before/after a change). `BENCH_PANE_RUNS` sets the rounds (default 15, after 2 warm-ups).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import webpack from 'webpack';
import { DIST_ADDIN, launchBrowser, openPane, withOfficeJs } from '../test/helpers/browser';
import { referral, startTestServer } from '../test/helpers/test-server';

const ROOT = path.resolve(import.meta.dirname, '..');
// The pane's own build rule for TypeScript (esbuild, then Griffel's build-time styles), so both bundles are built alike.
const { scriptRule } = await import('../webpack.config.mjs');
const RUNS = Number(process.env.BENCH_PANE_RUNS ?? 15);
const WARM_UPS = 2;
const BASELINE = process.env.BENCH_PANE_BASELINE;

function build(name: string, entry: string, outDir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    webpack(
      {
        mode: 'production',
        context: ROOT,
        entry: { [name]: entry },
        // Content-hashed as the pane's files are, so the server keeps them immutable in the browser's cache.
        output: { path: outDir, filename: '[name].[contenthash:8].js', chunkFilename: '[name].[contenthash:8].js' },
        resolve: { extensions: ['.tsx', '.ts', '.js'] },
        module: { rules: [scriptRule] },
        performance: { hints: false },
      },
      (error, stats) => {
        if (error || stats?.hasErrors()) return reject(error ?? new Error(stats!.toString('errors-only')));
        const initial = [...stats!.compilation.entrypoints.get(name)!.getFiles()].filter((f) => f.endsWith('.js'));
        resolve(initial.map((f) => path.join(outDir, f)));
      },
    );
  });
}

const gzipKb = (files: string[]) =>
  files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length, 0) / 1024;
const rawKb = (files: string[]) => files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1024;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The minimal app's page: what a React + Fluent task pane needs, its script deferred as the pane's is. */
const minimalPage = (scripts: string[]) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Minimal</title>${scripts.map((s) => `<script defer src="/${s}"></script>`).join('')}</head><body><div id="root"></div></body></html>`;

/** What each page shows when it is rendered: an element matching `selector` whose text holds `text`. */
interface Rendered {
  selector: string;
  text: string;
}

/**
 * Installed in every page before its own scripts: resolves `window.__rendered` with the time (ms since navigation
 * start) of the first task after the frame that showed the page's awaited element, i.e. once it was laid out and
 * painted. Timed in the page, not by polling from outside, which would run its own script beside the page's. Plain
 * JavaScript text: a function passed from here would carry the helpers tsx adds to it.
 */
const watchRendered = (awaited: Record<string, Rendered>) => `(() => {
  const want = ${JSON.stringify(awaited)}[location.pathname];
  if (!want) return;
  window.__rendered = new Promise((resolve) => {
    const shown = () =>
      [...document.querySelectorAll(want.selector)].some((element) => element.textContent.includes(want.text));
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now())));
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  });
})();`;

interface Timed {
  name: string;
  path: string;
  ms: number[];
  apiRequests: number[];
}

/** Opens `page` afresh (a new tab, the HTTP cache kept) and returns navigation start → rendered, and its API requests. */
async function timeOpen(context: BrowserContext, url: string): Promise<{ ms: number; apiRequests: number }> {
  const page = await withOfficeJs(context);
  try {
    const cdp = await context.newCDPSession(page);
    let asked = 0;
    page.on('request', (request) => void (request.url().includes('/api/') && asked++));
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
      expression: 'window.__rendered',
      awaitPromise: true,
      returnByValue: true,
      timeout: 30_000,
    })) as { result: { value?: number }; exceptionDetails?: unknown };
    if (exceptionDetails || typeof result.value !== 'number')
      throw new Error(`${url} did not render: ${JSON.stringify(exceptionDetails ?? result)}`);
    return { ms: result.value, apiRequests: asked };
  } finally {
    await page.close();
  }
}

const stats = (values: number[]) =>
  `${Math.min(...values).toFixed(0)} | **${percentile(values, 50).toFixed(0)}** | ${percentile(values, 90).toFixed(0)} | ${Math.max(...values).toFixed(0)}`;

export async function runPaneBenchmark(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-pane-bench-'));
  const pane = await build('main', './addin/index.tsx', path.join(dir, 'pane'));
  const minimal = await build('minimal', './bench/minimal-app.tsx', path.join(dir, 'minimal'));
  const sizes = {
    paneRaw: rawKb(pane),
    paneGzip: gzipKb(pane),
    minimalRaw: rawKb(minimal),
    minimalGzip: gzipKb(minimal),
  };
  const ratio = sizes.paneGzip / sizes.minimalGzip;

  // One site on one server: the built pane, the minimal app's page and script beside it (served by the same static
  // route, so with the same headers and compression), and optionally another build's pane. The server inlines the
  // sign-in configuration only into its pane pages, so the other build's page is served under the second of them.
  const site = path.join(dir, 'site');
  if (BASELINE) fs.cpSync(BASELINE, site, { recursive: true });
  fs.cpSync(DIST_ADDIN, site, { recursive: true });
  if (BASELINE) fs.copyFileSync(path.join(BASELINE, 'taskpane.html'), path.join(site, 'demo-taskpane.html'));
  for (const file of minimal) fs.copyFileSync(file, path.join(site, path.basename(file)));
  fs.writeFileSync(path.join(site, 'minimal.html'), minimalPage(minimal.map((file) => path.basename(file))));

  const server = await startTestServer({}, { addinDir: site });
  const advisor = await server.advisor('Bench Advisor');
  await advisor.api.post('/api/v1/opportunities', referral('Retirement rollover', 'client@example.org'));
  // The browser keeps its HTTP cache (office.js replaced without routing, which would turn the cache off): after the
  // first open, the pages' files come from the cache, as in Outlook once the pane has been opened before.
  const browser = await launchBrowser({ httpCache: true });
  const suggested = { selector: '[role="option"]', text: 'Retirement rollover' };
  const pages: Timed[] = [
    { name: 'minimal React + Fluent app, first render', path: '/minimal.html', ms: [], apiRequests: [] },
    { name: 'Regarding pane, warm open', path: '/taskpane.html?view=regarding', ms: [], apiRequests: [] },
    ...(BASELINE
      ? [
          {
            name: `pane of ${BASELINE}, warm open`,
            path: '/demo-taskpane.html?view=regarding',
            ms: [],
            apiRequests: [],
          },
        ]
      : []),
  ];
  await browser.context.addInitScript(
    watchRendered({
      '/minimal.html': { selector: 'button', text: 'OK' },
      '/taskpane.html': suggested,
      '/demo-taskpane.html': suggested,
    }),
  );
  let cold: number;
  try {
    const item = {
      id: 'm',
      type: 'message' as const,
      mode: 'read' as const,
      subject: 'Hi',
      internetMessageId: '<bench@x>',
      from: { email: 'client@example.org' },
      to: [{ email: advisor.record.email }],
    };
    const first = await openPane(
      browser.context,
      server.url,
      { user: { email: advisor.record.email }, token: advisor.token, selected: 'm', items: [item] },
      'view=regarding',
      { page: await withOfficeJs(browser.context) },
    );
    cold = await first.evaluate(() => (window as unknown as { __rendered: Promise<number> }).__rendered);
    await first.close();
    for (const page of pages.slice(1)) await timeOpen(browser.context, `${server.url}${page.path}`);
    await timeOpen(browser.context, `${server.url}/minimal.html`);
    // Alternating rounds: each round opens every page once, in an order rotated from round to round, so a page
    // never always follows the same one and the machine's load falls on all of them alike.
    for (let round = 0; round < RUNS + WARM_UPS; round++) {
      const order = pages.map((_, i) => pages[(i + round) % pages.length]);
      for (const page of order) {
        const { ms, apiRequests } = await timeOpen(browser.context, `${server.url}${page.path}`);
        if (round < WARM_UPS) continue; // the first rounds warm the server's caches
        page.ms.push(ms);
        page.apiRequests.push(apiRequests);
      }
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [minimalApp, ...panes] = pages;
  const median = (page: Timed) => percentile(page.ms, 50);
  const paired = (page: Timed, other: Timed) => page.ms.map((ms, round) => ms / other.ms[round]);
  return [
    `Bundles built in the same run by webpack (production, esbuild-loader), initial JavaScript only (MSAL loads on demand when Entra ID sign-in is configured):`,
    '',
    '| bundle | raw KB | gzip KB |',
    '| --- | ---: | ---: |',
    `| minimal React + Fluent UI v9 app (bench/minimal-app.tsx) | ${sizes.minimalRaw.toFixed(0)} | ${sizes.minimalGzip.toFixed(1)} |`,
    `| Regarding task pane | ${sizes.paneRaw.toFixed(0)} | ${sizes.paneGzip.toFixed(1)} |`,
    `| ratio (target ≤ 1.2×) | | **${ratio.toFixed(2)}×** |`,
    '',
    `Navigation start to rendered (the element laid out and painted: the pane's Suggested list showing its suggestion, the minimal app's button), headless Chromium with its HTTP cache, each page opened before, one server on loopback (HTTP), ${RUNS} alternating rounds after ${WARM_UPS} warm-ups, ms:`,
    '',
    '| page | min | median | p90 | max | API requests per open |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...pages.map((page) => `| ${page.name} | ${stats(page.ms)} | ${[...new Set(page.apiRequests)].join(', ')} |`),
    ...panes.map(
      (page) =>
        `| ratio ${page.name} / minimal app (medians) | | **${(median(page) / median(minimalApp)).toFixed(2)}×** | | | |`,
    ),
    '',
    // The same comparisons round by round (each round's pages opened one after the other), less swayed by the load.
    ...panes.map(
      (page) =>
        `Round by round, ${page.name} / minimal app: median ${percentile(paired(page, minimalApp), 50).toFixed(2)}×.`,
    ),
    ...(panes.length > 1
      ? [
          `Round by round, ${panes[0].name} / ${panes[1].name}: median ${percentile(paired(panes[0], panes[1]), 50).toFixed(2)}×, faster in ${paired(panes[0], panes[1]).filter((r) => r < 1).length} of ${RUNS} rounds.`,
        ]
      : []),
    '',
    `Target: pane warm open < 150 ms. Cold open (the first, files not cached): ${cold.toFixed(0)} ms.`,
  ].join('\n');
}
