import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('people and contacts API', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<TestServer['advisor']>>;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    admin = await server.advisor('Ada Admin', 'admin');
    alex = await server.advisor('Alex Morgan');
  });
  afterEach(() => server.close());

  it('tells who I am', async () => {
    const me = await alex.api.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.displayName, 'Alex Morgan');
    assert.equal(me.body.role, 'advisor');
    assert.equal(me.body.workSeenAt, null);
    assert.equal(me.body.entraOid, undefined, 'internal fields are not exposed');
  });

  it('lets only an admin add and change advisors and teams', async () => {
    const body = { email: 'New.Person@Firm.example', displayName: 'New Person' };
    assert.equal((await alex.api.post('/api/v1/advisors', body)).status, 403);
    const created = await admin.api.post('/api/v1/advisors', body);
    assert.equal(created.status, 201);
    assert.equal(created.body.email, 'new.person@firm.example');
    assert.equal((await admin.api.post('/api/v1/advisors', body)).status, 409);
    const bad = await admin.api.post('/api/v1/advisors', { email: 'nope', displayName: '' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), ['body.displayName', 'body.email']);

    const team = await admin.api.post('/api/v1/teams', { name: 'North', memberIds: [alex.record.id] });
    assert.equal(team.status, 201);
    assert.equal((await admin.api.post('/api/v1/teams', { name: 'north' })).status, 409);
    assert.equal((await admin.api.post('/api/v1/teams', { name: 'South', memberIds: [999] })).status, 400);
    const added = await admin.api.put(`/api/v1/teams/${team.body.id}/members/${created.body.id}`);
    assert.equal(added.body.members.length, 2);
    const removed = await admin.api.delete(`/api/v1/teams/${team.body.id}/members/${alex.record.id}`);
    assert.deepEqual(
      removed.body.members.map((m: { id: number }) => m.id),
      [created.body.id],
    );
    assert.equal((await admin.api.put(`/api/v1/teams/999/members/${alex.record.id}`)).status, 404);
    assert.equal((await alex.api.put(`/api/v1/teams/${team.body.id}/members/${alex.record.id}`)).status, 403);

    const deactivated = await admin.api.patch(`/api/v1/advisors/${created.body.id}`, { active: false });
    assert.equal(deactivated.body.active, false);
    assert.equal((await admin.api.patch(`/api/v1/advisors/${admin.record.id}`, { role: 'advisor' })).status, 400);
    assert.equal((await admin.api.patch('/api/v1/advisors/999', { active: true })).status, 404);
  });

  it('searches advisors and teams by prefix, active advisors only', async () => {
    await server.advisor('Blake Chen');
    const inactive = await server.advisor('Blair Gone');
    await server.repo.advisors.update(
      inactive.record.id,
      { active: false },
      { advisorId: admin.record.id, at: new Date().toISOString() },
    );
    const res = await alex.api.get('/api/v1/advisors?q=bl');
    assert.deepEqual(
      res.body.items.map((a: { displayName: string }) => a.displayName),
      ['Blake Chen'],
    );
    const byLastName = await alex.api.get('/api/v1/advisors?q=chen');
    assert.deepEqual(
      byLastName.body.items.map((a: { displayName: string }) => a.displayName),
      ['Blake Chen'],
    );
    await server.repo.teams.create('Northeast Wealth', [], null);
    const teams = await alex.api.get('/api/v1/teams?q=north');
    assert.deepEqual(
      teams.body.items.map((t: { name: string }) => t.name),
      ['Northeast Wealth'],
    );
  });

  it('creates a contact once per email (201 then 200 with the same one) and matches the organization by domain', async () => {
    const orgId = await server.repo.contacts.createOrganization('Harbor Dental', ['harbor.example'], null);
    const first = await alex.api.post('/api/v1/contacts', { name: 'Jordan Lee', email: 'Jordan@Harbor.example' });
    assert.equal(first.status, 201);
    assert.equal(first.body.email, 'jordan@harbor.example');
    assert.deepEqual(first.body.organization, { id: orgId, name: 'Harbor Dental' });
    const again = await alex.api.post('/api/v1/contacts', { name: 'J. Lee', email: 'jordan@harbor.example' });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.name, 'Jordan Lee', 'the existing contact is not overwritten');

    await server.repo.contacts.createOrganization('Gmail users?', ['gmail.com'], null);
    const consumer = await alex.api.post('/api/v1/contacts', { name: 'Priya', email: 'priya@gmail.com' });
    assert.equal(consumer.body.organization, null, 'public mail domains never match an organization');

    const byName = await alex.api.get('/api/v1/contacts?q=lee');
    assert.deepEqual(
      byName.body.items.map((c: { name: string }) => c.name),
      ['Jordan Lee'],
    );
    const byEmails = await alex.api.get('/api/v1/contacts?email=priya@gmail.com&email=jordan@harbor.example');
    assert.equal(byEmails.body.items.length, 2);
    const neither = await alex.api.get('/api/v1/contacts');
    assert.equal(neither.status, 400);
    const badEmail = await alex.api.get('/api/v1/contacts?email=not-an-email');
    assert.equal(badEmail.body.errors[0].path, 'query.email');
  });
});
