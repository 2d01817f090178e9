import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { endpoints, type Endpoint } from '../../shared/api';
import { ManualClock } from '../../server/clock';
import { pino } from 'pino';
import { loadConfig } from '../../server/config';
import { Interleaver } from '../helpers/interleave';
import { ISSUER, OTHER_TENANT, startOidcIssuer, TENANT } from '../helpers/oidc-issuer';
import { itOnSqlite, startTestServer, type TestServer } from '../helpers/test-server';

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
    // The real time: JWT expiry is checked against the server clock. SIGN_IN_REUSE_MS=0: on PostgreSQL, changes made
    // behind the instance's back (as another instance's) reach its very next request (the reuse has its own tests in
    // sign-in-reuse.test.ts).
    server = await startTestServer({ ...issuer.env, SIGN_IN_REUSE_MS: '0' }, { clock: new ManualClock(new Date()) });
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

  it('accepts a valid Entra ID token of the configured tenant, binding the advisor on first sign-in', async () => {
    const token = await issuer.sign({ tid: TENANT, oid: 'oid-alex', preferred_username: alex.record.email });
    const me = await server.client.as(token).get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.id, alex.record.id);
    const stranger = await server.client
      .as(await issuer.sign({ tid: TENANT, oid: 'oid-x', preferred_username: 'nobody@firm.example' }))
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
    await server.rows(
      'UPDATE access_tokens SET expires_at = ? WHERE id = ?',
      new Date(Date.now() - 1000).toISOString(),
      token.id,
    );
    assert.equal((await blake.api.get('/api/v1/me')).status, 401);
  });

  it('applies a revocation or a team change to the very next request, whether this process or another made it', async () => {
    const other = server.anotherConnection(); // as the admin CLI does: its own connection
    const viaApi = await server.advisor('Casey');
    const viaCli = await server.advisor('Dana');
    // Twice each first, so that anything a server might remember of a token or its advisor would be in use when it changes.
    for (const advisor of [viaApi, viaCli, viaApi, viaCli])
      assert.equal((await advisor.api.get('/api/v1/me')).status, 200);

    const [token] = await server.repo.tokens.listFor(viaApi.record.id);
    await server.repo.tokens.revoke(token.id, new Date().toISOString());
    assert.equal((await viaApi.api.get('/api/v1/me')).status, 401);

    const team = await other.value<number>(
      "INSERT INTO teams (name, created_at) VALUES ('Night desk', ?) RETURNING id",
      new Date().toISOString(),
    );
    await other.rows('INSERT INTO team_members (team_id, advisor_id) VALUES (?, ?)', team, viaCli.record.id);
    assert.deepEqual((await viaCli.api.get('/api/v1/me')).body.teams, [{ id: Number(team), name: 'Night desk' }]);
    await other.rows(
      'UPDATE access_tokens SET revoked_at = ? WHERE advisor_id = ?',
      new Date().toISOString(),
      viaCli.record.id,
    );
    assert.equal((await viaCli.api.get('/api/v1/me')).status, 401);
  });

  it('issue 15: a deactivation or a role change applies to the very next request, from another process or this one', async () => {
    const other = server.anotherConnection(); // another process's connection
    const erin = await server.advisor('Erin');
    const frank = await server.advisor('Frank');
    const me = async (advisor: typeof erin) => advisor.api.get('/api/v1/me');
    for (const advisor of [erin, frank, erin, frank]) assert.equal((await me(advisor)).status, 200);

    await other.rows("UPDATE advisors SET role = 'manager' WHERE id = ?", erin.record.id);
    assert.equal((await me(erin)).body.role, 'manager');
    assert.equal((await me(frank)).body.role, 'advisor');
    await other.rows('UPDATE advisors SET active = false WHERE id = ?', erin.record.id);
    assert.equal((await me(erin)).status, 401);
    assert.equal((await me(frank)).status, 200);

    // On the server's own connection too (a change made by the process that answers).
    await server.rows("UPDATE advisors SET role = 'admin' WHERE id = ?", frank.record.id);
    assert.equal((await me(frank)).body.role, 'admin');
    await server.rows('UPDATE advisors SET active = false WHERE id = ?', frank.record.id);
    assert.equal((await me(frank)).status, 401);
  });
});

describe('finding 12: Entra ID accounts are bound by tenant and object id', () => {
  const FOREIGN_TENANT = '5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c';
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let server: TestServer;
  let warnings: { msg: string; advisorId?: number }[];
  let kim: Awaited<ReturnType<TestServer['advisor']>>;

  const start = async (env: Record<string, string> = {}, options: Parameters<typeof startTestServer>[1] = {}) => {
    warnings = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    server = await startTestServer(
      { ...issuer.env, ...env },
      { clock: new ManualClock(new Date()), logger, ...options },
    );
    kim = await server.advisor('Kim Lee');
  };
  const meWith = async (claims: Record<string, unknown>, options?: Parameters<typeof issuer.sign>[1]) =>
    server.client.as(await issuer.sign(claims, options)).get('/api/v1/me');
  const binding = async (id: number) =>
    (await server.rows('SELECT entra_tid AS tid, entra_oid AS oid FROM advisors WHERE id = ?', id))[0];

  before(async () => {
    issuer = await startOidcIssuer();
  });
  after(() => issuer.close());
  afterEach(() => server.close());

  it('finding 12: the first sign-in binds the advisor by (tid, oid), by preferred_username or upn', async () => {
    await start();
    const first = await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email.toUpperCase() });
    assert.equal(first.status, 200);
    assert.equal(first.body.id, kim.record.id);
    assert.deepEqual(await binding(kim.record.id), { tid: TENANT, oid: 'oid-kim' });

    const ines = await server.advisor('Ines');
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-ines', upn: ines.record.email })).body.id, ines.record.id);
    assert.deepEqual(await binding(ines.record.id), { tid: TENANT, oid: 'oid-ines' });
    const audit = await server.rows(
      "SELECT actor_kind, actor_id FROM audit_log WHERE entity = 'advisor' AND action = 'bind-entra' ORDER BY id",
    );
    assert.deepEqual(audit, [
      { actor_kind: 'advisor', actor_id: kim.record.id },
      { actor_kind: 'advisor', actor_id: ines.record.id },
    ]);
  });

  it('finding 12: a changed preferred_username on a bound account still maps to the same advisor by (tid, oid)', async () => {
    await start();
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email })).status, 200);
    const other = await server.advisor('Other');
    for (const username of ['kim.lee.renamed@firm.example', other.record.email, undefined]) {
      const res = await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: username });
      assert.equal(res.status, 200, `with preferred_username ${username}`);
      assert.equal(res.body.id, kim.record.id, `with preferred_username ${username}`);
    }
    assert.deepEqual(
      await binding(other.record.id),
      { tid: null, oid: null },
      "another advisor's username binds nothing",
    );
  });

  it('finding 12: a token with the right preferred_username but a foreign tid is refused, and binds nothing', async () => {
    await start();
    for (const tid of [FOREIGN_TENANT, OTHER_TENANT]) {
      assert.equal((await meWith({ tid, oid: 'oid-kim', preferred_username: kim.record.email })).status, 401, tid);
    }
    // Its own tenant's issuer, or the configured tenant's: neither passes.
    const withOurIssuer = await meWith(
      { tid: FOREIGN_TENANT, oid: 'oid-kim', preferred_username: kim.record.email },
      { issuer: ISSUER },
    );
    assert.equal(withOurIssuer.status, 401);
    assert.deepEqual(await binding(kim.record.id), { tid: null, oid: null });
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email })).status, 200);
  });

  it("finding 12: each configured tenant's token must name its own tenant's issuer", async () => {
    await start({ OIDC_TENANTS: `${TENANT},${OTHER_TENANT}` });
    const claims = { tid: OTHER_TENANT, oid: 'oid-kim', preferred_username: kim.record.email };
    assert.equal((await meWith(claims, { issuer: ISSUER })).status, 401, "another configured tenant's issuer");
    assert.equal((await meWith(claims)).status, 200, 'its own issuer');
    assert.deepEqual(await binding(kim.record.id), { tid: OTHER_TENANT, oid: 'oid-kim' });
  });

  it('finding 12: the email claim alone never binds', async () => {
    await start();
    const res = await meWith({ tid: TENANT, oid: 'oid-kim', email: kim.record.email });
    assert.equal(res.status, 401);
    const misleading = await meWith({
      tid: TENANT,
      oid: 'oid-mallory',
      preferred_username: 'mallory@firm.example',
      email: kim.record.email,
    });
    assert.equal(misleading.status, 401);
    assert.deepEqual(await binding(kim.record.id), { tid: null, oid: null });
  });

  it('finding 12: a token without tid or oid is refused, even for a bound account', async () => {
    await start();
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email })).status, 200);
    for (const claims of [
      { oid: 'oid-kim', preferred_username: kim.record.email },
      { tid: TENANT, preferred_username: kim.record.email },
      { tid: TENANT, oid: '', preferred_username: kim.record.email },
      { tid: TENANT, oid: 42, preferred_username: kim.record.email },
    ]) {
      assert.equal((await meWith(claims)).status, 401, JSON.stringify(claims));
    }
  });

  it('finding 12: the same oid from another tenant is a different identity', async () => {
    await start({ OIDC_TENANTS: `${TENANT},${OTHER_TENANT}` });
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-shared', preferred_username: kim.record.email })).status, 200);
    const fromOther = await meWith({ tid: OTHER_TENANT, oid: 'oid-shared', preferred_username: 'kim@other.example' });
    assert.equal(fromOther.status, 401, 'the oid of another tenant does not sign in as Kim');
    const withKimsName = await meWith({ tid: OTHER_TENANT, oid: 'oid-shared', preferred_username: kim.record.email });
    assert.equal(withKimsName.status, 401, "nor with Kim's username");
    assert.deepEqual(await binding(kim.record.id), { tid: TENANT, oid: 'oid-shared' });
  });

  it('finding 12: a bound advisor cannot be taken over by another oid with their username (401, and a warning logged)', async () => {
    await start({ OIDC_TENANTS: `${TENANT},${OTHER_TENANT}` });
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email })).status, 200);
    for (const [tid, oid] of [
      [TENANT, 'oid-mallory'],
      [OTHER_TENANT, 'oid-kim'],
    ]) {
      const res = await meWith({ tid, oid, preferred_username: kim.record.email, upn: kim.record.email });
      assert.equal(res.status, 401, `${tid} ${oid}`);
      assert.equal(res.body.detail, 'The token is not valid.', 'the refusal does not say the account exists');
    }
    assert.deepEqual(await binding(kim.record.id), { tid: TENANT, oid: 'oid-kim' });
    const refusals = warnings.filter((line) => /Entra sign-in refused/.test(line.msg));
    assert.deepEqual(
      refusals.map((line) => line.advisorId),
      [kim.record.id, kim.record.id],
    );
  });

  it('finding 12: of two first sign-ins with different accounts, only one binds (the check is in the write)', async () => {
    const interleaver = new Interleaver();
    await start({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    const pause = interleaver.pauseNext('advisors', 'setEntraIdentity');
    const mallory = meWith({ tid: TENANT, oid: 'oid-mallory', preferred_username: kim.record.email });
    await pause.reached; // checked: Kim is unbound; about to bind
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: kim.record.email })).status, 200);
    pause.release();
    assert.equal((await mallory).status, 401);
    assert.deepEqual(await binding(kim.record.id), { tid: TENANT, oid: 'oid-kim' });
    assert.equal((await meWith({ tid: TENANT, oid: 'oid-mallory' })).status, 401);
  });

  it("finding 12: a binding made before migration 6 (no tenant) is completed only by the issuer's tenant", async () => {
    await start({ OIDC_TENANTS: `${TENANT},${OTHER_TENANT}` });
    await server.rows("UPDATE advisors SET entra_oid = 'oid-kim' WHERE id = ?", kim.record.id);
    assert.equal((await meWith({ tid: OTHER_TENANT, oid: 'oid-kim' })).status, 401);
    assert.equal((await meWith({ tid: OTHER_TENANT, oid: 'oid-x', preferred_username: kim.record.email })).status, 401);
    assert.deepEqual(await binding(kim.record.id), { tid: null, oid: 'oid-kim' });
    const res = await meWith({ tid: TENANT, oid: 'oid-kim', preferred_username: 'renamed@firm.example' });
    assert.equal(res.body.id, kim.record.id);
    assert.deepEqual(await binding(kim.record.id), { tid: TENANT, oid: 'oid-kim' });
  });
});

describe('finding 12: the tenants whose accounts may sign in', () => {
  itOnSqlite(
    'finding 12: migration 6 keeps the bindings made before it, with no tenant, and makes (tid, oid) unique',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
      const db = openDatabase(path.join(dir, 'v5.db'));
      try {
        migrate(db, { to: 5 });
        db.exec(`INSERT INTO advisors (id, email, display_name, role, entra_oid, created_at) VALUES
        (1, 'kim@firm.example', 'Kim Lee', 'advisor', 'oid-kim', '2026-11-01T00:00:00.000Z'),
        (2, 'lee@firm.example', 'Lee Park', 'advisor', NULL, '2026-11-01T00:00:00.000Z')`);
        assert.deepEqual(
          migrate(db, { to: 6 }).applied.map((m) => m.version),
          [6],
        );
        assert.deepEqual(db.prepare('SELECT id, entra_tid, entra_oid FROM advisors ORDER BY id').all(), [
          { id: 1, entra_tid: null, entra_oid: 'oid-kim' },
          { id: 2, entra_tid: null, entra_oid: null },
        ]);
        assert.deepEqual(
          db.prepare("SELECT name FROM pragma_index_info('advisors_entra_identity') ORDER BY seqno").pluck().all(),
          ['entra_tid', 'entra_oid'],
        );
        assert.equal(
          db
            .prepare("SELECT \"unique\" FROM pragma_index_list('advisors') WHERE name = 'advisors_entra_identity'")
            .pluck()
            .get(),
          1,
        );
        db.prepare('UPDATE advisors SET entra_tid = ? WHERE id = 1').run(TENANT);
        assert.throws(
          () => db.prepare("UPDATE advisors SET entra_tid = ?, entra_oid = 'oid-kim' WHERE id = 2").run(TENANT),
          /UNIQUE constraint failed/,
        );
      } finally {
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("finding 12: OIDC_TENANTS defaults to the issuer's tenant; an issuer for any tenant needs OIDC_TENANTS", () => {
    const load = (env: Record<string, string>) =>
      loadConfig({ AUTH_PROVIDERS: 'oidc', OIDC_AUDIENCE: 'api://regarding-test', ...env });
    assert.deepEqual(load({ OIDC_ISSUER: ISSUER }).auth.oidc?.tenants, [{ id: TENANT, issuer: ISSUER }]);
    for (const tenant of ['organizations', 'common']) {
      const OIDC_ISSUER = `https://login.microsoftonline.com/${tenant}/v2.0`;
      assert.throws(() => load({ OIDC_ISSUER }), /OIDC_ISSUER accepts accounts from any tenant.*set OIDC_TENANTS/);
      assert.deepEqual(load({ OIDC_ISSUER, OIDC_TENANTS: `${TENANT}, ${OTHER_TENANT.toUpperCase()}` }).auth.oidc, {
        issuer: OIDC_ISSUER,
        audience: 'api://regarding-test',
        jwksUri: undefined,
        clientId: undefined,
        scopes: ['api://regarding-test/access_as_user'],
        tenants: [
          { id: TENANT, issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` },
          { id: OTHER_TENANT, issuer: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` },
        ],
        issuerTenant: null,
      });
    }
    assert.throws(() => load({ OIDC_ISSUER: ISSUER, OIDC_TENANTS: 'contoso' }), /OIDC_TENANTS\.0: not a tenant id/);
    assert.throws(
      () => load({ OIDC_ISSUER: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0' }),
      /name the tenant by its id/,
    );
    assert.throws(() => load({ OIDC_ISSUER: 'https://idp.example/realms/firm' }), /not an Entra ID v2.0 issuer/);
  });
});
