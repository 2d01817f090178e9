import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertNoAdminEditors, axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import type { TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: exception rules, holidays and the advisor’s time zone in My Work (issue 14)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];

  beforeEach(() => {
    ({ server, browser } = suite);
  });

  const myWork = (who: Advisor) =>
    openPane(
      browser.context,
      server.url,
      { user: { email: who.record.email, name: who.record.displayName }, token: who.token, items: [] },
      'view=work',
    );

  const fitsIn320 = async (page: Page) => {
    await page.setViewportSize({ width: 320, height: 720 });
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      'nothing scrolls sideways at 320 px',
    );
  };

  it('an admin changes a threshold and switches a rule off, refused values shown at the field, and adds and removes a holiday', async () => {
    const admin = await server.advisor('Ada Admin', 'admin');
    const page = await myWork(admin);
    const rules = page.getByRole('form', { name: 'Exception rules' });
    const untouchedDays = rules.getByRole('spinbutton', { name: 'Untouched: business days' });
    await untouchedDays.waitFor();
    assert.equal(await untouchedDays.inputValue(), '1');

    await untouchedDays.fill('0');
    await rules.getByRole('button', { name: 'Save exception rules' }).click();
    await rules.locator('[aria-invalid="true"]').and(untouchedDays).waitFor();
    assert.equal((await admin.api.get('/api/v1/exception-rules')).body.untouched.businessDays, 1, 'not saved');

    await untouchedDays.fill('2');
    await rules.getByRole('checkbox', { name: /^No next step rule on/ }).uncheck();
    await rules.getByRole('button', { name: 'Save exception rules' }).click();
    await page.getByText('Exception rules saved.').waitFor();
    const saved = (await admin.api.get('/api/v1/exception-rules')).body;
    assert.deepEqual([saved.untouched, saved.noNextStep], [{ on: true, businessDays: 2 }, { on: false }]);

    const add = page.getByRole('form', { name: 'Add a holiday' });
    await add.getByLabel('Holiday date').fill('2026-12-25');
    await add.getByRole('textbox', { name: 'Holiday name' }).fill('Christmas Day');
    await add.getByRole('button', { name: 'Add holiday' }).click();
    await page.getByRole('list', { name: 'Holidays' }).getByText('Dec 25, 2026: Christmas Day').waitFor();
    assert.deepEqual((await admin.api.get('/api/v1/holidays?year=2026')).body, [
      { date: '2026-12-25', name: 'Christmas Day' },
    ]);

    await add.getByLabel('Holiday date').fill('2026-12-25');
    await add.getByRole('textbox', { name: 'Holiday name' }).fill('Xmas');
    await add.getByRole('button', { name: 'Add holiday' }).click();
    await add.getByText('This date is a holiday already').waitFor();

    assert.deepEqual(await axeViolations(page), [], 'the editors are accessible');
    await fitsIn320(page);

    await page.getByRole('button', { name: 'Remove Christmas Day' }).click();
    await page.getByText('Removed “Christmas Day”.').waitFor();
    assert.deepEqual((await admin.api.get('/api/v1/holidays')).body, []);
  });

  it("an advisor adopts the browser's time zone in one click, or picks another; no admin editors for them", async () => {
    const advisor = await server.advisor('Alex Morgan');
    await advisor.api.patch('/api/v1/me/preferences', { timeZone: 'Pacific/Chatham' });
    const page = await myWork(advisor);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setTimezoneOverride', { timezoneId: 'Europe/Paris' });
    await page.reload();

    const section = page.getByRole('region', { name: 'Time zone' });
    await section.getByText('Your business days and dates are counted in Pacific/Chatham', { exact: false }).waitFor();
    await section.getByRole('button', { name: 'Use Europe/Paris' }).click();
    await section.getByText('Your time zone is Europe/Paris.').waitFor();
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'Europe/Paris');
    assert.equal(await section.getByRole('button', { name: /^Use / }).count(), 0, 'no offer once they agree');

    const pick = section.getByRole('combobox', { name: 'Another time zone' });
    await pick.pressSequentially('Auckland');
    await page.getByRole('option', { name: 'Pacific/Auckland' }).click();
    await section.getByText('Your time zone is Pacific/Auckland.').waitFor();
    assert.equal((await advisor.api.get('/api/v1/me')).body.timeZone, 'Pacific/Auckland');
    await section.getByRole('button', { name: 'Use Europe/Paris' }).waitFor();

    await assertNoAdminEditors(page, ['Exception rules', 'Holidays']);
    assert.deepEqual(await axeViolations(page), [], 'the setting is accessible');
    await fitsIn320(page);
  });
});
