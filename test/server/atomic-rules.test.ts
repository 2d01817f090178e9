import assert from 'node:assert/strict';
import { Interleaver } from '../helpers/interleave';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

/**
 * Issue 11, atomic rules: each test lets one request pass its checks, holds it just before its write,
 * runs a second request to the end, then lets the first write go. The first must then be judged on
 * the state the second left, never on the state it checked.
 */
describe('atomic rules: a change checked on one state never lands on another', () => {
  let server: TestServer;
  let interleaver: Interleaver;
  beforeEach(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
  });
  afterEach(() => server.close());

  async function desk() {
    const owner = await server.advisor('Olive Owner');
    const manager = await server.advisor('Max Manager', 'manager');
    const elsewhere = await server.advisor('Eli Elsewhere');
    await server.repo.teams.create('North', [owner.record.id, manager.record.id], null);
    await server.repo.teams.create('South', [elsewhere.record.id], null);
    const created = await owner.api.post('/api/v1/opportunities', referral('Rollover', 'pat@client.example'));
    assert.equal(created.status, 201);
    const id = created.body.opportunity.id as number;
    return { owner, manager, elsewhere, id, path: `/api/v1/opportunities/${id}` };
  }

  it('two closes at once: the second is refused 409 and the first outcome stands', async () => {
    const { owner, manager, path } = await desk();
    const pause = interleaver.pauseNext('opportunities', 'close');
    const wonByManager = manager.api.post(`${path}/close`, { outcome: 'won', actualValue: 1000 });
    await pause.reached;
    const lostByOwner = await owner.api.post(`${path}/close`, { outcome: 'lost', reason: 'Went elsewhere' });
    assert.equal(lostByOwner.status, 200);
    pause.release();
    const won = await wonByManager;
    assert.equal(won.status, 409);
    assert.match(won.body.detail, /already lost/);
    const after = (await owner.api.get(path)).body.opportunity;
    assert.equal(after.status, 'lost');
    assert.equal(after.actualValue, null);
    assert.equal(after.closeReason, 'Went elsewhere');
  });

  it('an assignment checked while open does not land on an opportunity closed meanwhile', async () => {
    const { owner, manager, elsewhere, path } = await desk();
    const pause = interleaver.pauseNext('opportunities', 'assign');
    const assigning = manager.api.post(`${path}/assign`, { ownerId: elsewhere.record.id });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'won' })).status, 200);
    pause.release();
    const assigned = await assigning;
    assert.equal(assigned.status, 409);
    assert.match(assigned.body.detail, /won: reopen it/);
    const after = (await owner.api.get(path)).body;
    assert.equal(after.opportunity.owner.id, owner.record.id);
    assert.equal(after.assignments.length, 1, 'only the original assignment');
  });

  it("a manager's close is re-checked after the opportunity left the manager's team: 403, still open", async () => {
    const { owner, manager, elsewhere, path } = await desk();
    const pause = interleaver.pauseNext('opportunities', 'close');
    const closing = manager.api.post(`${path}/close`, { outcome: 'lost' });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/assign`, { ownerId: elsewhere.record.id })).status, 200);
    pause.release();
    assert.equal((await closing).status, 403);
    const after = (await elsewhere.api.get(path)).body.opportunity;
    assert.equal(after.status, 'open');
    assert.equal(after.owner.id, elsewhere.record.id);
  });

  it('two reopens at once: one reopens, the other is refused 409', async () => {
    const { owner, manager, path } = await desk();
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'lost' })).status, 200);
    const pause = interleaver.pauseNext('opportunities', 'reopen');
    const first = manager.api.post(`${path}/reopen`);
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/reopen`)).status, 200);
    pause.release();
    const second = await first;
    assert.equal(second.status, 409);
    assert.match(second.body.detail, /already open/);
    assert.equal((await owner.api.get(path)).body.opportunity.version, 3, 'create, close, one reopen');
  });

  it('an edit checked against version 1 is refused once an assignment moved it to version 2', async () => {
    const { owner, manager, path } = await desk();
    const pause = interleaver.pauseNext('opportunities', 'update');
    const editing = manager.api.patch(path, { topic: 'Renamed by the manager' }, { 'If-Match': '"1"' });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/assign`, { ownerId: manager.record.id })).status, 200);
    pause.release();
    const edited = await editing;
    assert.equal(edited.status, 409);
    assert.match(edited.body.detail, /now at version 2/);
    assert.equal((await owner.api.get(path)).body.opportunity.topic, 'Rollover');
  });

  it("an edit is re-checked once an assignment took the opportunity out of the manager's team: 403", async () => {
    const { owner, manager, elsewhere, path } = await desk();
    const pause = interleaver.pauseNext('opportunities', 'update');
    const editing = manager.api.patch(path, { topic: 'Renamed by the manager' }, { 'If-Match': '"1"' });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/assign`, { ownerId: elsewhere.record.id })).status, 200);
    pause.release();
    assert.equal((await editing).status, 403);
    assert.equal((await owner.api.get(path)).body.opportunity.topic, 'Rollover');
  });

  it('a manager removed from the team between the check and the write is refused, and nothing changes', async () => {
    const { owner, manager, path } = await desk();
    const admin = await server.advisor('Ada Admin', 'admin');
    const north = (await admin.api.get('/api/v1/teams?q=North')).body.items[0].id as number;
    const pause = interleaver.pauseNext('opportunities', 'close');
    const closing = manager.api.post(`${path}/close`, { outcome: 'lost' });
    await pause.reached;
    assert.equal((await admin.api.delete(`/api/v1/teams/${north}/members/${manager.record.id}`)).status, 200);
    pause.release();
    assert.equal((await closing).status, 403);
    assert.equal((await owner.api.get(path)).body.opportunity.status, 'open');
  });

  it('an email linked by someone who could read the opportunity is not linked once closing put it out of reach', async () => {
    const { owner, elsewhere, id, path } = await desk();
    const pause = interleaver.pauseNext('activities', 'upsertRegarding');
    const linking = elsewhere.api.post('/api/v1/activities/regarding', {
      item: emailItem('<late-link@client.example>'),
      opportunityId: id,
    });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'won' })).status, 200);
    pause.release();
    assert.equal((await linking).status, 404);
    assert.equal(await server.value('SELECT count(*) FROM activities'), 0);
  });

  it('an activity moved to an opportunity that closed out of reach meanwhile stays where it was', async () => {
    const { owner, elsewhere, id, path } = await desk();
    const mine = await elsewhere.api.post('/api/v1/opportunities', referral('Their own', 'own@client.example'));
    const linked = await elsewhere.api.post('/api/v1/activities/regarding', {
      item: emailItem('<moved@client.example>'),
      opportunityId: mine.body.opportunity.id,
    });
    const pause = interleaver.pauseNext('activities', 'setRegarding');
    const moving = elsewhere.api.put(`/api/v1/activities/${linked.body.id}/regarding`, { opportunityId: id });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'won' })).status, 200);
    pause.release();
    assert.equal((await moving).status, 404);
    const after = (
      await elsewhere.api.get(
        `/api/v1/activities/lookup?internetMessageId=${encodeURIComponent('<moved@client.example>')}`,
      )
    ).body;
    assert.equal(after.regarding.id, mine.body.opportunity.id);
  });

  it('an opportunity is not given to an owner deactivated between the check and the write', async () => {
    const { owner, elsewhere } = await desk();
    const admin = await server.advisor('Ada Admin', 'admin');
    const pause = interleaver.pauseNext('opportunities', 'create');
    const creating = owner.api.post(
      '/api/v1/opportunities',
      referral('For Eli', 'eli-client@client.example', { ownerId: elsewhere.record.id }),
    );
    await pause.reached;
    assert.equal((await admin.api.patch(`/api/v1/advisors/${elsewhere.record.id}`, { active: false })).status, 200);
    pause.release();
    const created = await creating;
    assert.equal(created.status, 400);
    assert.equal(created.body.errors[0].path, 'body.ownerId');
    assert.equal(await server.value("SELECT count(*) FROM opportunities WHERE topic = 'For Eli'"), 0);
  });

  it('an assignment to an advisor deactivated between the check and the write is refused with the field', async () => {
    const { owner, elsewhere, path } = await desk();
    const admin = await server.advisor('Ada Admin', 'admin');
    const pause = interleaver.pauseNext('opportunities', 'assign');
    const assigning = owner.api.post(`${path}/assign`, { ownerId: elsewhere.record.id });
    await pause.reached;
    assert.equal((await admin.api.patch(`/api/v1/advisors/${elsewhere.record.id}`, { active: false })).status, 200);
    pause.release();
    const assigned = await assigning;
    assert.equal(assigned.status, 400);
    assert.equal(assigned.body.errors[0].path, 'body.ownerId');
    assert.equal((await owner.api.get(path)).body.opportunity.owner.id, owner.record.id);
  });
  it('a next step checked while open is not created on an opportunity closed meanwhile', async () => {
    const { owner, manager, id, path } = await desk();
    const pause = interleaver.pauseNext('activities', 'createNextStep');
    const creating = manager.api.post('/api/v1/activities', {
      kind: 'phone_call',
      subject: 'Call back',
      opportunityId: id,
    });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'won' })).status, 200);
    pause.release();
    const created = await creating;
    assert.equal(created.status, 409);
    assert.match(created.body.detail, /won: reopen it first/);
    assert.equal(await server.value('SELECT count(*) FROM activities'), 0);
  });

  it("a note checked while the opportunity was open is not added once closing put it out of the author's reach", async () => {
    const { owner, elsewhere, id, path } = await desk();
    const pause = interleaver.pauseNext('notes', 'create');
    const adding = elsewhere.api.post(`${path}/notes`, { body: 'They called me too' });
    await pause.reached;
    assert.equal((await owner.api.post(`${path}/close`, { outcome: 'lost' })).status, 200);
    pause.release();
    assert.equal((await adding).status, 404);
    assert.equal(await server.value('SELECT count(*) FROM notes WHERE opportunity_id = ?', id), 0);
  });
});
