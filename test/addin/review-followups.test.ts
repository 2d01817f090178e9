import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe("task pane: follow-ups to issue 13's review", function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let alex: Advisor;

  beforeEach(async () => {
    ({ server, browser } = suite);
    // The pane reads the browser's clock: the service's agrees unless a test moves it.
    server.clock.set(new Date());
    alex = await server.advisor('Alex Morgan');
  });

  const paneFor = (advisor: Advisor) =>
    openPane(
      browser.context,
      server.url,
      { user: { email: advisor.record.email, name: advisor.record.displayName }, token: advisor.token, items: [] },
      'view=work',
    );
  const create = async (advisor: Advisor, body: Record<string, unknown>) => {
    const res = await advisor.api.post('/api/v1/opportunities', body);
    assert.equal(res.status, 201);
    return res.body.opportunity.id as number;
  };
  const won = async (advisor: Advisor, topic: string, customerEmail: string) => {
    const id = await create(advisor, referral(topic, customerEmail, { stage: 'propose' }));
    assert.equal((await advisor.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
  };
  const count = (sql: string, ...params: unknown[]) =>
    server.db
      .prepare(sql)
      .pluck()
      .get(...params) as number;
  const openFromMyWork = async (page: Page, topic: string) => {
    await page
      .getByRole('button', { name: `Open “${topic}”` })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  };
  /** A datetime-local value `minutes` from now, in the local time zone (the browser runs in this one's). */
  const localIn = (minutes: number) => {
    const d = new Date(Date.now() + minutes * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  it('Add a task on a My Work card opens the opportunity with the task form showing', async () => {
    await create(alex, referral('Retirement rollover', 'rory@client.example'));
    const page = await paneFor(alex);
    await page.getByRole('button', { name: 'Add a task on “Retirement rollover”' }).first().click();
    const task = page.getByRole('form', { name: 'Add a task' });
    await task.getByRole('textbox', { name: 'Subject' }).fill('Send the transfer forms');
    await task.getByRole('button', { name: 'Add task' }).click();
    await page.getByText('Task added.').waitFor();
    await page.getByRole('heading', { name: 'Retirement rollover' }).waitFor();
    assert.equal(count("SELECT count(*) FROM activities WHERE kind = 'task' AND status = 'open'"), 1);
  });

  it("a manager's Closed view switches between Mine and My team", async () => {
    const casey = await server.advisor('Casey Rivera', 'manager');
    await server.repo.teams.create('Desk', [alex.record.id, casey.record.id], null);
    await won(alex, 'Alex won deal', 'pat@client.example');
    await won(casey, 'Casey won deal', 'sam@client.example');
    const page = await paneFor(casey);
    await page.getByRole('tablist', { name: 'Whose work' }).getByRole('tab', { name: 'Closed' }).click();
    const whose = page.getByRole('tablist', { name: 'Whose closed opportunities' });
    assert.equal(await whose.getByRole('tab', { name: 'My team' }).getAttribute('aria-selected'), 'true');
    await page.getByRole('heading', { name: 'Team closed opportunities (2)' }).waitFor();
    await page.getByRole('group', { name: 'Alex won deal' }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the Closed view with its toggle is accessible');

    await whose.getByRole('tab', { name: 'Mine' }).click();
    await page.getByRole('heading', { name: 'My Closed Opportunities (1)' }).waitFor();
    await page.getByRole('group', { name: 'Casey won deal' }).waitFor();
    assert.equal(await page.getByRole('group', { name: 'Alex won deal' }).count(), 0, 'only mine');
  });

  it('the Closed view pages with Show more, the heading saying + while there are more', async () => {
    for (let i = 1; i <= 51; i++) await won(alex, `Won deal ${i}`, `client${i}@client.example`);
    const page = await paneFor(alex);
    await page.getByRole('tab', { name: 'Closed' }).click();
    await page.getByRole('heading', { name: 'My Closed Opportunities (50+)' }).waitFor();
    await page.getByRole('button', { name: 'Show more' }).click();
    await page.getByRole('heading', { name: 'My Closed Opportunities (51)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Open “Won deal/ }).count(), 51, 'each one once');
    assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0, 'no more to show');
  });

  it('Schedule next step again does not duplicate my next-step task, says it is scheduled and opens Outlook', async () => {
    await create(alex, referral('Retirement rollover', 'rory@client.example'));
    const page = await paneFor(alex);
    await openFromMyWork(page, 'Retirement rollover');
    const schedule = page.getByRole('button', { name: 'Schedule next step' });
    await schedule.click();
    await page.getByText('Next step recorded as a task.', { exact: false }).waitFor();
    await schedule.click();
    await page
      .getByText(
        'Your next step “Retirement rollover: next step” is already scheduled. Outlook opened a new appointment',
        {
          exact: false,
        },
      )
      .waitFor();
    assert.equal(count("SELECT count(*) FROM activities WHERE kind = 'task' AND scheduled_next_step = 1"), 1);
    const forms = (await page.evaluate(() => window.__outlook.log())).filter(
      (entry) => entry.method === 'displayNewAppointmentForm',
    );
    assert.equal(forms.length, 2, "Outlook's appointment form opens each time");
  });

  it("a service refusal of the call's date and time shows at the Date and time field", async () => {
    await create(alex, referral('Retirement rollover', 'rory@client.example'));
    // The service's clock is two hours behind the browser's: a call half an hour ago is, for it, still to come.
    server.clock.set(new Date(Date.now() - 2 * 3_600_000));
    const page = await paneFor(alex);
    await page.getByRole('button', { name: 'Log a call on “Retirement rollover”' }).first().click();
    const call = page.getByRole('form', { name: 'Log a call' });
    await call.getByRole('textbox', { name: 'Subject' }).fill('Talked through the rollover');
    await call.getByLabel('Date and time').fill(localIn(-30));
    await call.getByRole('button', { name: 'Log call' }).click();
    await call.getByLabel('Date and time').and(page.locator('[aria-invalid="true"]')).waitFor();
    const described = await call.getByLabel('Date and time').getAttribute('aria-describedby');
    const message = await page.locator(`[id="${described!.split(' ').pop()}"]`).textContent();
    assert.match(message!, /A call can be marked completed only once it has happened/);
    assert.equal(count('SELECT count(*) FROM activities'), 0);
    assert.deepEqual(await axeViolations(page), [], 'the form with the service refusal is accessible');
  });

  it('Complete on a call still to come says when it is planned and what to do, in words', async () => {
    const id = await create(alex, referral('Retirement rollover', 'rory@client.example'));
    const res = await alex.api.post('/api/v1/activities', {
      kind: 'phone_call',
      opportunityId: id,
      status: 'open',
      subject: 'Review the rollover',
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    assert.equal(res.status, 201);
    const page = await paneFor(alex);
    await openFromMyWork(page, 'Retirement rollover');
    const actions = page.getByRole('group', { name: 'Review the rollover: actions' });
    await actions.getByRole('button', { name: 'Complete call' }).click();
    const notice = page.getByText('“Review the rollover” is planned for', { exact: false });
    await notice.waitFor();
    const text = (await notice.textContent())!;
    assert.match(text, /cannot be completed yet/);
    assert.match(text, /If it already took place, edit its date and time first\./);
    assert.doesNotMatch(text, /Status:/, 'no field name where no field is shown');
    assert.equal(count("SELECT count(*) FROM activities WHERE status = 'open'"), 1, 'still open');
  });

  it("a call on an organization's opportunity can be with any contact, found by search", async () => {
    const organization = await alex.api.post('/api/v1/organizations', { name: 'Harbor Wealth' });
    assert.equal(organization.status, 201);
    const jordan = await alex.api.post('/api/v1/contacts', { name: 'Jordan Lee', email: 'jordan.lee@harbor.example' });
    assert.equal(jordan.status, 201);
    await create(alex, { topic: 'Retiree income', customer: { organizationId: organization.body.id } });
    const page = await paneFor(alex);
    await page.getByRole('button', { name: 'Log a call on “Retiree income”' }).first().click();
    const call = page.getByRole('form', { name: 'Log a call' });
    const contact = call.getByRole('combobox', { name: 'Contact' });
    assert.equal(await contact.inputValue(), '', 'no customer contact: none by default');
    await call.getByRole('searchbox', { name: 'Another contact' }).fill('jord');
    await call.getByRole('button', { name: /^Choose Jordan Lee/ }).click();
    assert.equal(await contact.inputValue(), String(jordan.body.id), 'the found contact is chosen');
    assert.deepEqual(await axeViolations(page), [], 'the call form with its contact search is accessible');
    await call.getByRole('textbox', { name: 'Subject' }).fill('Introduced the plan');
    await call.getByRole('button', { name: 'Log call' }).click();
    await page.getByText('Call logged.').waitFor();
    await page.getByText('with Jordan Lee', { exact: false }).waitFor();
    assert.equal(count("SELECT contact_id FROM activities WHERE kind = 'phone_call'"), jordan.body.id);
  });
});
