import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { Interleaver } from '../helpers/interleave';
import { migrate } from '../../server/db/migrate';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

describe('Closed opportunities, their events, and the My Work scope (issue 13)', () => {
  let server: TestServer;
  let owner: Client;
  let manager: Client;

  beforeEach(async () => {
    server = await startTestServer();
    owner = await server.advisor('Olive Owner');
    manager = await server.advisor('Mona Manager', 'manager');
    await server.repo.teams.create('Desk', [owner.record.id, manager.record.id], null);
  });
  afterEach(() => server.close());

  const create = async (api: Client['api'], topic: string) => {
    const res = await api.post('/api/v1/opportunities', referral(topic, `${topic.replace(/\W+/g, '')}@client.example`));
    assert.equal(res.status, 201);
    return res.body.opportunity.id as number;
  };

  it("team closed view: a manager sees the team's won and lost opportunities, an advisor is refused", async () => {
    const won = await create(owner.api, 'Won rollover');
    const lost = await create(owner.api, 'Lost annuity');
    await create(owner.api, 'Still open');
    const outsider = await server.advisor('Otto Outsider');
    const elsewhere = await create(outsider.api, 'Other desk deal');
    assert.equal((await owner.api.post(`/api/v1/opportunities/${won}/close`, { outcome: 'won' })).status, 200);
    assert.equal((await owner.api.post(`/api/v1/opportunities/${lost}/close`, { outcome: 'lost' })).status, 200);
    assert.equal((await outsider.api.post(`/api/v1/opportunities/${elsewhere}/close`, { outcome: 'won' })).status, 200);

    const team = await manager.api.get('/api/v1/opportunities?view=team-closed');
    assert.equal(team.status, 200);
    assert.deepEqual(team.body.items.map((o: { topic: string; status: string }) => [o.topic, o.status]).sort(), [
      ['Lost annuity', 'lost'],
      ['Won rollover', 'won'],
    ]);
    const lookup = await manager.api.get('/api/v1/opportunities/lookup?view=team-closed&q=rollover');
    assert.deepEqual(
      lookup.body.items.map((o: { topic: string; status: string }) => [o.topic, o.status]),
      [['Won rollover', 'won']],
    );

    const refused = await owner.api.get('/api/v1/opportunities?view=team-closed');
    assert.equal(refused.status, 403);
    assert.doesNotMatch(JSON.stringify(refused.body), /rollover|annuity/i);
    const mine = await owner.api.get('/api/v1/opportunities?view=closed');
    assert.equal(mine.body.items.length, 2, 'the owner still sees their own closed ones');
  });

  it("closed view: a manager's own closed opportunities only; the team's are under team-closed", async () => {
    const theirs = await create(owner.api, 'Owner deal');
    const own = await create(manager.api, 'Manager deal');
    assert.equal((await owner.api.post(`/api/v1/opportunities/${theirs}/close`, { outcome: 'won' })).status, 200);
    assert.equal((await manager.api.post(`/api/v1/opportunities/${own}/close`, { outcome: 'won' })).status, 200);
    const topics = async (view: string) =>
      ((await manager.api.get(`/api/v1/opportunities?view=${view}`)).body.items as { topic: string }[])
        .map((o) => o.topic)
        .sort();
    assert.deepEqual(await topics('closed'), ['Manager deal']);
    assert.deepEqual(await topics('team-closed'), ['Manager deal', 'Owner deal']);
  });

  it('events on close/reopen: the timeline records the outcome, value, reason, who and when of a close, and who and when of a reopen', async () => {
    const id = await create(owner.api, 'Pension transfer');
    server.clock.set('2026-11-19T09:00:00.000Z');
    const closed = await manager.api.post(`/api/v1/opportunities/${id}/close`, {
      outcome: 'won',
      actualValue: 12000,
      reason: 'Signed the forms',
    });
    assert.equal(closed.status, 200);
    server.clock.set('2026-11-20T15:30:00.000Z');
    assert.equal((await owner.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);

    const detail = await owner.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(detail.status, 200);
    const simplify = (e: Record<string, unknown> & { by: { displayName: string } }) => ({
      kind: e.kind,
      outcome: e.outcome,
      value: e.value,
      reason: e.reason,
      by: e.by.displayName,
      at: e.createdAt,
    });
    assert.deepEqual(detail.body.events.map(simplify), [
      { kind: 'reopened', outcome: null, value: null, reason: null, by: 'Olive Owner', at: '2026-11-20T15:30:00.000Z' },
      {
        kind: 'closed',
        outcome: 'won',
        value: 12000,
        reason: 'Signed the forms',
        by: 'Mona Manager',
        at: '2026-11-19T09:00:00.000Z',
      },
    ]);
    assert.equal(detail.body.eventsNextCursor, null);

    // Paged like the other parts: one at a time, the cursor leads to the older one.
    const first = await owner.api.get(`/api/v1/opportunities/${id}/events?limit=1`);
    assert.deepEqual(first.body.items.map(simplify)[0].kind, 'reopened');
    const second = await owner.api.get(
      `/api/v1/opportunities/${id}/events?limit=1&before=${encodeURIComponent(first.body.nextCursor)}`,
    );
    assert.deepEqual(
      second.body.items.map((e: { kind: string }) => e.kind),
      ['closed'],
    );
  });

  it('events on close/reopen: a refused or repeated close records no event', async () => {
    const id = await create(owner.api, 'Estate plan');
    const stranger = await server.advisor('Sam Stranger');
    assert.equal((await stranger.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 403);
    assert.equal((await owner.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' })).status, 200);
    assert.equal((await owner.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 409);
    const events = await owner.api.get(`/api/v1/opportunities/${id}/events`);
    assert.deepEqual(
      events.body.items.map((e: { kind: string; outcome: string; by: { displayName: string } }) => [
        e.kind,
        e.outcome,
        e.by.displayName,
      ]),
      [['closed', 'lost', 'Olive Owner']],
    );
  });

  it('events on close/reopen: two closes and two reopens at once record one event each, by whoever won the race', async () => {
    const interleaver = new Interleaver();
    const racing = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    try {
      const olive = await racing.advisor('Olive Owner');
      const max = await racing.advisor('Max Manager', 'manager');
      await racing.repo.teams.create('North', [olive.record.id, max.record.id], null);
      const created = await olive.api.post('/api/v1/opportunities', referral('Rollover', 'pat@client.example'));
      const path = `/api/v1/opportunities/${created.body.opportunity.id}`;

      const closing = interleaver.pauseNext('opportunities', 'close');
      const byManager = max.api.post(`${path}/close`, { outcome: 'won', actualValue: 1000 });
      await closing.reached;
      assert.equal((await olive.api.post(`${path}/close`, { outcome: 'lost', reason: 'Went elsewhere' })).status, 200);
      closing.release();
      assert.equal((await byManager).status, 409);

      const reopening = interleaver.pauseNext('opportunities', 'reopen');
      const reopenByManager = max.api.post(`${path}/reopen`);
      await reopening.reached;
      assert.equal((await olive.api.post(`${path}/reopen`)).status, 200);
      reopening.release();
      assert.equal((await reopenByManager).status, 409);

      const events = (await olive.api.get(`${path}/events`)).body.items as {
        kind: string;
        outcome: string | null;
        reason: string | null;
        by: { displayName: string };
      }[];
      assert.deepEqual(
        events.map((e) => [e.kind, e.outcome, e.reason, e.by.displayName]),
        [
          ['reopened', null, null, 'Olive Owner'],
          ['closed', 'lost', 'Went elsewhere', 'Olive Owner'],
        ],
      );
    } finally {
      await racing.close();
    }
  });

  itOnSqlite(
    'migration 012 backfills one close event for an opportunity closed before it, from its actual close date',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
      const db = openDatabase(path.join(dir, 'v9.db'));
      try {
        migrate(db, { to: 9 });
        db.exec(`INSERT INTO advisors (id, email, display_name, role, created_at) VALUES
          (1, 'kim@firm.example', 'Kim Lee', 'advisor', '2026-11-01T00:00:00.000Z');
        INSERT INTO organizations (id, name, created_at) VALUES (1, 'Acme', '2026-11-01T00:00:00.000Z');
        INSERT INTO opportunities (id, topic, customer_organization_id, campaign_id, stage, stage_entered_at, status,
            owner_id, assigned_at, created_by_id, actual_value, actual_close_date, close_reason, created_at, updated_at)
          VALUES
          (1, 'Won before', 1, 1, 'close', '2026-11-01T00:00:00.000Z', 'won', 1, '2026-11-01T00:00:00.000Z', 1,
           5000, '2026-11-10', 'Signed', '2026-11-01T00:00:00.000Z', '2026-11-12T00:00:00.000Z'),
          (2, 'Still open', 1, 1, 'qualify', '2026-11-01T00:00:00.000Z', 'open', 1, '2026-11-01T00:00:00.000Z', 1,
           NULL, NULL, NULL, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');`);
        migrate(db);
        assert.deepEqual(
          db
            .prepare(
              'SELECT opportunity_id, kind, outcome, value, reason, by_advisor_id, created_at FROM opportunity_events',
            )
            .all(),
          [
            {
              opportunity_id: 1,
              kind: 'closed',
              outcome: 'won',
              value: 5000,
              reason: 'Signed',
              by_advisor_id: 1,
              created_at: '2026-11-10T12:00:00.000Z',
            },
          ],
        );
      } finally {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('default team for managers: GET /me opens a manager on team and an advisor on me until they choose', async () => {
    assert.equal((await manager.api.get('/api/v1/me')).body.workScope, 'team');
    assert.equal((await owner.api.get('/api/v1/me')).body.workScope, 'me');
  });

  it('preference saved per advisor: the chosen scope is on the service, for every client of that advisor only', async () => {
    const saved = await manager.api.patch('/api/v1/me/preferences', { workScope: 'me' });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.workScope, 'me');
    // Another client of the same advisor (another token) opens on the same scope; another manager keeps the default.
    const { issueAccessToken } = await import('../../server/auth/access-tokens');
    const { token } = await issueAccessToken(server.repo, manager.record.id, 'desktop', server.clock.now());
    assert.equal((await server.client.as(token).get('/api/v1/me')).body.workScope, 'me');
    const other = await server.advisor('Max Manager', 'manager');
    assert.equal((await other.api.get('/api/v1/me')).body.workScope, 'team');

    assert.equal((await owner.api.patch('/api/v1/me/preferences', { workScope: 'closed' })).body.workScope, 'closed');
    assert.equal((await owner.api.get('/api/v1/me')).body.workScope, 'closed');
  });

  it('preference saved per advisor: only a manager may keep the team scope, and a bad scope names the field', async () => {
    const refused = await owner.api.patch('/api/v1/me/preferences', { workScope: 'team' });
    assert.equal(refused.status, 403);
    assert.equal((await owner.api.get('/api/v1/me')).body.workScope, 'me');
    const bad = await owner.api.patch('/api/v1/me/preferences', { workScope: 'everyone' });
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /problem\+json/);
    assert.match(JSON.stringify(bad.body), /workScope/);
    // A manager who chose team and is no longer a manager opens on their own work.
    await manager.api.patch('/api/v1/me/preferences', { workScope: 'team' });
    const admin = await server.advisor('Ada Admin', 'admin');
    await admin.api.patch(`/api/v1/advisors/${manager.record.id}`, { role: 'advisor' });
    assert.equal((await manager.api.get('/api/v1/me')).body.workScope, 'me');
  });
});
