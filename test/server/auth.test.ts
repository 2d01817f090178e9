import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { endpoints, type Endpoint } from '../../shared/api';
import { ManualClock } from '../../server/clock';
import { startOidcIssuer } from '../helpers/oidc-issuer';
import { startTestServer, type TestServer } from '../helpers/test-server';

const allEndpoints = Object.entries(endpoints) as [string, Endpoint][];
const pathOf = (endpoint: Endpoint) => `/api/v1${endpoint.path.replace(/:\w+/g, '1')}`;

describe('authentication', () => {
  let server: TestServer;
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;

  before(async () => {
    issuer = await startOidcIssuer();
  });
  after(() => issuer.close());
  beforeEach(async () => {
    // The real time: JWT expiry is checked against the server clock.
    server = await startTestServer(issuer.env, { clock: new ManualClock(new Date()) });
    alex = await server.advisor('Alex Morgan');
  });
  afterEach(() => server.close());

  it(`rejects every one of the ${allEndpoints.length} API routes without a valid credential`, async () => {
    const revoked = await server.advisor('Rex Revoked');
    const [token] = await server.repo.tokens.listFor(revoked.record.id);
    await server.repo.tokens.revoke(token.id, new Date().toISOString());
    const credentials: Record<string, string | undefined> = {
      'no token': undefined,
      'garbage token': 'not-a-token',
      'unknown access token': 'rgd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      'revoked access token': revoked.token,
      'expired JWT': await issuer.sign(
        { oid: 'x', preferred_username: alex.record.email },
        { expiresIn: Math.floor(Date.now() / 1000) - 3600 },
      ),
      'JWT for another audience': await issuer.sign(
        { preferred_username: alex.record.email },
        { audience: 'api://someone-else' },
      ),
      'JWT from another issuer': await issuer.sign(
        { preferred_username: alex.record.email },
        { issuer: 'https://evil.example/v2.0' },
      ),
      'JWT signed by another key': await issuer.sign({ preferred_username: alex.record.email }, { foreignKey: true }),
    };
    for (const [name, endpoint] of allEndpoints) {
      for (const [what, credential] of Object.entries(credentials)) {
        const res = await server.client
          .as(credential)
          .request(endpoint.method.toUpperCase(), pathOf(endpoint), endpoint.method === 'get' ? {} : { body: {} });
        assert.equal(res.status, 401, `${name} (${endpoint.method} ${endpoint.path}) with ${what}: ${res.status}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer');
        assert.match(res.headers.get('content-type')!, /problem\+json/);
      }
    }
  });

  it('leaves only /healthz, the OpenAPI document and the sign-in configuration public', async () => {
    assert.equal((await server.client.get('/healthz')).status, 200);
    assert.equal((await server.client.get('/api/v1/openapi.json')).status, 200);
    const config = await server.client.get('/api/v1/auth/config');
    assert.deepEqual(config.body.providers, ['pat', 'oidc']);
  });

  it('accepts a valid Entra ID token, matching the advisor by email first and by oid afterwards', async () => {
    const byEmail = await server.client
      .as(await issuer.sign({ oid: 'oid-alex', preferred_username: alex.record.email.toUpperCase() }))
      .get('/api/v1/me');
    assert.equal(byEmail.status, 200);
    assert.equal(byEmail.body.id, alex.record.id);
    const byOid = await server.client
      .as(await issuer.sign({ oid: 'oid-alex', preferred_username: 'renamed@firm.example' }))
      .get('/api/v1/me');
    assert.equal(byOid.body.id, alex.record.id);
    const impostor = await server.client
      .as(await issuer.sign({ oid: 'oid-other', preferred_username: alex.record.email }))
      .get('/api/v1/me');
    assert.equal(impostor.status, 401, 'an email already bound to another oid does not sign in');
    const stranger = await server.client
      .as(await issuer.sign({ oid: 'oid-x', preferred_username: 'nobody@firm.example' }))
      .get('/api/v1/me');
    assert.equal(stranger.status, 401);
  });

  it('refuses deactivated advisors and expired access tokens', async () => {
    assert.equal((await alex.api.get('/api/v1/me')).status, 200);
    await server.repo.advisors.update(
      alex.record.id,
      { active: false },
      { advisorId: alex.record.id, at: new Date().toISOString() },
    );
    const res = await alex.api.get('/api/v1/me');
    assert.equal(res.status, 401);
    assert.match(res.body.detail, /deactivated/);

    const blake = await server.advisor('Blake');
    const [token] = await server.repo.tokens.listFor(blake.record.id);
    server.db
      .prepare('UPDATE access_tokens SET expires_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), token.id);
    assert.equal((await blake.api.get('/api/v1/me')).status, 401);
  });

  it('applies a revocation or a team change to the very next request, whether this process or another made it', async () => {
    const other = new Database(server.config.databaseFile); // as the admin CLI does: its own connection
    try {
      const viaApi = await server.advisor('Casey');
      const viaCli = await server.advisor('Dana');
      // Twice each first, so that anything the server remembered of a token or its advisor would be in use when it changes.
      for (const advisor of [viaApi, viaCli, viaApi, viaCli])
        assert.equal((await advisor.api.get('/api/v1/me')).status, 200);

      const [token] = await server.repo.tokens.listFor(viaApi.record.id);
      await server.repo.tokens.revoke(token.id, new Date().toISOString());
      assert.equal((await viaApi.api.get('/api/v1/me')).status, 401);

      const team = other
        .prepare("INSERT INTO teams (name, created_at) VALUES ('Night desk', ?)")
        .run(new Date().toISOString()).lastInsertRowid;
      other.prepare('INSERT INTO team_members (team_id, advisor_id) VALUES (?, ?)').run(team, viaCli.record.id);
      assert.deepEqual((await viaCli.api.get('/api/v1/me')).body.teams, [{ id: Number(team), name: 'Night desk' }]);
      other
        .prepare('UPDATE access_tokens SET revoked_at = ? WHERE advisor_id = ?')
        .run(new Date().toISOString(), viaCli.record.id);
      assert.equal((await viaCli.api.get('/api/v1/me')).status, 401);
    } finally {
      other.close();
    }
  });
});
