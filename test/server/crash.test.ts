import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { TestClient, type TestResponse } from '../helpers/api-client';
import { startChildServer } from '../helpers/child-server';

/** Kill -9 in the middle of concurrent writes: every write the server acknowledged must survive. */
describe('crash safety', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-crash-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write after SIGKILL under concurrent load', async () => {
    const databaseFile = path.join(dir, 'crash.db');
    const setup = openDatabase(databaseFile);
    migrate(setup);
    const repo = createSqliteRepository(setup);
    const advisor = await repo.advisors.create(
      { email: 'crash@firm.example', displayName: 'Crash Test', role: 'advisor' },
      null,
    );
    const { token } = await issueAccessToken(repo, advisor.id, 'crash', new Date());
    await repo.close();

    const env = { DATABASE_FILE: databaseFile, TLS: 'off', DEMO_DATA: 'off' };
    const server = await startChildServer(env);
    const api = new TestClient(server.url, token);
    const created = await api.post('/api/v1/opportunities', {
      topic: 'Crash target',
      customer: { newContact: { name: 'C', email: 'c@client.example' } },
    });
    assert.equal(created.status, 201);
    const opportunityId = created.body.opportunity.id;

    const acknowledged: { kind: 'note' | 'link'; id: number; marker: string }[] = [];
    let stop = false;
    let sequence = 0;
    const worker = async () => {
      while (!stop) {
        const n = sequence++;
        try {
          if (n % 2) {
            const res = await api.post(`/api/v1/opportunities/${opportunityId}/notes`, { body: `note ${n}` });
            if (res.status === 201) acknowledged.push({ kind: 'note', id: res.body.id, marker: `note ${n}` });
          } else {
            const res = await api.post('/api/v1/activities/regarding', {
              item: { kind: 'email', internetMessageId: `<crash-${n}@x>`, subject: `mail ${n}` },
              opportunityId,
            });
            if (res.status === 200) acknowledged.push({ kind: 'link', id: res.body.id, marker: `<crash-${n}@x>` });
          }
        } catch {
          return; // connection reset by the kill: this write was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    server.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    assert.equal(await server.exited, 'SIGKILL');
    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes were acknowledged before the kill`);

    const restarted = await startChildServer(env);
    try {
      // The detail holds only the newest page of each: read every page (finding 6).
      const client = new TestClient(restarted.url, token);
      const every = async <T>(part: 'notes' | 'activities'): Promise<T[]> => {
        const items: T[] = [];
        let before: string | null = null;
        do {
          const res: TestResponse<{ items: T[]; nextCursor: string | null }> = await client.get(
            `/api/v1/opportunities/${opportunityId}/${part}?limit=100${before ? `&before=${before}` : ''}`,
          );
          assert.equal(res.status, 200);
          items.push(...res.body.items);
          before = res.body.nextCursor;
        } while (before);
        return items;
      };
      const notes = new Map((await every<{ id: number; body: string }>('notes')).map((n) => [n.id, n.body]));
      const links = new Map(
        (await every<{ id: number; outlook: { internetMessageId: string } }>('activities')).map((a) => [
          a.id,
          a.outlook.internetMessageId,
        ]),
      );
      const lost = acknowledged.filter((w) => (w.kind === 'note' ? notes.get(w.id) : links.get(w.id)) !== w.marker);
      assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged writes were lost`);
    } finally {
      restarted.child.kill('SIGTERM');
      assert.equal(await restarted.exited, 0, 'a SIGTERM shuts down cleanly');
    }
    const check = openDatabase(databaseFile);
    assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    check.close();
  });
});
