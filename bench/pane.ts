/**
 * Pane benchmark: the initial JavaScript of the task pane (gzipped) against a minimal React + Fluent
 * app built in the same run with the same settings, and the pane's warm open: the time from navigation to the
 * Set Regarding lookup showing its suggestions, in headless Chromium with its HTTP cache, against a local server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import webpack from 'webpack';
import { DIST_ADDIN, launchBrowser, openPane, withOfficeJs } from '../test/helpers/browser';
import { referral, startTestServer } from '../test/helpers/test-server';

const ROOT = path.resolve(import.meta.dirname, '..');
// The pane's own build rule for TypeScript (esbuild, then Griffel's build-time styles), so both bundles are built alike.
const { scriptRule } = await import('../webpack.config.mjs');
const RUNS = Number(process.env.BENCH_PANE_RUNS ?? 15);

function build(entry: string, outDir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    webpack(
      {
        mode: 'production',
        context: ROOT,
        entry: { main: entry },
        output: { path: outDir, filename: '[name].js', chunkFilename: '[name].chunk.js' },
        resolve: { extensions: ['.tsx', '.ts', '.js'] },
        module: { rules: [scriptRule] },
        performance: { hints: false },
      },
      (error, stats) => {
        if (error || stats?.hasErrors()) return reject(error ?? new Error(stats!.toString('errors-only')));
        const initial = [...stats!.compilation.entrypoints.get('main')!.getFiles()].filter((f) => f.endsWith('.js'));
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

export async function runPaneBenchmark(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-pane-bench-'));
  const pane = await build('./addin/index.tsx', path.join(dir, 'pane'));
  const minimal = await build('./bench/minimal-app.tsx', path.join(dir, 'minimal'));
  const sizes = {
    paneRaw: rawKb(pane),
    paneGzip: gzipKb(pane),
    minimalRaw: rawKb(minimal),
    minimalGzip: gzipKb(minimal),
  };
  const ratio = sizes.paneGzip / sizes.minimalGzip;

  const server = await startTestServer({}, { addinDir: DIST_ADDIN });
  const advisor = await server.advisor('Bench Advisor');
  await advisor.api.post('/api/v1/opportunities', referral('Retirement rollover', 'client@example.org'));
  // The browser keeps its HTTP cache (office.js replaced without routing, which would turn the cache off): after the
  // first open, the pane's files come from the cache, as in Outlook once the pane has been opened before.
  const browser = await launchBrowser({ httpCache: true });
  const timings: number[] = [];
  const apiRequests: number[] = [];
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
    await first.getByRole('option', { name: /Retirement rollover/ }).waitFor();
    cold = await first.evaluate(() => performance.now());
    await first.close();
    for (let run = 0; run < RUNS + 2; run++) {
      const page = await withOfficeJs(browser.context);
      let asked = 0;
      page.on('request', (request) => void (request.url().includes('/api/') && asked++));
      await page.goto(`${server.url}/taskpane.html?view=regarding`);
      await page.getByRole('option', { name: /Retirement rollover/ }).waitFor();
      const ms = await page.evaluate(() => performance.now());
      if (run >= 2) {
        timings.push(ms); // the first two warm the server's caches
        apiRequests.push(asked);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return [
    `Bundles built in the same run by webpack (production, esbuild-loader), initial JavaScript only (MSAL loads on demand when Entra ID sign-in is configured):`,
    '',
    '| bundle | raw KB | gzip KB |',
    '| --- | ---: | ---: |',
    `| minimal React + Fluent UI v9 app (bench/minimal-app.tsx) | ${sizes.minimalRaw.toFixed(0)} | ${sizes.minimalGzip.toFixed(1)} |`,
    `| Regarding task pane | ${sizes.paneRaw.toFixed(0)} | ${sizes.paneGzip.toFixed(1)} |`,
    `| ratio (target ≤ 1.3×) | | **${ratio.toFixed(2)}×** |`,
    '',
    `Warm open: navigation start to the Suggested list rendered (the Set Regarding lookup showing its suggestion), headless Chromium with its HTTP cache, the pane opened once before, server on loopback (HTTP), ${RUNS} runs after 2 warm-ups: median **${percentile(timings, 50).toFixed(0)} ms**, p90 ${percentile(timings, 90).toFixed(0)} ms, min ${Math.min(...timings).toFixed(0)} ms, max ${Math.max(...timings).toFixed(0)} ms (target < 150 ms); API requests per open: ${[...new Set(apiRequests)].join(', ')} (the pane context). Cold open (the first, files not cached): ${cold.toFixed(0)} ms.`,
  ].join('\n');
}
