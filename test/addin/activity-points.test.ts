import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { assertNoAdminEditors, axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

interface Row {
  advisorId: number;
  displayName: string;
  points: number;
  quota: number | null;
}

/** 20 November 2026, 15:00 UTC: the seeded month is November for everyone. */
const NOW = '2026-11-20T15:00:00.000Z';

describe('task pane: activity points against a monthly quota in My Work (issue 14)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let ada: Advisor;
  let alex: Advisor;
  let kei: Advisor;
  let morgan: Advisor;
  let labels: Record<string, number>;

  /**
   * Alex (New York, quota 60): three calls (follow-up, reached: 7 each) and two proposal tasks (10 each) in November,
   * and a call at 23:30 on 31 October New York time (November in UTC) that belongs to October. Kei (Tokyo, no
   * quota): one call. A canceled task and an open call count for nobody.
   */
  beforeEach(async () => {
    ({ server, browser } = suite);
    server.clock.set(NOW);
    ada = await server.advisor('Ada Adminsworth', 'admin');
    alex = await server.advisor('Alex Eastwood');
    kei = await server.advisor('Kei Tanaka');
    morgan = await server.advisor('Morgan Managerly', 'manager');
    await ada.api.patch(`/api/v1/advisors/${alex.record.id}`, { timeZone: 'America/New_York', monthlyQuota: 60 });
    await ada.api.patch(`/api/v1/advisors/${kei.record.id}`, { timeZone: 'Asia/Tokyo' });
    await ada.api.post('/api/v1/teams', {
      name: 'North',
      memberIds: [alex.record.id, kei.record.id, morgan.record.id],
    });
    const table = (await ada.api.get('/api/v1/activity-points')).body.entries as { id: number; key: string }[];
    labels = Object.fromEntries(table.map((entry) => [entry.key, entry.id]));
    await ada.api.put('/api/v1/activity-points', {
      entries: [
        { labelId: labels['follow-up-call'], points: 5 },
        { labelId: labels.reached, points: 2 },
        { labelId: labels.proposal, points: 10 },
      ],
    });
    for (const [who, topic] of [
      [alex, 'Rollover'],
      [kei, 'Pension'],
    ] as const) {
      const opportunityId = (await who.api.post('/api/v1/opportunities', referral(topic, `${topic}@client.example`)))
        .body.opportunity.id as number;
      const call = (startAt: string, status = 'completed') =>
        who.api.post('/api/v1/activities', {
          kind: 'phone_call',
          status,
          subject: 'Call',
          startAt,
          opportunityId,
          categoryId: labels['follow-up-call'],
          outcomeId: labels.reached,
        });
      const task = async (status: 'completed' | 'canceled') => {
        const created = await who.api.post('/api/v1/activities', {
          kind: 'task',
          subject: 'Send the proposal',
          opportunityId,
          categoryId: labels.proposal,
        });
        assert.equal((await who.api.patch(`/api/v1/activities/${created.body.id}`, { status })).status, 200);
      };
      if (who === kei) {
        assert.equal((await call('2026-11-05T01:00:00.000Z')).status, 201);
        continue;
      }
      for (const day of ['03', '10', '17']) assert.equal((await call(`2026-11-${day}T14:00:00.000Z`)).status, 201);
      assert.equal((await call('2026-10-31T23:30:00-04:00')).status, 201);
      assert.equal((await call('2026-11-19T14:00:00.000Z', 'open')).status, 201);
      await task('completed');
      await task('completed');
      await task('canceled');
    }
  });

  const myWork = (who: Advisor, theme?: string) =>
    openPane(
      browser.context,
      server.url,
      {
        user: { email: who.record.email, name: who.record.displayName },
        token: who.token,
        items: [],
        theme,
      },
      'view=work',
    );
  const report = async (who: Advisor, scope: 'me' | 'team' | 'all') =>
    (await who.api.get(`/api/v1/reports/points?scope=${scope}`)).body as { month: string; advisors: Row[] };
  const barValues = (page: Page, name: string) =>
    page
      .getByRole('progressbar', { name })
      .evaluate((bar) => [bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-valuemax')].map(Number));

  it("shows the advisor's points this month against their quota as the API reports them, accessible in light and dark and at 320 px", async () => {
    const [mine] = (await report(alex, 'me')).advisors;
    assert.deepEqual([mine.points, mine.quota], [41, 60], 'the API counts November in New York only');

    for (const theme of [undefined, '#1f1f1f']) {
      const page = await myWork(alex, theme);
      const name = `Points this month: ${mine.points} / ${mine.quota}`;
      await page.getByRole('progressbar', { name }).waitFor();
      assert.deepEqual(await barValues(page, name), [41, 60]);
      assert.equal(await page.getByRole('progressbar', { name }).getAttribute('aria-valuetext'), '41 of 60 points');
      await page.getByRole('heading', { name: /Stage report/ }).waitFor();
      assert.deepEqual(await axeViolations(page), [], `accessible (${theme ? 'dark' : 'light'})`);
      await page.setViewportSize({ width: 320, height: 720 });
      await page.getByRole('progressbar', { name }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 320, `no sideways scrolling at 320 px (${overflow})`);
      assert.deepEqual(await axeViolations(page), [], 'accessible at 320 px');
      await page.close();
    }
    // Count only once every section has loaded: a Fluent Spinner is a progressbar too, and a team list could come late.
    const loaded = async (page: Page) => {
      await page.getByRole('heading', { name: /Stage report/ }).waitFor();
      await page
        .getByRole('progressbar', { name: /^Loading/ })
        .first()
        .waitFor({ state: 'detached' });
      return page;
    };
    assert.equal(
      await (await loaded(await myWork(alex))).getByRole('list', { name: 'Team points this month' }).count(),
      0,
      'an advisor sees no team list',
    );

    const keiPage = await loaded(await myWork(kei));
    const keiPoints = keiPage.getByRole('region', { name: 'My activity points' });
    await keiPoints.getByText('7 points this month, no quota set').waitFor();
    assert.equal(await keiPoints.getByRole('progressbar').count(), 0, 'no bar without a quota');
  });

  it("shows a manager each team member's points and quota, as the API's team report", async () => {
    const team = (await report(morgan, 'team')).advisors;
    for (const theme of [undefined, '#1f1f1f']) {
      const page = await myWork(morgan, theme);
      const list = page.getByRole('list', { name: 'Team points this month' });
      await list.waitFor();
      const items = list.getByRole('listitem');
      await items.nth(team.length - 1).waitFor();
      assert.equal(await items.count(), team.length);
      for (const [index, row] of team.entries()) {
        const item = items.nth(index);
        await item.getByText(row.displayName, { exact: true }).waitFor();
        const text = row.quota === null ? `${row.points} points, no quota set` : `${row.points} / ${row.quota}`;
        await item.getByText(text, { exact: true }).waitFor();
        if (row.quota !== null) assert.deepEqual(await barValues(page, row.displayName), [row.points, row.quota]);
      }
      assert.deepEqual(
        team.map((row) => [row.displayName, row.points, row.quota]),
        [
          ['Alex Eastwood', 41, 60],
          ['Kei Tanaka', 7, null],
          ['Morgan Managerly', 0, null],
        ],
      );
      assert.deepEqual(await axeViolations(page), [], `accessible (${theme ? 'dark' : 'light'})`);
      await page.setViewportSize({ width: 320, height: 720 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 320, `no sideways scrolling at 320 px (${overflow})`);
      await page.close();
    }
  });

  it('lets an admin change a point value and a quota in the pane, and the API has them', async () => {
    const page = await myWork(ada);
    const reached = page.getByRole('textbox', { name: 'Reached', exact: true });
    await reached.waitFor();
    assert.equal(await reached.inputValue(), '2');
    await reached.fill('-1');
    await page.getByText('Give a whole number of points').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Save points' }).isDisabled());
    await reached.fill('4');
    await page.getByRole('button', { name: 'Save points' }).click();
    await page.getByText('Saved one new value.').waitFor();
    const table = (await ada.api.get('/api/v1/activity-points')).body.entries as { id: number; points: number }[];
    assert.equal(table.find((entry) => entry.id === labels.reached)!.points, 4);
    assert.equal((await report(alex, 'me')).advisors[0].points, 41 + 3 * 2, 'the report counts the new value');

    await page.getByRole('textbox', { name: 'Quota for Kei Tanaka' }).fill('30');
    await page.getByRole('textbox', { name: 'Quota for Alex Eastwood' }).fill('');
    await page.getByRole('button', { name: 'Save advisors' }).click();
    await page.getByText('Saved 2 advisors.').waitFor();
    const quotas = Object.fromEntries((await report(ada, 'all')).advisors.map((row) => [row.displayName, row.quota]));
    assert.equal(quotas['Kei Tanaka'], 30);
    assert.equal(quotas['Alex Eastwood'], null);
    assert.deepEqual(await axeViolations(page), [], 'the editors are accessible');

    await assertNoAdminEditors(await myWork(alex), ['Activity points']);
  });

  it("lets an admin set another advisor's time zone in the pane, and GET /me as that advisor shows it", async () => {
    const page = await myWork(ada);
    await page.getByRole('heading', { name: 'Advisors: time zone and monthly quota' }).waitFor();
    const zone = page.getByRole('combobox', { name: 'Time zone for Kei Tanaka' });
    assert.equal(await zone.inputValue(), 'Asia/Tokyo', 'the points report rows carry each zone');
    assert.equal(
      await page.getByRole('combobox', { name: 'Time zone for Alex Eastwood' }).inputValue(),
      'America/New_York',
    );

    await zone.fill('Mars/Olympus');
    await page.getByText('Choose a time zone from the list, e.g. Europe/Paris').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Save advisors' }).isDisabled(), 'no unknown zone is sent');

    await zone.fill('');
    await zone.pressSequentially('paris');
    await page.getByRole('option', { name: 'Europe/Paris' }).click();
    assert.equal(await zone.inputValue(), 'Europe/Paris');
    await page.getByRole('button', { name: 'Save advisors' }).click();
    await page.getByText('Saved one advisor.').waitFor();
    const me = await kei.api.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.timeZone, 'Europe/Paris', "Kei's own GET /me");
    const alexMe = await alex.api.get('/api/v1/me');
    assert.equal(alexMe.body.timeZone, 'America/New_York', 'nobody else changed');
    const all = (await ada.api.get('/api/v1/reports/points?scope=all')).body.advisors as Row[];
    assert.equal(all.find((row) => row.displayName === 'Kei Tanaka')!.quota, null, 'the quota untouched');
    assert.equal(await zone.inputValue(), 'Europe/Paris', 'the editor shows what was saved');
    assert.deepEqual(await axeViolations(page), [], 'the advisors editor is accessible');
    await page.setViewportSize({ width: 320, height: 720 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 320, `no sideways scrolling at 320 px (${overflow})`);
  });

  it('loads the admin editors (one lazy chunk) only for admins', async () => {
    const requested: string[] = [];
    const track = (request: { url: () => string }) => requested.push(request.url());
    browser.context.on('request', track);
    try {
      const advisorPage = await myWork(alex);
      await advisorPage.getByRole('heading', { name: 'Time zone', exact: true }).waitFor();
      await advisorPage.getByRole('progressbar').first().waitFor();
      assert.ok(
        requested.some((url) => /\/taskpane\.[0-9a-f]+\.js$/.test(url)),
        'the pane loaded',
      );
      assert.deepEqual(
        requested.filter((url) => url.includes('/admin-settings.')),
        [],
        'an advisor never downloads the admin editors',
      );
      await assertNoAdminEditors(advisorPage, ['Activity points']);

      const adminPage = await myWork(ada);
      for (const heading of ['Activity points', 'Advisors: time zone and monthly quota'])
        await adminPage.getByRole('heading', { name: heading }).waitFor();
      assert.equal(requested.filter((url) => url.includes('/admin-settings.')).length, 1, 'an admin does, once');
    } finally {
      browser.context.off('request', track);
    }
  });
});
