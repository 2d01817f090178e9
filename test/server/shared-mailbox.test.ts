import assert from 'node:assert/strict';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

describe('Set Regarding in a shared folder or shared mailbox (issue 12 point 15)', () => {
  let server: TestServer;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;
  let opportunity: number;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex');
    opportunity = (await alex.api.post('/api/v1/opportunities', referral('Rollover', 'one@client.example'))).body
      .opportunity.id;
  });
  afterEach(() => server.close());

  const link = (item: Record<string, unknown>) =>
    alex.api.post('/api/v1/activities/regarding', { item, opportunityId: opportunity });
  const lookup = (internetMessageId: string) =>
    alex.api.get(`/api/v1/activities/lookup?internetMessageId=${encodeURIComponent(internetMessageId)}`);

  it("records the shared mailbox's owner on the activity, and shows it on lookup and in the timeline", async () => {
    const linked = await link(emailItem('<shared@x>', { mailbox: 'Dana.Advisor@Firm.example' }));
    assert.equal(linked.status, 200);
    assert.equal(linked.body.outlook.mailbox, 'dana.advisor@firm.example');
    assert.equal((await lookup('<shared@x>')).body.outlook.mailbox, 'dana.advisor@firm.example');
    const stored = await server.value('SELECT mailbox FROM activities WHERE id = ?', linked.body.id);
    assert.equal(stored, 'dana.advisor@firm.example');
    const timeline = await alex.api.get(`/api/v1/opportunities/${opportunity}/activities`);
    assert.equal(timeline.status, 200);
    const shown = (timeline.body.items as { id: number; outlook: { mailbox: string | null } }[]).find(
      (a) => a.id === linked.body.id,
    );
    assert.equal(shown?.outlook.mailbox, 'dana.advisor@firm.example');
  });

  it("records null for the advisor's own mailbox, absent or null alike", async () => {
    assert.equal((await link(emailItem('<own-absent@x>'))).body.outlook.mailbox, null);
    assert.equal((await link(emailItem('<own-null@x>', { mailbox: null }))).body.outlook.mailbox, null);
  });

  it('records the mailbox of the latest Set Regarding on the same item', async () => {
    const first = await link(emailItem('<both@x>', { mailbox: 'dana.advisor@firm.example' }));
    const again = await link(emailItem('<both@x>'));
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.outlook.mailbox, null);
    const back = await link(emailItem('<both@x>', { mailbox: 'team.inbox@firm.example' }));
    assert.equal(back.body.outlook.mailbox, 'team.inbox@firm.example');
  });

  it('refuses a mailbox that is not an email address or is longer than 320 characters, naming the field', async () => {
    for (const mailbox of ['Dana Advisor', '', 42, `${'a'.repeat(310)}@firm.example`]) {
      const refused = await link(emailItem('<bad@x>', { mailbox }));
      assert.equal(refused.status, 400, JSON.stringify(mailbox));
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(refused.body.errors[0].path, 'body.item.mailbox', JSON.stringify(mailbox));
    }
    assert.equal((await lookup('<bad@x>')).status, 404, 'nothing was recorded');
  });
});
