import assert from 'node:assert/strict';
import { DIST_ADDIN, launchBrowser, openPane } from '../helpers/browser';
import { startTestServer, type TestServer } from '../helpers/test-server';

/**
 * A malformed message with NUL characters (U+0000) in its sender's name and subject (issue 16, from the second
 * read): the service refuses an advisor's text with one, so the pane takes them out where it reads the item, and
 * a referral made from that email in one step is saved and linked, without them.
 */
describe('task pane: an email with NUL characters in its sender and subject', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  before(async () => {
    browser = await launchBrowser();
  });
  after(() => browser.close());
  beforeEach(async () => {
    server = await startTestServer({}, { addinDir: DIST_ADDIN });
  });
  afterEach(async () => {
    for (const page of browser.context.pages()) await page.close();
    await server.close();
  });

  it('makes the referral from it in one step, with the name and subject as Outlook shows them', async () => {
    const alex = await server.advisor('Alex Morgan');
    const page = await openPane(
      browser.context,
      server.url,
      {
        user: { email: alex.record.email, name: alex.record.displayName },
        token: alex.token,
        items: [
          {
            id: 'm1',
            type: 'message',
            mode: 'read',
            subject: 'Thinking about\u0000 a rollover',
            internetMessageId: '<nul-1@harbor.example>',
            from: { email: 'jordan.lee@harbor.example', name: 'Jordan\u0000 Lee' },
            to: [{ email: alex.record.email, name: alex.record.displayName }],
            dateTimeCreated: '2026-11-18T08:00:00Z',
          },
        ],
        selected: 'm1',
      },
      'view=new',
    );
    await page.getByRole('heading', { name: 'New opportunity' }).waitFor();
    await page.getByText('jordan.lee@harbor.example · New contact').waitFor();
    await page.getByRole('textbox', { name: 'Topic', exact: true }).fill('Rollover for Jordan');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Rollover for Jordan' }).waitFor();
    const saved = server.db
      .prepare(
        `SELECT c.name AS name, a.subject AS subject FROM opportunities o JOIN contacts c ON c.id = o.customer_contact_id
           JOIN activities a ON a.regarding_opportunity_id = o.id WHERE a.internet_message_id = '<nul-1@harbor.example>'`,
      )
      .get() as { name: string; subject: string } | undefined;
    assert.deepEqual(saved, { name: 'Jordan Lee', subject: 'Thinking about a rollover' });
  });
});
