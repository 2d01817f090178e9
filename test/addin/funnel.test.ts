import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { axeViolations, openPane } from '../helpers/browser';
import { paneSuite, type PaneSuite } from '../helpers/pane-suite';
import { referral, type TestServer } from '../helpers/test-server';
import type { FunnelStage } from '../../shared/schemas/reports';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
type Row = FunnelStage;

const START = Date.parse('2026-11-02T09:00:00.000Z');
const DAY = 86_400_000;
const LABELS: Record<string, string> = { qualify: 'Qualify', develop: 'Develop', propose: 'Propose', close: 'Close' };
const percent = (ratio: number | null) => (ratio === null ? '—' : `${Math.round(ratio * 1000) / 10}%`);
const dash = (value: number | null) => (value === null ? '—' : String(value));

describe('task pane: the Reports view, funnel and time in stage (issue 14)', function () {
  this.timeout(120_000);
  const suite = paneSuite();
  let server: TestServer;
  let browser: PaneSuite['browser'];
  let owner: Advisor;
  let manager: Advisor;
  let rita: Advisor;
  let carlaId: number;

  beforeEach(async () => {
    ({ server, browser } = suite);
    owner = await server.advisor('Olive Owner');
    manager = await server.advisor('Max Manager', 'manager');
    rita = await server.advisor('Rita Referrer');
    await server.repo.teams.create('North', [owner.record.id, manager.record.id], null);
    await seed();
  });

  /** Stage history through the API, the clock set between changes. */
  async function seed() {
    const at = (days: number) => server.clock.set(new Date(START + days * DAY));
    let n = 0;
    const create = async (extra: Record<string, unknown> = {}) => {
      n += 1;
      const res = await owner.api.post('/api/v1/opportunities', referral(`Deal ${n}`, `c${n}@client.example`, extra));
      assert.equal(res.status, 201);
      return res.body.opportunity.id as number;
    };
    const move = async (id: number, stage: string) => {
      const version = (await owner.api.get(`/api/v1/opportunities/${id}`)).body.opportunity.version as number;
      assert.equal(
        (await owner.api.patch(`/api/v1/opportunities/${id}`, { stage }, { 'If-Match': `"${version}"` })).status,
        200,
      );
    };
    at(0);
    // Rita (an advisor) referred a and b; Carla (a contact) referred c.
    const a = await create({ referredBy: { advisorId: rita.record.id } });
    const b = await create({ campaignId: 2, referredBy: { advisorId: rita.record.id } });
    const c = await create({ referredBy: { newContact: { name: 'Carla Contact', email: 'carla@referrer.example' } } });
    carlaId = (await owner.api.get(`/api/v1/opportunities/${c}`)).body.opportunity.referredBy.id as number;
    const d = await create({ campaignId: 2 });
    at(1);
    await move(d, 'develop');
    at(2.5);
    await move(a, 'develop');
    at(4);
    await move(b, 'propose');
    at(5);
    await move(a, 'propose');
    at(7);
    assert.equal((await owner.api.post(`/api/v1/opportunities/${a}/close`, { outcome: 'won' })).status, 200);
    at(9);
    assert.equal((await owner.api.post(`/api/v1/opportunities/${b}/close`, { outcome: 'lost' })).status, 200);
    at(12);
  }

  const pane = async (theme?: string) => {
    const page = await openPane(
      browser.context,
      server.url,
      { user: { email: manager.record.email, name: manager.record.displayName }, token: manager.token, theme },
      'view=work',
    );
    await page.getByRole('tab', { name: 'Reports' }).click();
    await page.getByRole('table', { name: 'Funnel by stage' }).waitFor({ state: 'attached' });
    return page;
  };
  const api = async (query: string) => {
    const res = await manager.api.get(`/api/v1/reports/funnel?${query}`);
    assert.equal(res.status, 200);
    return res.body.stages as Row[];
  };
  const cells = (page: Page, table: string) =>
    page
      .getByRole('table', { name: table })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
  const chartTexts = (page: Page, chart: string) =>
    page.locator(`svg[data-chart="${chart}"] text`).evaluateAll((texts) => texts.map((t) => t.textContent ?? ''));

  /** Both charts and their tables show exactly the numbers the API returns. */
  async function assertShows(page: Page, rows: Row[]) {
    await page.waitForFunction(
      (reached) => {
        const cells = [...document.querySelectorAll('table')][0]?.querySelectorAll('tbody tr td:first-of-type');
        return cells && [...cells].map((c) => c.textContent).join(',') === reached;
      },
      rows.map((row) => String(row.reached)).join(','),
    );
    assert.deepEqual(
      await cells(page, 'Funnel by stage'),
      rows.map((row) => [
        LABELS[row.stage],
        String(row.reached),
        String(row.skipped),
        dash(row.converted),
        percent(row.conversion),
        String(row.won),
        String(row.lost),
      ]),
    );
    assert.deepEqual(
      await cells(page, 'Days in stage'),
      rows.map((row) => [LABELS[row.stage], dash(row.medianDays), dash(row.p90Days), String(row.stayed)]),
    );
    const funnel = await chartTexts(page, 'funnel');
    const time = await chartTexts(page, 'time-in-stage');
    rows.forEach((row, index) => {
      assert.ok(funnel[index].startsWith(`${LABELS[row.stage]}: ${row.reached} reached`), funnel[index]);
      if (row.conversion !== null) assert.ok(funnel[index].includes(`${percent(row.conversion)} on`), funnel[index]);
      if (row.won) assert.ok(funnel[index].includes(`${row.won} won`), funnel[index]);
      if (row.lost) assert.ok(funnel[index].includes(`${row.lost} lost`), funnel[index]);
      assert.equal(
        time[index],
        row.stayed === 0
          ? `${LABELS[row.stage]}: no time recorded`
          : `${LABELS[row.stage]}: median ${row.medianDays} d · p90 ${row.p90Days} d`,
      );
    });
  }

  it('the funnel and time-in-stage charts show the numbers the API returns, and a filter changes both', async () => {
    const page = await pane();
    const team = await api('scope=team');
    assert.deepEqual(
      team.map((row) => row.reached),
      [4, 3, 2, 0],
      'the seeded history',
    );
    await assertShows(page, team);

    await page.getByLabel('Campaign').selectOption({ label: 'Medicare Supplement' });
    const filtered = await api('scope=team&campaignId=2');
    assert.notDeepEqual(filtered, team);
    await assertShows(page, filtered);
  });

  it('choosing a referrer (an advisor, then a contact) changes both charts to the API numbers for that referrer, and the CSV follows; clearing it removes the filter', async () => {
    const page = await pane();
    const team = await api('scope=team');
    await assertShows(page, team);

    await page.getByRole('textbox', { name: 'Referring advisor' }).fill('Rita');
    await page.getByRole('button', { name: /^Choose Rita Referrer/ }).click();
    const byRita = await api(`scope=team&referrerAdvisorId=${rita.record.id}`);
    assert.deepEqual(
      byRita.map((row) => row.reached),
      [2, 2, 2, 0],
      'a and b',
    );
    await assertShows(page, byRita);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = await manager.api.get(`/api/v1/reports/funnel.csv?scope=team&referrerAdvisorId=${rita.record.id}`);
    assert.equal(csv.status, 200);
    const unfiltered = await manager.api.get('/api/v1/reports/funnel.csv?scope=team');
    assert.notEqual(csv.body, unfiltered.body);
    assert.equal(fs.readFileSync(await download.path(), 'utf8'), csv.body, 'the CSV follows the referrer filter');
    assert.deepEqual(await axeViolations(page), [], 'accessible with a referrer chosen');

    await page.getByRole('button', { name: 'Clear referrer' }).click();
    await assertShows(page, team);

    await page.getByRole('searchbox', { name: 'Referring contact' }).fill('Carla');
    await page.getByRole('button', { name: /^Choose Carla Contact/ }).click();
    const byCarla = await api(`scope=team&referrerContactId=${carlaId}`);
    assert.deepEqual(
      byCarla.map((row) => row.reached),
      [1, 0, 0, 0],
      'c only',
    );
    await assertShows(page, byCarla);
    const [contactDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const contactCsv = await manager.api.get(`/api/v1/reports/funnel.csv?scope=team&referrerContactId=${carlaId}`);
    assert.equal(fs.readFileSync(await contactDownload.path(), 'utf8'), contactCsv.body);

    await page.getByRole('button', { name: 'Clear referrer' }).click();
    await assertShows(page, team);
    assert.deepEqual(await axeViolations(page), [], 'accessible with the referrer searches');
  });

  it('the Reports view says when the funnel was read (As of HH:MM)', async () => {
    const page = await pane();
    const asOf = (await manager.api.get('/api/v1/reports/funnel?scope=team')).body.asOf as string;
    const time = new Date(asOf).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    await page.getByText(`As of ${time}`).waitFor();
  });

  it('Download CSV saves exactly what GET /reports/funnel.csv answers', async () => {
    const page = await pane();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const expected = await manager.api.get('/api/v1/reports/funnel.csv?scope=team');
    assert.equal(expected.status, 200);
    assert.equal(download.suggestedFilename(), 'funnel-team-2026-11-14.csv');
    assert.equal(fs.readFileSync(await download.path(), 'utf8'), expected.body);
    await page.getByText('Downloaded funnel-team-2026-11-14.csv.').waitFor();
  });

  it('axe clean in light and dark theme; at 320 px nothing scrolls sideways', async () => {
    for (const theme of [undefined, '#1f1f1f']) {
      const page = await pane(theme);
      await assertShows(page, await api('scope=team'));
      assert.deepEqual(await axeViolations(page), [], `${theme ? 'dark' : 'light'} theme is accessible`);
      await page.setViewportSize({ width: 320, height: 720 });
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
        `no horizontal scroll at 320 px: ${await page.evaluate(() =>
          [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
            .slice(0, 8)
            .join(' | '),
        )}`,
      );
      await page.close();
    }
  });
});
