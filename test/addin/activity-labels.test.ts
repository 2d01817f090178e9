import assert from 'node:assert/strict';
import { assertNoAdminEditors, axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: the admin edits the categories and outcomes of calls and tasks (issue 13, point 2)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let admin: Advisor;
  let alex: Advisor;

  beforeEach(async () => {
    ({ server, browser } = suite);
    admin = await server.advisor('Ada Admin', 'admin');
    alex = await server.advisor('Alex Morgan');
    await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', 'rory@client.example'));
  });

  const myWork = (who: Advisor) =>
    openPane(
      browser.context,
      server.url,
      { user: { email: who.record.email, name: who.record.displayName }, token: who.token, items: [] },
      'view=work',
    );
  const names = async (kind: string) =>
    ((await alex.api.get('/api/v1/activity-labels')).body as { kind: string; name: string; retired: boolean }[])
      .filter((label) => label.kind === kind && !label.retired)
      .map((label) => label.name);

  it('adds, renames and retires a category in My Work, with a duplicate refused next to its field; advisors are offered the result', async () => {
    const page = await myWork(admin);
    const categories = page.getByRole('list', { name: 'Categories' });
    await categories.getByText('Referral given', { exact: true }).waitFor();

    await page.getByRole('textbox', { name: 'New category' }).fill('Annual review');
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByText('Added “Annual review”.').waitFor();
    await categories.getByText('Annual review', { exact: true }).waitFor();

    await page.getByRole('textbox', { name: 'New category' }).fill('annual review');
    await page.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('textbox', { name: 'New category' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.equal((await names('category')).filter((n) => n.toLowerCase() === 'annual review').length, 1);

    await page.getByRole('button', { name: 'Rename Annual review' }).click();
    await page.getByRole('textbox', { name: 'New name for Annual review' }).fill('Annual portfolio review');
    await page.getByRole('button', { name: 'Save name' }).click();
    await categories.getByText('Annual portfolio review', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Retire Referral given' }).click();
    await page.getByRole('button', { name: 'Restore Referral given' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the editor is accessible');

    const categoriesNow = await names('category');
    assert.ok(categoriesNow.includes('Annual portfolio review'));
    assert.ok(!categoriesNow.includes('Referral given'), 'retired on the service');

    // An advisor's call form offers the new name and no longer the retired one.
    const advisorPage = await myWork(alex);
    await assertNoAdminEditors(advisorPage, ['Call and task categories']);
    await advisorPage.getByRole('button', { name: 'Log a call on “Retirement rollover”' }).first().click();
    const category = advisorPage.getByRole('form', { name: 'Log a call' }).getByRole('combobox', { name: 'Category' });
    await category.locator('option', { hasText: 'Annual portfolio review' }).waitFor({ state: 'attached' });
    assert.equal(await category.locator('option', { hasText: 'Referral given' }).count(), 0);
  });
});
