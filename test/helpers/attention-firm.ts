import assert from 'node:assert/strict';
import { ATTENTION_FACT_COLUMNS } from '../../server/db/postgres/migrations/033_attention_facts';
import type { TestServer } from './test-server';

/**
 * The firm needs attention is compared on (attention-due.test.ts, attention-conformance.test.ts), its advisors' zones
 * and the moments: the US clocks change on 14 March 2027, Europe's on 28 March, Auckland's on 4 April; 17 and 26 March
 * are the firm's holidays (HOLIDAYS).
 */
export const ZONES = ['UTC', 'America/New_York', 'Europe/Paris', 'Pacific/Auckland', 'Asia/Kathmandu'];
export const HOLIDAYS = ['2027-03-17', '2027-03-26'];
export const START = '2027-03-08T09:00:00.000Z';
export const MOMENTS = [
  '2027-03-12T16:59:59.999Z',
  '2027-03-14T07:30:00.000Z',
  '2027-03-17T12:00:00.000Z',
  '2027-03-18T04:00:00.000Z',
  '2027-03-22T15:00:00.000Z',
  '2027-03-26T23:30:00.000Z',
  '2027-03-28T01:30:00.000Z',
  '2027-03-29T09:00:00.000Z',
  '2027-04-03T14:30:00.000Z',
  '2027-04-12T00:00:00.000Z',
];

export type Advisor = Awaited<ReturnType<TestServer['advisor']>>;

/** An admin, a manager, an owner in each of ZONES, a team of the manager and the first three owners, the holidays. */
export async function setUpAttentionFirm(
  server: TestServer,
): Promise<{ admin: Advisor; manager: Advisor; owners: Advisor[] }> {
  const admin = await server.advisor('Ada Admin', 'admin');
  const manager = await server.advisor('Mia Manager', 'manager');
  const owners: Advisor[] = [];
  for (const [index, zone] of ZONES.entries()) {
    const owner = await server.advisor(`Owner ${index} ${zone}`);
    assert.equal((await owner.api.patch('/api/v1/me/preferences', { timeZone: zone })).status, 200);
    owners.push(owner);
  }
  const team = await admin.api.post('/api/v1/teams', { name: 'Desk' });
  assert.equal(team.status, 201, JSON.stringify(team.body));
  for (const member of [manager, ...owners.slice(0, 3)]) {
    const added = await admin.api.put(`/api/v1/teams/${team.body.id}/members/${member.record.id}`);
    assert.ok(added.status < 300, JSON.stringify(added.body));
  }
  for (const date of HOLIDAYS) {
    const res = await admin.api.post('/api/v1/holidays', { date, name: `Holiday ${date}` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  return { admin, manager, owners };
}

/** PostgreSQL's open opportunities whose kept facts (migration 33) differ from those its view computes from the rows. */
export const FACTS_DIFFERING = `SELECT opportunity_id FROM opportunity_attention_facts f
  FULL JOIN opportunity_attention_facts_source s USING (opportunity_id)
  WHERE (${ATTENTION_FACT_COLUMNS.map((column) => `f.${column}`).join(', ')})
    IS DISTINCT FROM (${ATTENTION_FACT_COLUMNS.map((column) => `s.${column}`).join(', ')})`;
