import assert from 'node:assert/strict';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const bodies = (notes: { body: string }[]) => notes.map((n) => n.body).sort();

/**
 * The rule: a note is visible to its author and to whoever it is shared with, directly or through
 * a team, and to nobody else. Checked on every route that returns notes.
 */
describe('note visibility', () => {
  let server: TestServer;
  let author: Advisor;
  let owner: Advisor;
  let teammate: Advisor;
  let outsider: Advisor;
  let manager: Advisor;
  let opportunityId: number;
  let teamId: number;

  beforeEach(async () => {
    server = await startTestServer();
    author = await server.advisor('Avery Author');
    owner = await server.advisor('Owen Owner');
    teammate = await server.advisor('Tess Teammate');
    outsider = await server.advisor('Olly Outsider');
    manager = await server.advisor('Mona Manager', 'manager');
    teamId = (await server.repo.teams.create('Desk', [teammate.record.id, owner.record.id, manager.record.id], null))
      .id;
    const created = await author.api.post('/api/v1/opportunities', {
      ...referral('Referral with notes', 'client@visibility.example'),
      ownerId: owner.record.id,
      note: { body: 'referral note' },
    });
    opportunityId = created.body.opportunity.id;
    assert.deepEqual(bodies(created.body.notes), ['referral note'], 'create response: the author sees their note');
    await author.api.post(`/api/v1/opportunities/${opportunityId}/notes`, { body: 'private to author' });
    await author.api.post(`/api/v1/opportunities/${opportunityId}/notes`, {
      body: 'for the team',
      shareWith: { teamIds: [teamId] },
    });
  });
  afterEach(() => server.close());

  const visible = async (who: Advisor) =>
    bodies((await who.api.get(`/api/v1/opportunities/${opportunityId}`)).body.notes);

  it('on GET /opportunities/:id: author all, owner shared ones, team by team share, outsider and manager nothing unshared', async () => {
    assert.deepEqual(await visible(author), ['for the team', 'private to author', 'referral note']);
    assert.deepEqual(await visible(owner), ['for the team', 'referral note']);
    assert.deepEqual(await visible(teammate), ['for the team']);
    assert.deepEqual(await visible(manager), ['for the team'], 'a manager sees no note that is not shared with them');
    assert.deepEqual(await visible(outsider), []);
  });

  it("on the assign response: the new owner gets the assigner's notes, not other people's", async () => {
    const own = await owner.api.post(`/api/v1/opportunities/${opportunityId}/notes`, { body: 'owner only' });
    assert.equal(own.status, 201);
    const assigned = await owner.api.post(`/api/v1/opportunities/${opportunityId}/assign`, {
      ownerId: outsider.record.id,
    });
    assert.deepEqual(
      bodies(assigned.body.notes),
      ['for the team', 'owner only', 'referral note'],
      'the assigner still sees what they saw',
    );
    assert.deepEqual(await visible(outsider), ['owner only'], "only the assigner's own note was shared on assignment");
  });

  it('on note routes: a hidden note is 404 to edit or share; a visible one not mine is 403', async () => {
    const detail = await author.api.get(`/api/v1/opportunities/${opportunityId}`);
    const privateNote = detail.body.notes.find((n: { body: string }) => n.body === 'private to author');
    const teamNote = detail.body.notes.find((n: { body: string }) => n.body === 'for the team');
    assert.equal((await outsider.api.patch(`/api/v1/notes/${privateNote.id}`, { body: 'hacked' })).status, 404);
    assert.equal(
      (await outsider.api.post(`/api/v1/notes/${privateNote.id}/shares`, { advisorIds: [outsider.record.id] })).status,
      404,
    );
    assert.equal((await teammate.api.patch(`/api/v1/notes/${teamNote.id}`, { body: 'edited' })).status, 403);
    const edited = await author.api.patch(`/api/v1/notes/${privateNote.id}`, { body: 'edited by author' });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.body, 'edited by author');
    const shared = await author.api.post(`/api/v1/notes/${privateNote.id}/shares`, {
      advisorIds: [outsider.record.id],
    });
    assert.deepEqual(
      shared.body.sharedWith.advisors.map((a: { id: number }) => a.id),
      [outsider.record.id],
    );
    assert.deepEqual(await visible(outsider), ['edited by author']);
    const badShare = await author.api.post(`/api/v1/notes/${privateNote.id}/shares`, { teamIds: [777] });
    assert.equal(badShare.status, 400);
    assert.equal(badShare.body.errors[0].path, 'body.teamIds');
  });

  it('on New for me: the new owner sees the assigner and only notes shared with them', async () => {
    const res = await owner.api.get('/api/v1/work/new-for-me');
    assert.equal(res.status, 200);
    assert.equal(res.body.items.length, 1);
    assert.equal(res.body.items[0].assignment.by.id, author.record.id);
    assert.deepEqual(bodies(res.body.items[0].notes), ['for the team', 'referral note']);
    await owner.api.post('/api/v1/me/work-seen');
    assert.equal((await owner.api.get('/api/v1/work/new-for-me')).body.items.length, 0, 'seen items are no longer new');
  });
});
