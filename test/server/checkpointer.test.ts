import assert from 'node:assert/strict';
import fs from 'node:fs';
import { walIndexOf } from '../../server/repository/sqlite/checkpoint-flags';
import { checkpointerOf, type Checkpointer } from '../../server/repository/sqlite/checkpointer';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 15: the WAL is checkpointed by a thread of its own, not inside the COMMIT of a request. */
describe('checkpointer', function () {
  this.timeout(120_000);

  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  /** A signed-in advisor's set-regarding writes (a new email each, with a long subject), `count` at once. */
  async function writer(started: TestServer) {
    const { api } = await started.advisor('Checkpoint writer');
    const target = await api.post('/api/v1/opportunities', referral('Checkpoint target', 'wal@client.example'));
    assert.equal(target.status, 201);
    const opportunityId = target.body.opportunity.id as number;
    let n = 0;
    return async (count: number) => {
      const answers = await Promise.all(
        Array.from({ length: count }, () =>
          api.post('/api/v1/activities/regarding', {
            item: emailItem(`<wal-${n++}@x>`, { subject: `Rollover ${n} `.padEnd(1000, 'x') }),
            opportunityId,
          }),
        ),
      );
      for (const answer of answers) assert.equal(answer.status, 200);
    };
  }

  async function until(condition: () => boolean, what: string) {
    for (let tries = 0; tries < 250 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(condition(), what);
  }

  it('a request COMMIT does not run a checkpoint: the WAL grows past 1,000 pages across requests while the checkpointer is held, and the checkpointer brings it back', async () => {
    server = await startTestServer();
    const file = server.config.databaseFile;
    const checkpointer = checkpointerOf(server.db) as Checkpointer;
    const write = await writer(server);
    checkpointer.hold(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = checkpointer.checkpoints();
    // Held, the thread copies nothing: were the request connection checkpointing (SQLite's default, at 1,000 pages),
    // pages would be copied (backfilled) and the WAL would start over.
    let frames = walIndexOf(file).frames;
    for (let rounds = 0; rounds < 200 && frames <= 1500; rounds++) {
      await write(25);
      const now = walIndexOf(file);
      assert.ok(now.frames >= frames, `the WAL started over at ${now.frames} pages after ${frames}: a checkpoint ran`);
      assert.equal(now.backfilled, 0, 'a request connection copied WAL pages into the database file');
      frames = now.frames;
    }
    assert.ok(frames > 1500, `the writes filled only ${frames} WAL pages`);
    assert.equal(checkpointer.checkpoints(), before);

    checkpointer.hold(false);
    await until(() => checkpointer.checkpoints() > before, 'the checkpointer never ran');
    await until(() => walIndexOf(file).backfilled >= frames, 'the checkpointer did not copy the WAL');
    // Everything copied: the next write starts the WAL over.
    await write(1);
    assert.ok(walIndexOf(file).frames < 100, `the WAL did not start over (${walIndexOf(file).frames} pages)`);
  });

  it('the WAL stays bounded when the checkpointer is held: the request connection checkpoints past ten times its pages', async () => {
    server = await startTestServer({ WAL_CHECKPOINT_PAGES: '100' });
    const file = server.config.databaseFile;
    const checkpointer = checkpointerOf(server.db) as Checkpointer;
    const write = await writer(server);
    checkpointer.hold(true);
    // The migrations' pages were checkpointed at start; one the thread is in when held still finishes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = checkpointer.checkpoints();
    let largest = 0;
    let startedOver = 0;
    let frames = walIndexOf(file).frames;
    // Writes worth several times the bound (1,000 pages).
    let written = 0;
    for (let rounds = 0; rounds < 400 && written < 4000; rounds++) {
      await write(10);
      const now = walIndexOf(file).frames;
      if (now < frames) startedOver += 1;
      written += Math.max(0, now - frames);
      frames = now;
      largest = Math.max(largest, now);
    }
    assert.equal(checkpointer.checkpoints(), before, 'the held checkpointer ran');
    assert.ok(startedOver >= 2, `the WAL started over ${startedOver} times`);
    // The bound, plus the last transactions before the checkpoint that crossed it.
    assert.ok(largest < 1300, `the WAL reached ${largest} pages`);
  });

  it('a WAL already copied into the file is not checkpointed again on every look while nothing is written', async () => {
    server = await startTestServer({ WAL_CHECKPOINT_PAGES: '100' });
    const file = server.config.databaseFile;
    const checkpointer = checkpointerOf(server.db) as Checkpointer;
    const write = await writer(server);
    const before = checkpointer.checkpoints();
    while (walIndexOf(file).frames < 200) await write(10);
    await until(() => checkpointer.checkpoints() > before, 'the checkpointer never ran');
    await until(() => walIndexOf(file).backfilled === walIndexOf(file).frames, 'the checkpointer did not copy the WAL');
    await until(() => checkpointer.framesSeen() === 0, 'the thread still sees pages to copy');
    const copied = checkpointer.checkpoints();
    // About 25 looks at 20 ms: the WAL still holds its pages (nothing started it over), all of them copied.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(walIndexOf(file).frames >= 200);
    assert.equal(checkpointer.checkpoints(), copied, 'the thread checkpointed a WAL with nothing left to copy');
  });

  it('stopping the server stops the checkpointer thread, and the test database can be deleted', async () => {
    const started = await startTestServer();
    const checkpointer = checkpointerOf(started.db) as Checkpointer;
    assert.equal(checkpointer.running(), true);
    await started.close();
    assert.equal(checkpointer.running(), false);
    assert.equal(fs.existsSync(started.dir), false);
  });
});
