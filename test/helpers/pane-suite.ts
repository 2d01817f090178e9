import { DIST_ADDIN, launchBrowser } from './browser';
import { startTestServer, type TestServer } from './test-server';

export interface PaneSuite {
  /** This test's server, serving the built pane (fresh for each test). */
  server: TestServer;
  /** The file's headless Chromium (one per file). */
  browser: Awaited<ReturnType<typeof launchBrowser>>;
}

/**
 * The hooks every pane test file needs: one browser per file, a fresh server per test, and every page
 * closed after each test. Call it first in a describe, so its hooks run before the file's own.
 */
export function paneSuite(): PaneSuite {
  const suite = {} as PaneSuite;
  before(async () => {
    suite.browser = await launchBrowser();
  });
  after(() => suite.browser.close());
  beforeEach(async () => {
    suite.server = await startTestServer({}, { addinDir: DIST_ADDIN });
  });
  afterEach(async () => {
    for (const page of suite.browser.context.pages()) await page.close();
    await suite.server.close();
  });
  return suite;
}
