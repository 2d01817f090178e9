import assert from 'node:assert/strict';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import type { TestServer } from '../helpers/test-server';

describe('task pane: the daily digest switch in My Work', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];

  beforeEach(() => {
    ({ server, browser } = suite);
  });

  it('"Email me a daily digest" shows the preference, and turning it off and on again is kept on the service', async () => {
    const alex = await server.advisor('Alex Morgan');
    const page = await openPane(
      browser.context,
      server.url,
      { user: { email: alex.record.email, name: alex.record.displayName }, token: alex.token, items: [] },
      'view=work',
    );
    const toggle = page.getByRole('switch', { name: 'Email me a daily digest' });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true, 'on until the advisor opts out');
    assert.deepEqual(await axeViolations(page), [], 'My Work with the switch is accessible');

    await toggle.click();
    await page.getByText('No more daily digest by email.').waitFor();
    assert.equal((await alex.api.get('/api/v1/me')).body.digestOptOut, true);

    await toggle.click();
    await page.getByText('You will get a daily digest by email.').waitFor();
    assert.equal((await alex.api.get('/api/v1/me')).body.digestOptOut, false);
  });
});
