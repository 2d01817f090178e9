import assert from 'node:assert/strict';
import type { ItemSpec } from '../office-simulator/simulator';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

describe('task pane: closed opportunities and My Work (issue 13)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let alex: Advisor;
  let blake: Advisor;

  beforeEach(async () => {
    ({ server, browser } = suite);
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
  });

  const email = (id: string, to: Advisor, from = { email: 'jordan.lee@harbor.example', name: 'Jordan Lee' }) =>
    ({
      id,
      type: 'message',
      mode: 'read',
      subject: 'About the rollover',
      internetMessageId: `<${id}@harbor.example>`,
      from,
      to: [{ email: to.record.email, name: to.record.displayName }],
      dateTimeCreated: '2026-11-18T08:00:00Z',
    }) satisfies ItemSpec;
  const paneFor = (advisor: Advisor, items: ItemSpec[], selected: string | undefined, view: string) =>
    openPane(
      browser.context,
      server.url,
      {
        user: { email: advisor.record.email, name: advisor.record.displayName },
        token: advisor.token,
        items,
        selected,
      },
      view,
    );
  const create = async (advisor: Advisor, topic: string, customerEmail: string, extra = {}) => {
    const res = await advisor.api.post('/api/v1/opportunities', referral(topic, customerEmail, extra));
    assert.equal(res.status, 201);
    return res.body.opportunity.id as number;
  };
  const won = async (advisor: Advisor, topic: string, customerEmail: string) => {
    const id = await create(advisor, topic, customerEmail, { stage: 'propose' });
    assert.equal((await advisor.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 200);
    return id;
  };

  it('the Closed view lists a won opportunity marked Won, and reopen puts it back in open', async () => {
    const id = await won(alex, 'Won pension transfer', 'pat@client.example');
    const page = await paneFor(alex, [], undefined, 'view=work');
    await page.getByRole('tab', { name: 'Closed' }).click();
    const card = page.getByRole('group', { name: 'Won pension transfer' });
    await card.getByText('Won', { exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the Closed view is accessible');
    await card.getByRole('button', { name: 'Open “Won pension transfer”' }).click();

    // A won deal shows Won, not its last stage; the timeline says who closed it.
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByText('Won', { exact: true }).first().waitFor();
    assert.equal(await page.getByText('Propose', { exact: true }).count(), 0, 'not its last stage');
    await page.getByText('Closed as Won').waitFor();
    await page.getByRole('button', { name: 'Reopen' }).click();
    await page.getByText('Reopened', { exact: true }).waitFor();
    assert.equal(await server.value('SELECT status FROM opportunities WHERE id = ?', id), 'open');

    await page.getByRole('button', { name: '← Back' }).click();
    await page.getByRole('tab', { name: 'Mine' }).click();
    // Back among the open ones (it has no next step, so under Needs attention), once, and no longer marked Won.
    const reopened = page.getByRole('group', { name: 'Won pension transfer' });
    await reopened.getByText('No next step', { exact: true }).waitFor();
    assert.equal(await reopened.count(), 1);
    assert.equal(await reopened.getByText('Won', { exact: true }).count(), 0);
    await page.getByRole('tab', { name: 'Closed' }).click();
    await page.getByText('No closed opportunities.').waitFor();
  });

  it('linking to a closed one asks first, and cancelling links nothing', async () => {
    await won(alex, 'Won rollover for Jordan', 'jordan.lee@harbor.example');
    const page = await paneFor(alex, [email('m1', alex)], 'm1', 'view=regarding');
    await page.getByRole('tab', { name: 'Closed' }).click();
    const option = page.getByRole('option', { name: /Won rollover for Jordan/ });
    await option.getByText('Won', { exact: true }).waitFor();
    await option.click();
    const confirm = page.getByRole('region', { name: 'Link to a closed opportunity?' });
    await confirm.getByText('“Won rollover for Jordan” is closed as won.', { exact: false }).waitFor();
    assert.deepEqual(await axeViolations(page), [], 'the confirm step is accessible');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    // Counted once the pane has settled: a link started by Cancel would disable the search in Cancel's own render
    // (Saving…) and replace it with the current regarding once done.
    await page
      .getByRole('combobox', { name: 'Search opportunities', disabled: false })
      .or(page.getByRole('region', { name: 'Current regarding' }))
      .waitFor();
    const linked = () => server.value('SELECT count(*) FROM activities WHERE regarding_opportunity_id IS NOT NULL');
    assert.equal(await linked(), 0, 'cancelling links nothing');

    await option.click();
    await page.getByRole('button', { name: 'Link to won “Won rollover for Jordan”' }).click();
    await page.getByText('This email is now regarding “Won rollover for Jordan”.').waitFor();
    await page.getByLabel('Current regarding').getByText('Won', { exact: true }).waitFor();
    assert.equal(await linked(), 1);
  });

  it('“oliv” on the Suggested tab finds the open opportunity, searching all open ones', async () => {
    await create(blake, 'Estate plan for Olivia Stone', 'olivia.stone@client.example');
    await won(blake, 'Old deal for Olivia', 'olivia.old@client.example');
    const page = await paneFor(alex, [email('m1', alex)], 'm1', 'view=regarding');
    assert.equal(await page.getByRole('tab', { name: 'Suggested' }).getAttribute('aria-selected'), 'true');
    await page.getByRole('combobox', { name: 'Search opportunities' }).fill('oliv');
    await page.getByText('Searching all open opportunities').waitFor();
    await page.getByRole('option', { name: /Estate plan for Olivia Stone/ }).waitFor();
    assert.equal(
      await page.getByRole('option', { name: /Old deal for Olivia/ }).count(),
      0,
      'closed ones only on Closed',
    );
    await page.getByRole('tab', { name: 'Closed' }).click();
    await page.getByText('Searching closed opportunities').waitFor();
    await page.getByText('No closed opportunity matches “oliv”.').waitFor();
  });

  it('My Work lists each opportunity once, with all its flags on one card', async () => {
    // Alex refers it to Blake: new for Blake, without a next step, and one of Blake's open ones.
    await create(alex, 'Rollover referral for Jordan', 'jordan.lee@harbor.example', {
      ownerId: blake.record.id,
      note: { body: 'Call after 5pm' },
    });
    await create(blake, 'Blake own deal', 'own@client.example');
    const page = await paneFor(blake, [], undefined, 'view=work');
    const card = page.getByRole('group', { name: 'Rollover referral for Jordan' });
    await card.getByText('New for me', { exact: true }).waitFor();
    await card.getByText('No next step', { exact: true }).waitFor();
    await page.getByRole('group', { name: 'Blake own deal' }).waitFor();
    assert.equal(await card.count(), 1, 'the referral appears once');
    assert.equal(await page.getByRole('group', { name: 'Blake own deal' }).count(), 1, 'so does the own deal');
    assert.deepEqual(await axeViolations(page), [], 'My Work is accessible');
  });

  it('My Work lists each opportunity once also when more need attention than one default page (30 of them)', async () => {
    for (let i = 1; i <= 30; i++) await create(blake, `Deal ${i}`, `deal${i}@client.example`);
    const page = await paneFor(blake, [], undefined, 'view=work');
    await page.getByRole('heading', { name: 'Needs attention (30)' }).waitFor();
    for (let i = 1; i <= 30; i++) {
      const card = page.getByRole('group', { name: `Deal ${i}`, exact: true });
      assert.equal(await card.count(), 1, `Deal ${i} appears once`);
      await card.getByText('No next step', { exact: true }).waitFor();
    }
  });

  it("a manager's scope choice persists across a reload (team by default)", async () => {
    const manager = await server.advisor('Casey Rivera', 'manager');
    await server.repo.teams.create('Desk', [alex.record.id, manager.record.id], null);
    await create(alex, 'Team deal', 'team@client.example');
    const page = await paneFor(manager, [], undefined, 'view=work');
    const tab = (name: string) => page.getByRole('tab', { name, exact: true });
    await page.getByRole('group', { name: 'Team deal' }).first().waitFor();
    assert.equal(await tab('My team').getAttribute('aria-selected'), 'true', 'team by default for a manager');

    await tab('Mine').click();
    await page.getByText('No open opportunities.').waitFor();
    const stored = () => server.value('SELECT work_scope FROM advisors WHERE id = ?', manager.record.id);
    for (let i = 0; i < 50 && (await stored()) !== 'me'; i++) await page.waitForTimeout(100);
    assert.equal(await stored(), 'me', 'saved on the service');

    await page.reload();
    await page.getByText('No open opportunities.').waitFor();
    assert.equal(await tab('Mine').getAttribute('aria-selected'), 'true', 'the choice survives a reload');
    assert.equal(await page.getByRole('group', { name: 'Team deal' }).count(), 0);
  });
});
