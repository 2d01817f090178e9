import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { issueAccessToken } from '../../server/auth/access-tokens';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import { TestClient } from '../helpers/api-client';
import { startChildServer, waitForOutput, type ChildServer } from '../helpers/child-server';
import { referral } from '../helpers/test-server';

/** Issue 11, finding 5: another process holds the write lock; the server must neither freeze nor fail reads. */
describe('a write lock held by another process', function () {
  this.timeout(60_000);
  const WRITE_WAIT_MS = 1500;
  let dir: string;
  let file: string;
  let server: ChildServer;
  let api: TestClient;
  /** Signed in with a token never used before: its first use would record "last used". */
  let unusedTokenApi: TestClient;
  let opportunityId: number;
  let holder: Database.Database;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-lock-'));
    file = path.join(dir, 'regarding.db');
    const setup = openDatabase(file);
    migrate(setup);
    const repo = createSqliteRepository(setup);
    const advisor = await repo.advisors.create(
      { email: 'ann@firm.example', displayName: 'Ann', role: 'advisor' },
      null,
    );
    const { token } = await issueAccessToken(repo, advisor.id, 'test', new Date());
    const unused = await issueAccessToken(repo, advisor.id, 'unused', new Date());
    await repo.close();
    server = await startChildServer({ DATABASE_FILE: file, TLS: 'off', WRITE_WAIT_MS: String(WRITE_WAIT_MS) });
    api = new TestClient(server.url, token);
    unusedTokenApi = new TestClient(server.url, unused.token);
    const created = await api.post('/api/v1/opportunities', referral('Before the lock', 'before@client.example'));
    assert.equal(created.status, 201);
    opportunityId = created.body.opportunity.id;
    holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
  });

  after(async () => {
    if (holder.inTransaction) holder.exec('ROLLBACK');
    holder.close();
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
    const start = performance.now();
    const result = await call();
    return { result, ms: performance.now() - start };
  }

  it('finding 5: keeps /healthz answering at once, reporting that writes are unavailable', async () => {
    const { result, ms } = await timed(() => fetch(`${server.url}/healthz`));
    assert.equal(result.status, 200);
    assert.deepEqual(await result.json(), { status: 'ok', writes: 'unavailable' });
    assert.ok(ms < WRITE_WAIT_MS, `healthz took ${ms.toFixed(0)} ms`);
  });

  it('finding 5: answers reads whose best-effort writes (token last use, "recent") cannot happen', async () => {
    const lastUse = () =>
      holder.prepare("SELECT last_used_at FROM access_tokens WHERE name = 'unused'").pluck().get() as string | null;
    assert.equal((await unusedTokenApi.get('/api/v1/me')).status, 200);
    assert.equal(lastUse(), null, 'the last use could not be recorded while the lock is held');
    const opened = await api.get(`/api/v1/opportunities/${opportunityId}`);
    assert.equal(opened.status, 200);
    assert.equal(opened.body.opportunity.topic, 'Before the lock');
    assert.equal((await api.get('/api/v1/opportunities')).status, 200);
  });

  it('finding 5: answers a write 503 with Retry-After after a short wait, serving others meanwhile, and changes nothing', async () => {
    const writing = timed(() =>
      api.post('/api/v1/opportunities', referral('During the lock', 'during@client.example')),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const health = await timed(() => fetch(`${server.url}/healthz`).then((response) => response.json()));
    const write = await writing;
    assert.deepEqual(health.result, { status: 'ok', writes: 'unavailable' });
    assert.ok(
      health.ms < write.ms,
      `healthz (${health.ms.toFixed(0)} ms) waited for the write (${write.ms.toFixed(0)} ms)`,
    );

    assert.equal(write.result.status, 503);
    assert.match(write.result.headers.get('content-type')!, /problem\+json/);
    assert.match(write.result.headers.get('retry-after')!, /^\d+$/);
    assert.match(write.result.body.detail, /busy.*Nothing was changed/);
    assert.ok(write.ms >= WRITE_WAIT_MS * 0.9, `answered after ${write.ms.toFixed(0)} ms, before the write wait`);
    await waitForOutput(server, /"statusCode":503/);
    const logged = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"statusCode":503'));
    assert.ok(
      logged.every((line) => line.includes('"level":40') && !line.includes('"stack"')),
      `a busy database is logged at warn without a stack trace:\n${logged.join('\n')}`,
    );

    holder.exec('ROLLBACK');
    const found = await api.get('/api/v1/opportunities?q=During');
    assert.equal(found.body.items.length, 0);
    const healthy = await fetch(`${server.url}/healthz`).then((response) => response.json());
    assert.deepEqual(healthy, { status: 'ok', writes: 'ok' });
    const retried = await api.post('/api/v1/opportunities', referral('During the lock', 'during@client.example'));
    assert.equal(retried.status, 201);
  });

  it('finding 5: lets a write wait out a lock released within the wait', async () => {
    holder.exec('BEGIN IMMEDIATE');
    setTimeout(() => holder.exec('COMMIT'), 300);
    const { result, ms } = await timed(() =>
      api.post('/api/v1/opportunities', referral('After a short lock', 'short@client.example')),
    );
    assert.equal(result.status, 201);
    assert.ok(ms >= 250, `answered in ${ms.toFixed(0)} ms, before the lock was released`);
  });
});
