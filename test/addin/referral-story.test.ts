import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import type { ItemSpec } from '../office-simulator/simulator';
import { axeViolations, DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const JORDAN = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' };

describe('task pane: the referral story (New Opportunity, My Work, opportunity view)', function () {
  this.timeout(120_000);
  let server: TestServer;
  // Each advisor on their own computer: a browser (profile, Outlook mailbox) of their own.
  let browsers: Awaited<ReturnType<typeof launchBrowser>>[];
  const contexts = new Map<Advisor, BrowserContext>();
  let alex: Advisor;
  let blake: Advisor;
  let chris: Advisor;

  before(async () => {
    browsers = await Promise.all([launchBrowser(), launchBrowser(), launchBrowser()]);
  });
  after(() => Promise.all(browsers.map((b) => b.close())));
  beforeEach(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
    chris = await server.advisor('Chris Doe');
    [alex, blake, chris].forEach((advisor, i) => contexts.set(advisor, browsers[i].context));
  });
  afterEach(async () => {
    for (const browser of browsers) for (const page of browser.context.pages()) await page.close();
    await server.close();
  });

  const email = (id: string, to: Advisor, subject = 'Thinking about a rollover'): ItemSpec => ({
    id,
    type: 'message',
    mode: 'read',
    subject,
    internetMessageId: `<${id}@harbor.example>`,
    from: JORDAN,
    to: [{ email: to.record.email, name: to.record.displayName }],
    dateTimeCreated: '2026-11-18T08:00:00Z',
  });
  const paneFor = (advisor: Advisor, items: ItemSpec[], selected: string | undefined, view: string) =>
    openPane(
      contexts.get(advisor)!,
      server.url,
      {
        user: { email: advisor.record.email, name: advisor.record.displayName },
        token: advisor.token,
        items,
        selected,
      },
      view,
    );
  const count = (sql: string) => server.value<number>(sql);

  async function createReferral(page: Page) {
    await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
    await page.getByText('jordan.lee@harbor.example · New contact').waitFor();
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill('Rollover referral for Jordan');
    await page
      .getByRole('textbox', { name: 'Note', exact: true })
      .fill('Jordan leaves Harbor Dental in March; prefers calls after 5pm.');
    await page.getByRole('textbox', { name: 'Assign to', exact: true }).fill('Blake');
    await page.getByRole('button', { name: /Choose Blake Chen/ }).click();
    assert.deepEqual(await axeViolations(page), [], 'the New opportunity form is accessible');
    await page.getByRole('button', { name: 'Create' }).dblclick();
    await page.getByRole('heading', { name: 'Rollover referral for Jordan' }).waitFor();
  }

  it('A refers a client to B with a note; B works it to Won; A sees it closed; C never sees the note', async () => {
    // Advisor A, on the client's email: New Opportunity.
    const a = await paneFor(alex, [email('m1', alex), email('m2', alex, 'One more thing')], 'm1', 'view=new');
    await createReferral(a);
    assert.equal(await count('SELECT count(*) FROM opportunities'), 1, 'a double-click creates one opportunity');
    assert.equal(await count("SELECT count(*) FROM contacts WHERE email = 'jordan.lee@harbor.example'"), 1);
    const [opportunity] = await server.rows<{ id: number; owner_id: number; created_by_id: number }>(
      'SELECT id, owner_id, created_by_id FROM opportunities',
    );
    assert.equal(opportunity.owner_id, blake.record.id);
    assert.equal(
      await count(
        `SELECT count(*) FROM activities WHERE internet_message_id = '<m1@harbor.example>' AND regarding_opportunity_id = ${opportunity.id}`,
      ),
      1,
      'the email is linked',
    );
    assert.equal(
      await count(`SELECT count(*) FROM note_shares WHERE advisor_id = ${blake.record.id}`),
      1,
      'the note is shared with the assignee',
    );
    await a.getByText('Jordan leaves Harbor Dental in March', { exact: false }).waitFor();
    assert.deepEqual(await axeViolations(a), [], 'the opportunity view is accessible');

    // A known sender is matched, not duplicated.
    await a.evaluate(() => window.__outlook.select('m2'));
    await a.getByRole('tab', { name: 'New' }).click();
    await a.getByText(/Known contact, 1 open: Rollover referral for Jordan/).waitFor();

    // C reads the open opportunity but not the note.
    const c = await paneFor(chris, [email('m1', chris)], 'm1', 'view=regarding');
    await c.getByLabel('Current regarding').getByText('Rollover referral for Jordan').waitFor();
    await c.getByRole('button', { name: 'Open opportunity' }).click();
    await c.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.equal(
      await c.getByText('Jordan leaves Harbor Dental', { exact: false }).count(),
      0,
      'C cannot see the note',
    );
    assert.equal(await c.getByRole('button', { name: 'Close as Won' }).count(), 0, 'C cannot act on it');

    // B: My Work shows it under New for me, with who assigned it and the note.
    const b = await paneFor(blake, [], undefined, '');
    const fresh = b
      .getByRole('region', { name: /New for me/ })
      .or(b.locator('section[aria-labelledby="new-for-me"]'))
      .first();
    await fresh.getByText('Assigned by Alex Morgan', { exact: false }).waitFor();
    await fresh.getByText('Note from Alex Morgan: Jordan leaves Harbor Dental in March', { exact: false }).waitFor();
    assert.deepEqual(await axeViolations(b), [], 'My Work is accessible');
    await fresh.getByRole('button', { name: 'Open “Rollover referral for Jordan”' }).click();

    // B schedules the next step and links the appointment when opening it.
    await b.getByRole('button', { name: 'Schedule next step' }).click();
    await b.getByText('Outlook opened a new appointment', { exact: false }).waitFor();
    const form = (await b.evaluate(() => window.__outlook.log())).find(
      (entry) => entry.method === 'displayNewAppointmentForm',
    )!.args as { subject: string; requiredAttendees: string[]; start: string };
    assert.deepEqual(form.requiredAttendees, [JORDAN.email]);
    assert.equal(form.subject, 'Rollover referral for Jordan: next step');
    const start = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await b.evaluate(
      ([subject, startAt]) =>
        window.__outlook.select({
          id: 'appt-1',
          type: 'appointment',
          mode: 'compose',
          subject,
          start: startAt,
          end: startAt,
          requiredAttendees: [{ email: 'jordan.lee@harbor.example' }],
        }),
      [form.subject, start],
    );
    await b.getByRole('tab', { name: 'Set Regarding' }).click();
    const first = b.getByRole('option').first();
    await first.getByText('The next step you scheduled').waitFor();
    await first.click();
    // A new meeting is saved to be linked: only once the advisor agrees (issue 12, point 5).
    await b.getByRole('button', { name: 'Save and link to “Rollover referral for Jordan”' }).click();
    await b.getByText('This appointment is now regarding “Rollover referral for Jordan”.').waitFor();
    // The next step was recorded as a task at once: the appointment replaces it, so it counts once.
    await b.getByRole('button', { name: 'Replace the task with this appointment' }).click();
    await b.getByText('This appointment replaced the next-step task', { exact: false }).waitFor();

    // B closes it as Won after being warned about the open appointment.
    await b.getByRole('button', { name: 'Open opportunity' }).click();
    await b.getByRole('button', { name: 'Close as Won' }).click();
    const dialog = b.getByRole('dialog', { name: 'Close as Won' });
    await dialog.getByText('One activity is still open.', { exact: false }).waitFor();
    assert.deepEqual(await axeViolations(b), [], 'the close dialog is accessible');
    await dialog.getByRole('button', { name: `Complete “${form.subject}”` }).click();
    await dialog.getByText('One activity is still open.', { exact: false }).waitFor({ state: 'detached' });
    await dialog.getByRole('spinbutton', { name: 'Actual value (USD)' }).fill('250000');
    await dialog.getByRole('button', { name: 'Close as Won' }).click();
    await b.getByText('Closed as Won.').waitFor();
    assert.equal(await server.value('SELECT status FROM opportunities'), 'won');
    assert.equal(await count("SELECT count(*) FROM activities WHERE kind = 'appointment' AND status = 'completed'"), 1);

    // A sees it closed.
    await a.reload();
    await a.getByRole('tab', { name: 'Set Regarding' }).click();
    await a.evaluate(() => window.__outlook.select('m1'));
    await a.getByLabel('Current regarding').getByText('Won').waitFor();
    await a.getByRole('button', { name: 'Open opportunity' }).click();
    await a.getByRole('button', { name: 'Reopen' }).waitFor();
  });

  it('shows an untouched referral in Needs attention after one business day, until an email is linked', async () => {
    server.clock.set('2026-11-18T10:00:00.000Z'); // Wednesday
    const a = await paneFor(alex, [email('m1', alex)], 'm1', 'view=new');
    await a.getByLabel('Link this email to the new opportunity').uncheck();
    await createReferral(a);

    const b = await paneFor(blake, [email('r1', blake, 'Re: rollover')], 'r1', '');
    // New for Blake as well: its flags are on its one card, under New for me (issue 13).
    const attention = b.getByRole('group', { name: 'Rollover referral for Jordan' });
    await attention.getByText('No next step').waitFor();
    assert.equal(await attention.getByText('Untouched').count(), 0, 'not yet: less than one business day');

    server.clock.set('2026-11-19T10:01:00.000Z'); // Thursday, one business day and a minute later
    await b.reload();
    await attention.getByText('Untouched').waitFor();

    await b.getByRole('tab', { name: 'Set Regarding' }).click();
    await b.getByRole('option', { name: /Rollover referral for Jordan/ }).click();
    await b.getByText('This email is now regarding', { exact: false }).waitFor();
    await b.getByRole('tab', { name: 'My Work' }).click();
    await attention.getByText('No next step').waitFor();
    assert.equal(await attention.getByText('Untouched').count(), 0, 'a linked email clears it');
  });

  it('tells the owner plainly when someone else changed the opportunity first', async () => {
    const a = await paneFor(alex, [email('m1', alex)], 'm1', 'view=new');
    await createReferral(a);
    const id = (await server.value<number>('SELECT id FROM opportunities'))!;
    await a.getByRole('button', { name: 'Edit' }).click();
    await blake.api.patch(`/api/v1/opportunities/${id}`, { stage: 'develop' }, { 'If-Match': '"1"' });
    await a.getByRole('textbox', { name: 'Topic', exact: true }).fill('Rollover referral (updated)');
    await a.getByRole('button', { name: 'Save' }).click();
    await a.getByText('changed by someone else: reload it', { exact: false }).waitFor();
    await a.getByRole('button', { name: 'Reload' }).click();
    await a.getByText('Develop').first().waitFor();
    assert.equal(
      await server.value('SELECT topic FROM opportunities'),
      'Rollover referral for Jordan',
      'the stale edit was not applied',
    );
  });

  it('finding 6 and 8: "Show more" loads older activities; the assign form says who sees the message', async () => {
    const created = await alex.api.post('/api/v1/opportunities', {
      topic: 'Long history',
      customer: { newContact: { name: 'Pat Long', email: 'pat.long@harbor.example' } },
    });
    const id = created.body.opportunity.id as number;
    for (let day = 1; day <= 30; day += 1) {
      const startAt = `2026-10-${String(day).padStart(2, '0')}T15:00:00Z`;
      await alex.api.post('/api/v1/activities', { kind: 'task', subject: `Call ${day}`, opportunityId: id, startAt });
    }
    const a = await paneFor(alex, [], undefined, '');
    await a.getByRole('button', { name: 'Open “Long history”' }).first().click();
    const timeline = a.locator('section[aria-labelledby="timeline-title"]');
    await timeline.getByText('Task: Call 30').waitFor();
    assert.equal(await timeline.getByText('Task: Call 1', { exact: true }).count(), 0, 'older activities wait');
    await timeline.getByRole('button', { name: 'Show more' }).click();
    await timeline.getByText('Task: Call 1', { exact: true }).waitFor();
    assert.equal(await timeline.getByRole('button', { name: 'Show more' }).count(), 0, 'nothing older is left');
    assert.equal(await timeline.getByText(/^Task: Call \d+$/).count(), 30, 'each activity once');

    await a.getByRole('button', { name: 'Assign' }).click();
    const form = a.getByRole('region', { name: 'Assign opportunity' });
    await form.getByText('Only the new owner and you see this message.').waitFor();
    await form.getByRole('textbox', { name: 'Assign to', exact: true }).fill('Blake');
    await form.getByRole('button', { name: /Choose Blake Chen/ }).click();
    await form.getByText('Only Blake Chen and you see this message.').waitFor();
  });
});
