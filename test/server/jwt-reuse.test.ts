import assert from 'node:assert/strict';
import { ManualClock } from '../../server/clock';
import { startOidcIssuer, TENANT } from '../helpers/oidc-issuer';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('issue 15: an Entra token’s verified signature is reused, never its advisor', () => {
  let server: TestServer;
  let clock: ManualClock;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;

  before(async () => {
    issuer = await startOidcIssuer();
  });
  after(() => issuer.close());
  beforeEach(async () => {
    // The real time: JWT expiry is checked against the server clock.
    clock = new ManualClock(new Date());
    server = await startTestServer(issuer.env, { clock });
  });
  afterEach(() => server.close());

  it('jwt reuse: a verified token is refused once it expires (past the 60 s tolerance), though it was accepted before', async () => {
    const alex = await server.advisor('Alex Morgan');
    const token = await issuer.sign(
      { tid: TENANT, oid: 'oid-alex', preferred_username: alex.record.email },
      { expiresIn: '2m' },
    );
    const me = () => server.client.as(token).get('/api/v1/me');
    assert.equal((await me()).status, 200);
    assert.equal((await me()).status, 200);
    clock.advance(2 * 60_000 + 30_000);
    assert.equal((await me()).status, 200, 'within the clock tolerance');
    clock.advance(45_000);
    const expired = await me();
    assert.equal(expired.status, 401);
    assert.match(expired.body.detail, /not valid/);
  });

  it('jwt reuse: a deactivation or a role change applies to the very next request of a token already verified, from another process or this one', async () => {
    const other = server.anotherConnection(); // another process's connection
    const erin = await server.advisor('Erin');
    const token = await issuer.sign({ tid: TENANT, oid: 'oid-erin', preferred_username: erin.record.email });
    const me = () => server.client.as(token).get('/api/v1/me');
    for (let i = 0; i < 2; i++) assert.equal((await me()).body.role, 'advisor');
    await other.rows("UPDATE advisors SET role = 'manager' WHERE id = ?", erin.record.id);
    assert.equal((await me()).body.role, 'manager');
    await server.rows("UPDATE advisors SET role = 'admin' WHERE id = ?", erin.record.id);
    assert.equal((await me()).body.role, 'admin');
    await other.rows('UPDATE advisors SET active = false WHERE id = ?', erin.record.id);
    const refused = await me();
    assert.equal(refused.status, 401);
    assert.match(refused.body.detail, /deactivated|not valid/);
    await other.rows('UPDATE advisors SET active = true WHERE id = ?', erin.record.id);
    assert.equal((await me()).status, 200);
  });

  it('jwt reuse: the account is looked up on every request: a verified token of no advisor signs in as soon as the advisor exists', async () => {
    const token = await issuer.sign({ tid: TENANT, oid: 'oid-gale', preferred_username: 'gale.new@firm.example' });
    const me = () => server.client.as(token).get('/api/v1/me');
    assert.equal((await me()).status, 401);
    assert.equal((await me()).status, 401);
    const gale = await server.repo.advisors.create(
      { email: 'gale.new@firm.example', displayName: 'Gale New', role: 'advisor' },
      null,
    );
    const signedIn = await me();
    assert.equal(signedIn.status, 200);
    assert.equal(signedIn.body.id, gale.id);
  });

  it('jwt reuse: a refused signature is refused every time, and does not stand for the valid token of the same account', async () => {
    const alex = await server.advisor('Alex Morgan');
    const claims = { tid: TENANT, oid: 'oid-alex', preferred_username: alex.record.email };
    const forged = await issuer.sign(claims, { foreignKey: true });
    for (let i = 0; i < 2; i++) assert.equal((await server.client.as(forged).get('/api/v1/me')).status, 401);
    const valid = await issuer.sign(claims);
    assert.equal((await server.client.as(valid).get('/api/v1/me')).status, 200);
    assert.equal(
      (await server.client.as(forged).get('/api/v1/me')).status,
      401,
      'the valid one verified changes nothing',
    );
  });
});
