import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: phone calls, tasks and the next step (issue 13, point 2)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let alex: Advisor;

  beforeEach(async () => {
    ({ server, browser } = suite);
    // The pane reads the browser's clock: the service's must agree for "completed only if it happened".
    server.clock.set(new Date());
    alex = await server.advisor('Alex Morgan');
    await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', 'rory@client.example'));
  });

  const pane = (items: ItemSpec[] = [], selected?: string, view = 'view=work') =>
    openPane(
      browser.context,
      server.url,
      { user: { email: alex.record.email, name: alex.record.displayName }, token: alex.token, items, selected },
      view,
    );
  const row = (sql: string) => server.db.prepare(sql).get() as Record<string, unknown>;
  const openFromMyWork = async (page: Page) => {
    await page.getByRole('button', { name: 'Open “Retirement rollover”' }).first().click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  };
  /** A datetime-local value `minutes` from now, in the local time zone (the browser runs in this one's). */
  const localIn = (minutes: number) => {
    const d = new Date(Date.now() + minutes * 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  it('logs a completed phone call and an open task from the opportunity, then completes the task', async () => {
    const page = await pane();
    // From My Work's card: the opportunity opens with the call form showing.
    await page.getByRole('button', { name: 'Log a call on “Retirement rollover”' }).first().click();
    const call = page.getByRole('form', { name: 'Log a call' });
    await call.getByRole('combobox', { name: 'Contact' }).waitFor();
    assert.equal(
      await call.getByRole('combobox', { name: 'Contact' }).inputValue(),
      String(row('SELECT customer_contact_id AS id FROM opportunities').id),
      "the opportunity's customer contact by default",
    );
    // Every field is checked, with the message next to it.
    await call.getByRole('button', { name: 'Log call' }).click();
    await call.getByRole('textbox', { name: 'Subject' }).and(page.locator('[aria-invalid="true"]')).waitFor();
    await call.getByText('Give it a subject').waitFor();
    await call.getByRole('textbox', { name: 'Subject' }).fill('Talked through the rollover');
    await call.getByLabel('Date and time').fill(localIn(60 * 24));
    await call.getByRole('spinbutton', { name: 'Duration (minutes)' }).fill('-3');
    await call.getByRole('button', { name: 'Log call' }).click();
    await call.getByText('Whole minutes, from 0 to 1440').waitFor();
    await call.getByText('A call can be marked completed only once it has happened', { exact: false }).waitFor();
    assert.equal(row('SELECT count(*) AS n FROM activities').n, 0, 'nothing is saved while a field is wrong');
    assert.deepEqual(await axeViolations(page), [], 'the call form with its messages is accessible');

    await call.getByLabel('Date and time').fill(localIn(-30));
    await call.getByRole('spinbutton', { name: 'Duration (minutes)' }).fill('15');
    await call.getByRole('combobox', { name: 'Category' }).selectOption({ label: 'Follow-up call' });
    await call.getByRole('combobox', { name: 'Outcome' }).selectOption({ label: 'Reached' });
    await call.getByRole('button', { name: 'Log call' }).click();
    await page.getByText('Call logged.').waitFor();
    await page.getByText('Phone call: Talked through the rollover').waitFor();
    await page.getByText('Outgoing · with rory · 15 min · Follow-up call · Reached', { exact: false }).waitFor();
    const logged = row("SELECT status, duration_minutes, direction FROM activities WHERE kind = 'phone_call'");
    assert.deepEqual(logged, { status: 'completed', duration_minutes: 15, direction: 'outgoing' });

    await page.getByRole('button', { name: 'Add a task' }).click();
    const task = page.getByRole('form', { name: 'Add a task' });
    await task.getByRole('textbox', { name: 'Subject' }).fill('Send the transfer forms');
    await task.getByRole('button', { name: 'Add task' }).click();
    await page.getByText('Task added.').waitFor();
    await page.getByText('Task: Send the transfer forms').waitFor();
    assert.equal(row("SELECT status FROM activities WHERE kind = 'task'").status, 'open');
    assert.deepEqual(await axeViolations(page), [], 'the timeline with its actions is accessible');

    await page
      .getByRole('group', { name: 'Send the transfer forms: actions' })
      .getByRole('button', { name: 'Complete task' })
      .click();
    await page.getByText('Completed “Send the transfer forms”.').waitFor();
    assert.equal(row("SELECT status FROM activities WHERE kind = 'task'").status, 'completed');
  });

  it('Schedule next step records a task at once: "No next step" clears in My Work', async () => {
    const page = await pane();
    const card = page.getByRole('group', { name: 'Retirement rollover' }).first();
    await card.getByText('No next step').waitFor();
    await openFromMyWork(page);
    await page.getByRole('button', { name: 'Schedule next step' }).click();
    await page.getByText('Next step recorded as a task.', { exact: false }).waitFor();
    const task = row("SELECT status, scheduled_next_step FROM activities WHERE kind = 'task'");
    assert.deepEqual(task, { status: 'open', scheduled_next_step: 1 });
    await page.getByRole('tab', { name: 'My Work' }).click();
    await page
      .getByRole('heading', { name: /Needs attention/ })
      .first()
      .waitFor();
    await page.getByText('No next step').waitFor({ state: 'detached' });
  });

  it('links an appointment to the opportunity and accepts replacing the next-step task', async () => {
    const page = await pane();
    await openFromMyWork(page);
    await page.getByRole('button', { name: 'Schedule next step' }).click();
    await page.getByText('Outlook opened a new appointment', { exact: false }).waitFor();
    const appointment: ItemSpec = {
      id: 'appt-1',
      type: 'appointment',
      mode: 'read',
      subject: 'Retirement rollover: next step',
      organizer: { email: alex.record.email, name: alex.record.displayName },
      requiredAttendees: [{ email: 'rory@client.example', name: 'Rory' }],
      start: new Date(Date.now() + 86_400_000).toISOString(),
      end: new Date(Date.now() + 88_200_000).toISOString(),
    };
    await page.evaluate((item) => window.__outlook.select(item), appointment);
    await page.getByRole('tab', { name: 'Set Regarding' }).click();
    await page
      .getByRole('option', { name: /Retirement rollover/ })
      .first()
      .click();
    await page.getByText('This appointment is now regarding “Retirement rollover”.').waitFor();
    const offer = page.getByRole('region', { name: 'Replace the next-step task?' });
    await offer.getByText('You recorded the next step', { exact: false }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the offer is accessible');
    await offer.getByRole('button', { name: 'Replace the task with this appointment' }).click();
    await page.getByText('This appointment replaced the next-step task', { exact: false }).waitFor();
    const task = row("SELECT status, replaced_by_id FROM activities WHERE kind = 'task'");
    const linked = row("SELECT id FROM activities WHERE kind = 'appointment'");
    assert.deepEqual(task, { status: 'canceled', replaced_by_id: linked.id });
  });
});
