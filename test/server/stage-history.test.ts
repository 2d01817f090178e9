import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { Interleaver } from '../helpers/interleave';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;

/** Issue 14, the funnel: every stage change is recorded, with its time and who made it, in the write that makes it. */
describe('stage history (migration 016)', () => {
  let server: TestServer;
  let interleaver: Interleaver;
  let owner: Client;
  let manager: Client;

  beforeEach(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    owner = await server.advisor('Olive Owner');
    manager = await server.advisor('Max Manager', 'manager');
    await server.repo.teams.create('North', [owner.record.id, manager.record.id], null);
  });
  afterEach(() => server.close());

  const history = (id: number) =>
    server.rows<{ stage: string; from_stage: string | null; at: string; by_advisor_id: number | null }>(
      'SELECT stage, from_stage, at, by_advisor_id FROM stage_changes WHERE opportunity_id = ? ORDER BY id',
      id,
    );
  const version = async (id: number) =>
    (await owner.api.get(`/api/v1/opportunities/${id}`)).body.opportunity.version as number;
  const patch = (api: Client['api'], id: number, v: number, body: unknown) =>
    api.patch(`/api/v1/opportunities/${id}`, body, { 'If-Match': `"${v}"` });

  it('stage history: create records the first stage; a stage change records from and to, by whom, when', async () => {
    const created = await owner.api.post('/api/v1/opportunities', referral('Rollover', 'pat@client.example'));
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    server.clock.set('2026-11-20T09:00:00.000Z');
    assert.equal((await patch(manager.api, id, await version(id), { stage: 'propose' })).status, 200);
    assert.deepEqual(await history(id), [
      { stage: 'qualify', from_stage: null, at: '2026-11-18T10:00:00.000Z', by_advisor_id: owner.record.id },
      { stage: 'propose', from_stage: 'qualify', at: '2026-11-20T09:00:00.000Z', by_advisor_id: manager.record.id },
    ]);
  });

  it('stage history: an update that keeps the stage, and a close or reopen, record no stage change', async () => {
    const created = await owner.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'ann@client.example', { stage: 'develop' }),
    );
    const id = created.body.opportunity.id as number;
    assert.equal((await patch(owner.api, id, await version(id), { stage: 'develop', topic: 'Annuity 2' })).status, 200);
    assert.equal((await patch(owner.api, id, await version(id), { estimatedValue: 900 })).status, 200);
    server.clock.set('2026-11-19T10:00:00.000Z');
    assert.equal((await owner.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' })).status, 200);
    server.clock.set('2026-11-20T10:00:00.000Z');
    assert.equal((await owner.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 200);
    assert.deepEqual(
      (await history(id)).map((h) => [h.stage, h.from_stage]),
      [['develop', null]],
    );
    // Closes and reopens are the events that stop and restart the time in stage.
    assert.deepEqual(
      await server.rows(
        "SELECT kind, created_at FROM opportunity_events WHERE opportunity_id = ? AND kind <> 'referred' ORDER BY id",
        id,
      ),
      [
        { kind: 'closed', created_at: '2026-11-19T10:00:00.000Z' },
        { kind: 'reopened', created_at: '2026-11-20T10:00:00.000Z' },
      ],
    );
  });

  it('stage history under a conflicting concurrent update: the stale change records nothing, its retry records from the stage the other left', async () => {
    const created = await owner.api.post('/api/v1/opportunities', referral('Trust', 'tess@client.example'));
    const id = created.body.opportunity.id as number;
    const pause = interleaver.pauseNext('opportunities', 'update');
    server.clock.set('2026-11-19T10:00:00.000Z');
    const byManager = patch(manager.api, id, 1, { stage: 'propose' });
    await pause.reached;
    server.clock.set('2026-11-19T11:00:00.000Z');
    assert.equal((await patch(owner.api, id, 1, { stage: 'develop' })).status, 200);
    pause.release();
    assert.equal((await byManager).status, 409);
    assert.deepEqual(
      (await history(id)).map((h) => [h.stage, h.from_stage, h.by_advisor_id]),
      [
        ['qualify', null, owner.record.id],
        ['develop', 'qualify', owner.record.id],
      ],
    );
    server.clock.set('2026-11-19T12:00:00.000Z');
    assert.equal((await patch(manager.api, id, 2, { stage: 'propose' })).status, 200);
    assert.deepEqual((await history(id)).at(-1), {
      stage: 'propose',
      from_stage: 'develop',
      at: '2026-11-19T12:00:00.000Z',
      by_advisor_id: manager.record.id,
    });
  });

  itOnSqlite(
    'migration 016 backfills one entry per existing opportunity: its current stage at stage_entered_at',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
      const db = openDatabase(path.join(dir, 'v15.db'));
      try {
        migrate(db, { to: 15 });
        db.exec(`INSERT INTO advisors (id, email, display_name, role, created_at) VALUES
          (1, 'kim@firm.example', 'Kim Lee', 'advisor', '2026-11-01T00:00:00.000Z');
        INSERT INTO organizations (id, name, created_at) VALUES (1, 'Acme', '2026-11-01T00:00:00.000Z');
        INSERT INTO opportunities (id, topic, customer_organization_id, campaign_id, stage, stage_entered_at, status,
            owner_id, assigned_at, created_by_id, created_at, updated_at)
          VALUES
          (1, 'Open in develop', 1, 1, 'develop', '2026-11-05T08:00:00.000Z', 'open', 1, '2026-11-01T00:00:00.000Z', 1,
           '2026-11-01T00:00:00.000Z', '2026-11-05T08:00:00.000Z'),
          (2, 'Won in close', 1, 1, 'close', '2026-11-07T09:30:00.000Z', 'won', 1, '2026-11-02T00:00:00.000Z', 1,
           '2026-11-02T00:00:00.000Z', '2026-11-09T00:00:00.000Z');`);
        assert.deepEqual(
          migrate(db, { to: 16 }).applied.map((m) => m.version),
          [16],
        );
        assert.deepEqual(
          db
            .prepare('SELECT opportunity_id, stage, from_stage, at, by_advisor_id FROM stage_changes ORDER BY id')
            .all(),
          [
            {
              opportunity_id: 1,
              stage: 'develop',
              from_stage: null,
              at: '2026-11-05T08:00:00.000Z',
              by_advisor_id: null,
            },
            {
              opportunity_id: 2,
              stage: 'close',
              from_stage: null,
              at: '2026-11-07T09:30:00.000Z',
              by_advisor_id: null,
            },
          ],
        );
      } finally {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
