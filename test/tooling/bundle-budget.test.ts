import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

// The built pane (npm test builds it before mocha runs).
const DIST = path.resolve(import.meta.dirname, '../../dist/addin');

/**
 * The minimal React + Fluent UI v9 app (bench/minimal-app.tsx), gzip level 9, in bytes. Measured 2026-11-23 by
 * building it as bench/pane.ts does (webpack production with webpack.config.mjs's scriptRule:
 * `npm run build && npx tsx bench/run.ts pane` reports it as 63.7 KB): 65,194 bytes. Building it here would
 * add half a minute to every test run on two cores; measure again when Fluent, React or the rule changes.
 */
const MINIMAL_APP_GZIP = 65_194;
/** Issue 15: the pane's initial JavaScript at most 1.2× the minimal app's. */
const BUDGET = 1.2;

/** The scripts taskpane.html loads itself (not Office.js, from Microsoft's CDN), as files in dist/addin. */
function initialScripts(): string[] {
  const html = fs.readFileSync(path.join(DIST, 'taskpane.html'), 'utf8');
  const sources = [...html.matchAll(/<script\b[^>]*\bsrc=["']?([^"'\s>]+)/g)].map((match) => match[1]);
  return sources.filter((src) => !/^https?:/.test(src)).map((src) => path.join(DIST, src.replace(/^\//, '')));
}

const gzipSize = (file: string) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

/** The source files webpack bundled into a script (from its source map). */
const bundledSources = (file: string): string[] =>
  (JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;

describe('the task pane bundle (issue 15)', () => {
  it('keeps the initial JavaScript of taskpane.html within 1.2× the minimal Fluent app', () => {
    const scripts = initialScripts();
    assert.ok(scripts.length > 0, 'taskpane.html loads the pane');
    const bytes = scripts.reduce((sum, file) => sum + gzipSize(file), 0);
    const ratio = bytes / MINIMAL_APP_GZIP;
    assert.ok(
      ratio <= BUDGET,
      `initial JavaScript ${bytes} bytes gzip = ${ratio.toFixed(3)}× the minimal app (${MINIMAL_APP_GZIP}), budget ${BUDGET}×; ` +
        `files: ${scripts.map((file) => path.basename(file)).join(', ')}`,
    );
  });

  it("loads Fluent's provider, Button, Text and colour table only with the views that use them", () => {
    const initial = initialScripts().flatMap(bundledSources);
    assert.ok(
      initial.some((source) => source.includes('addin/regarding/SetRegarding.tsx')),
      'the first view is in the initial JavaScript',
    );
    for (const lazyOnly of [
      '@fluentui/react-provider/',
      '@fluentui/react-button/',
      '@fluentui/react-text/',
      'keyborg/',
      // The light theme ships as its values (addin/ui/light-theme.ts), not computed from Fluent's colour table.
      '@fluentui/tokens/',
      'addin/work/MyWork.tsx',
      'addin/opportunities/OpportunityView.tsx',
      'addin/regarding/DraftChoice.tsx',
    ]) {
      assert.ok(!initial.some((source) => source.includes(lazyOnly)), `${lazyOnly} is not in the initial JavaScript`);
    }
  });

  it('ships no zod (the contract schemas stay on the server) in any of the pane’s scripts', () => {
    const scripts = fs
      .readdirSync(DIST)
      .filter((file) => file.endsWith('.js') && fs.existsSync(path.join(DIST, `${file}.map`)));
    assert.ok(scripts.length > 1, 'the pane and its chunks are built');
    for (const script of scripts) {
      const zod = bundledSources(path.join(DIST, script)).filter((source) => source.includes('node_modules/zod/'));
      assert.deepEqual(zod, [], `${script} bundles zod`);
    }
  });
});
