import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: customers found before created, and Referred by (issue 13, points 1 and 2)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let alex: Advisor;
  let margaret: number;
  let carla: number;

  beforeEach(async () => {
    ({ server, browser } = suite);
    alex = await server.advisor('Alex Morgan');
    await server.advisor('Blake Chen');
    margaret = (
      await alex.api.post('/api/v1/contacts', {
        name: 'Margaret Olsen',
        email: 'maggie@gmail.com',
        phone: '+1 (555) 013-4567',
      })
    ).body.id;
    carla = (await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' })).body.id;
    await alex.api.post('/api/v1/organizations', { name: 'Summit Logistics', domain: 'summitlogistics.example' });
  });

  const count = (sql: string) => server.db.prepare(sql).pluck().get() as number;
  const row = (sql: string) => server.db.prepare(sql).get() as Record<string, number | null>;

  /** My Work with no item open, then its New opportunity button. */
  async function newFromMyWork(): Promise<Page> {
    const page = await openPane(
      browser.context,
      server.url,
      { user: { email: alex.record.email, name: alex.record.displayName }, token: alex.token, items: [] },
      'view=work',
    );
    await page.getByRole('button', { name: 'New opportunity' }).click();
    await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
    return page;
  }

  async function changeReferrerToCarla(page: Page) {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('radio', { name: 'Another advisor or contact…' }).check();
    await page.getByRole('searchbox', { name: 'Referring contact' }).fill('carla');
    await page.getByRole('button', { name: /^Choose Carla Client/ }).click();
    await page.getByRole('radio', { name: 'Carla Client' }).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('definition').filter({ hasText: 'Carla Client' }).waitFor();
  }

  it('from My Work with no item: a referral for an existing contact found by name, no new contact; the referrer set to me, then changed to a client', async () => {
    const page = await newFromMyWork();
    await page.getByRole('searchbox', { name: 'Find the potential customer' }).fill('olsen');
    await page.getByRole('button', { name: /^Choose Margaret Olsen/ }).click();
    await page.getByText('Potential customer: Margaret Olsen').waitFor();
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill('IRA rollover for Margaret');
    await page.getByRole('radio', { name: 'Me (Alex Morgan)' }).check();
    assert.deepEqual(await axeViolations(page), [], 'the form with customer search and Referred by is accessible');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'IRA rollover for Margaret' }).waitFor();

    assert.equal(count('SELECT count(*) FROM contacts'), 2, 'no new contact was created');
    const created = row(
      'SELECT id, customer_contact_id, referred_by_advisor_id, referred_by_contact_id FROM opportunities',
    );
    assert.equal(created.customer_contact_id, margaret);
    assert.equal(created.referred_by_advisor_id, alex.record.id);
    const detail = await alex.api.get(`/api/v1/opportunities/${created.id}`);
    assert.equal(detail.body.opportunity.referredBy.name, 'Alex Morgan');
    await page.getByRole('definition').filter({ hasText: 'Alex Morgan' }).first().waitFor();

    await changeReferrerToCarla(page);
    const changed = row('SELECT referred_by_advisor_id, referred_by_contact_id FROM opportunities');
    assert.deepEqual(changed, { referred_by_advisor_id: null, referred_by_contact_id: carla });
    assert.equal(count('SELECT count(*) FROM contacts'), 2, 'the referrer was found, not created');
  });

  it('from My Work with no item: a referral for an organization found by name, shown with its referrer on My Work', async () => {
    const page = await newFromMyWork();
    await page.getByRole('searchbox', { name: 'Find the potential customer' }).fill('summ');
    await page.getByRole('button', { name: /^Choose organization Summit Logistics/ }).click();
    await page.getByText('Potential customer: Summit Logistics (organization)').waitFor();
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill('Group 401(k) for Summit');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Group 401(k) for Summit' }).waitFor();

    const created = row(
      'SELECT customer_contact_id, customer_organization_id, referred_by_contact_id FROM opportunities',
    );
    assert.equal(created.customer_contact_id, null);
    assert.equal(
      created.customer_organization_id,
      count("SELECT id FROM organizations WHERE name = 'Summit Logistics'"),
    );
    assert.equal(created.referred_by_contact_id, null);
    assert.equal(count('SELECT count(*) FROM contacts'), 2);

    await changeReferrerToCarla(page);
    assert.equal(row('SELECT referred_by_contact_id FROM opportunities').referred_by_contact_id, carla);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('tab', { name: 'My Work' }).click();
    const card = page.getByRole('group', { name: 'Group 401(k) for Summit' }).first();
    await card.getByText(/referred by Carla Client/).waitFor();
  });

  it('a typed name that matches existing contacts shows them before a new contact is made', async () => {
    const page = await newFromMyWork();
    await page.getByRole('searchbox', { name: 'Find the potential customer' }).fill('nobody here');
    await page.getByText('No contact or organization matches “nobody here”.').waitFor();
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByRole('textbox', { name: "New contact's name" }).fill('Margaret');
    const existing = page.getByRole('list', { name: 'Existing contacts with this name' });
    await existing.getByRole('button', { name: /^Choose Margaret Olsen/ }).click();
    await page.getByText('Potential customer: Margaret Olsen').waitFor();
  });
  it("a new contact's email and a new organization's domain are checked, each message next to its field, nothing saved", async () => {
    const page = await newFromMyWork();
    const search = page.getByRole('searchbox', { name: 'Find the potential customer' });
    await search.fill('zed quist');
    await page.getByText('No contact or organization matches “zed quist”.').waitFor();
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('zed-at-nowhere');
    await page.getByRole('button', { name: /^Use new contact/ }).click();
    await page.getByRole('textbox', { name: 'Email' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await page.getByText('Enter an email address like name@example.com').waitFor();

    await search.fill('zeta holdings');
    await page.getByText('No contact or organization matches “zeta holdings”.').waitFor();
    await page.getByRole('button', { name: 'New organization' }).click();
    await page.getByRole('textbox', { name: "New organization's name" }).fill('Zeta Holdings');
    await page.getByRole('textbox', { name: 'Email domain' }).fill('yahoo.fr');
    await page.getByRole('button', { name: /^Create organization/ }).click();
    await page.getByRole('textbox', { name: 'Email domain' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the messages are accessible');
    const organizations = server.db.prepare("SELECT count(*) FROM organizations WHERE name = 'Zeta Holdings'").pluck();
    assert.equal(organizations.get(), 0);
  });
  it('a search that fails says so, and offers no new contact as if nothing matched', async () => {
    const page = await newFromMyWork();
    // The network fails (the service is unreachable), not the service's rules.
    await page.route('**/api/v1/contacts?**', (route) => route.abort('connectionrefused'));
    await page.getByRole('searchbox', { name: 'Find the potential customer' }).fill('margaret');
    await page.getByText('Could not search:', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'New contact' }).count(), 0);
    assert.equal(await page.getByText('No contact or organization matches', { exact: false }).count(), 0);
  });
});
