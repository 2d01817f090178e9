import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Found by the hostile probe of issue 14: values the schemas accepted and the services then misread. */
describe('time zones, months and holiday years are read as people mean them', () => {
  let server: TestServer;
  beforeEach(async () => (server = await startTestServer()));
  afterEach(() => server.close());

  it('stores a time zone as IANA spells it, so it compares equal to the browser’s', async () => {
    const kim = await server.advisor('Kim Lee');
    const admin = await server.advisor('Ada Admin', 'admin');
    const own = await kim.api.patch('/api/v1/me/preferences', { timeZone: 'europe/paris' });
    assert.deepEqual([own.status, own.body.timeZone], [200, 'Europe/Paris']);
    const set = await admin.api.patch(`/api/v1/advisors/${kim.record.id}`, { timeZone: 'america/new_york' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal((await kim.api.get('/api/v1/me')).body.timeZone, 'America/New_York');
  });

  it('refuses a points month before 1970 or after 9998-12 with 400 naming month, instead of a wrong century or a 500', async () => {
    const admin = await server.advisor('Ada Admin', 'admin');
    for (const month of ['0050-06', '0000-01', '1969-12', '9999-12']) {
      const res = await admin.api.get(`/api/v1/reports/points?scope=all&month=${month}`);
      assert.equal(res.status, 400, `${month}: ${JSON.stringify(res.body)}`);
      assert.match(JSON.stringify(res.body), /month/);
    }
    const ok = await admin.api.get('/api/v1/reports/points?scope=all&month=1970-01');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.month, '1970-01');
  });

  it('takes holidays only in the years it can list, and a year only as four digits', async () => {
    const admin = await server.advisor('Ada Admin', 'admin');
    const early = await admin.api.post('/api/v1/holidays', { date: '0000-01-01', name: 'Year zero' });
    assert.equal(early.status, 400, JSON.stringify(early.body));
    assert.match(JSON.stringify(early.body), /body\.date/);
    for (const year of ['0x7EA', '2e3', '1969', ' 2026']) {
      const res = await admin.api.get(`/api/v1/holidays?year=${encodeURIComponent(year)}`);
      assert.equal(res.status, 400, `${year}: ${JSON.stringify(res.body)}`);
      assert.match(JSON.stringify(res.body), /year/);
    }
    assert.equal((await admin.api.post('/api/v1/holidays', { date: '2026-12-25', name: 'Christmas' })).status, 201);
    const listed = await admin.api.get('/api/v1/holidays?year=2026');
    assert.deepEqual(
      listed.body.map((h: { date: string }) => h.date),
      ['2026-12-25'],
    );
  });
});
