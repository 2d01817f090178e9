import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../server/db/connection';
import { ConflictError } from '../../server/errors';
import { migrate } from '../../server/db/migrate';
import { createServices } from '../../server/services';
import { OTHER_TENANT, startOidcIssuer, TENANT } from '../helpers/oidc-issuer';
import { runAdminCli as admin } from '../helpers/admin-cli';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface AuditRow {
  id: number;
  actor_kind: 'advisor' | 'system';
  actor_id: number | null;
  entity: string;
  entity_id: number;
  action: string;
  details: string | null;
}

describe('admin command line', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  const run = (...args: string[]) => admin(file, ...args);
  const ok = async (...args: string[]) => {
    const result = await run(...args);
    assert.equal(result.code, 0, `admin ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const read = <T>(query: string, ...params: unknown[]): T[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(query).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  const audit = () => read<AuditRow>('SELECT * FROM audit_log ORDER BY id');
  const advisor = (email: string) =>
    read<{ id: number; role: string; active: number }>(
      'SELECT id, role, active FROM advisors WHERE email = ?',
      email,
    )[0];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-admin-'));
    file = path.join(dir, 'admin.db');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('records every change it makes as the system, never as the advisor changed', async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    await ok('advisor', 'add', '--email', 'alex@firm.example', '--name', 'Alex Morgan');
    assert.match(
      await ok('advisor', 'set', '--email', 'alex@firm.example', '--role', 'manager'),
      /Alex Morgan: role manager, active, time zone UTC, quota none\./,
    );
    await ok('team', 'add', 'Northeast', '--members', 'ada@firm.example');
    await ok('team', 'add-member', 'Northeast', 'alex@firm.example');
    const created = await ok('token', 'create', '--email', 'alex@firm.example', '--name', 'laptop');
    const tokenId = /Token (\d+) for Alex Morgan/.exec(created)![1];
    assert.match(await ok('token', 'revoke', tokenId), new RegExp(`Revoked token ${tokenId}`));

    const rows = audit();
    assert.deepEqual(
      rows.map((row) => `${row.entity} ${row.action}`),
      [
        'advisor create',
        'advisor create',
        'advisor update',
        'team create',
        'team add-member',
        'access_token create',
        'access_token revoke',
      ],
    );
    for (const row of rows) {
      assert.equal(row.actor_kind, 'system', `${row.entity} ${row.action}`);
      assert.equal(row.actor_id, null, `${row.entity} ${row.action}`);
    }
    const alex = advisor('alex@firm.example');
    assert.deepEqual(JSON.parse(rows[2].details!), { role: 'manager' });
    assert.equal(rows[2].entity_id, alex.id);
    assert.deepEqual(JSON.parse(rows[5].details!), { advisorId: alex.id, name: 'laptop', expiresAt: null });
  });

  it('refuses to demote or deactivate the last active admin, and changes nothing', async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    const before = audit().length;
    for (const change of [
      ['--role', 'manager'],
      ['--active', 'no'],
      ['--role', 'advisor', '--active', 'no'],
    ]) {
      const refused = await run('advisor', 'set', '--email', 'ada@firm.example', ...change);
      assert.equal(refused.code, 1, change.join(' '));
      assert.match(refused.stderr, /Ada Admin <ada@firm\.example> is the last active admin/);
      assert.equal(refused.stdout, '');
    }
    assert.deepEqual(advisor('ada@firm.example'), { id: 1, role: 'admin', active: 1 });
    assert.equal(audit().length, before, 'nothing is recorded for a refused change');

    // An inactive admin does not count: deactivating Ada would still leave no active admin.
    await ok('advisor', 'add', '--email', 'ida@firm.example', '--name', 'Ida Inactive', '--role', 'admin');
    await ok('advisor', 'set', '--email', 'ida@firm.example', '--active', 'no');
    assert.equal((await run('advisor', 'set', '--email', 'ada@firm.example', '--active', 'no')).code, 1);
    assert.equal(advisor('ada@firm.example').active, 1);
  });

  it('demotes one of two admins', async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    await ok('advisor', 'add', '--email', 'bo@firm.example', '--name', 'Bo Admin', '--role', 'admin');
    assert.match(await ok('advisor', 'set', '--email', 'bo@firm.example', '--role', 'advisor'), /role advisor/);
    assert.equal(advisor('bo@firm.example').role, 'advisor');
    // Now Ada is the last one.
    assert.equal((await run('advisor', 'set', '--email', 'ada@firm.example', '--role', 'advisor')).code, 1);
    // Promoting someone else first makes it possible.
    await ok('advisor', 'set', '--email', 'bo@firm.example', '--role', 'admin');
    await ok('advisor', 'set', '--email', 'ada@firm.example', '--active', 'no');
    assert.deepEqual(advisor('ada@firm.example'), { id: 1, role: 'admin', active: 0 });
  });

  it('lists deactivated advisors with --all, marked inactive', async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    await ok('advisor', 'add', '--email', 'dee@firm.example', '--name', 'Dee Parted');
    await ok('advisor', 'set', '--email', 'dee@firm.example', '--active', 'no');

    const active = await ok('advisor', 'list');
    assert.match(active, /Ada Admin\s+ada@firm\.example\s+admin\s+active/);
    assert.doesNotMatch(active, /Dee Parted/);
    const all = await ok('advisor', 'list', '--all');
    assert.match(all, /Ada Admin\s+ada@firm\.example\s+admin\s+active/);
    assert.match(all, /Dee Parted\s+dee@firm\.example\s+advisor\s+inactive/);
  });

  it("sets an advisor's time zone and monthly quota, refusing an unknown zone or a bad quota and changing nothing", async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    await ok('advisor', 'add', '--email', 'tom@firm.example', '--name', 'Tom Tokyo');
    const zoneAndQuota = () =>
      read<{ time_zone: string; monthly_quota: number | null }>(
        'SELECT time_zone, monthly_quota FROM advisors WHERE email = ?',
        'tom@firm.example',
      )[0];
    assert.match(
      await ok('advisor', 'set', '--email', 'tom@firm.example', '--time-zone', 'Asia/Tokyo', '--quota', '60'),
      /time zone Asia\/Tokyo, quota 60/,
    );
    assert.deepEqual(zoneAndQuota(), { time_zone: 'Asia/Tokyo', monthly_quota: 60 });
    for (const [args, message] of [
      [['--time-zone', 'Mars/Olympus'], /timeZone: Not a time zone/],
      [['--quota', '-5'], /monthlyQuota/],
      [['--quota', 'lots'], /monthlyQuota/],
    ] as [string[], RegExp][]) {
      const result = await run('advisor', 'set', '--email', 'tom@firm.example', ...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.deepEqual(zoneAndQuota(), { time_zone: 'Asia/Tokyo', monthly_quota: 60 });
    await ok('advisor', 'set', '--email', 'tom@firm.example', '--quota', 'none');
    assert.deepEqual(zoneAndQuota(), { time_zone: 'Asia/Tokyo', monthly_quota: null });
  });

  it('applies the API rules: unknown advisors, inactive team members, taken names, nothing to change', async () => {
    await ok('advisor', 'add', '--email', 'ada@firm.example', '--name', 'Ada Admin', '--role', 'admin');
    await ok('advisor', 'add', '--email', 'dee@firm.example', '--name', 'Dee Parted');
    await ok('advisor', 'set', '--email', 'dee@firm.example', '--active', 'no');
    const before = audit().length;
    const refusals: [string[], RegExp][] = [
      [['advisor', 'add', '--email', 'ADA@firm.example', '--name', 'Ada Again'], /already exists/],
      [['advisor', 'add', '--email', 'new@firm.example', '--name', '   '], /displayName/],
      [['advisor', 'set', '--email', 'nobody@firm.example', '--role', 'admin'], /No advisor has the email/],
      [['advisor', 'set', '--email', 'dee@firm.example'], /Nothing to change/],
      [['team', 'add', 'North', '--members', 'dee@firm.example'], /No active advisor/],
      [['team', 'add-member', 'Nowhere', 'ada@firm.example'], /No team is named Nowhere/],
      [['token', 'revoke', '99'], /Token 99 does not exist or is already revoked/],
    ];
    for (const [args, message] of refusals) {
      const result = await run(...args);
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
    }
    assert.equal(audit().length, before);
  });
});

describe('audit log migration to version 3', () => {
  it('keeps the audit rows of a version-2 database, attributed to their advisors (or, without one, to the system)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-migration-'));
    const db = openDatabase(path.join(dir, 'v2.db'));
    try {
      assert.deepEqual(
        migrate(db, { to: 2 }).applied.map((m) => m.version),
        [1, 2],
      );
      db.exec(`INSERT INTO advisors (id, email, display_name, role, created_at) VALUES
          (1, 'ada@firm.example', 'Ada Admin', 'admin', '2026-11-01T00:00:00.000Z'),
          (2, 'alex@firm.example', 'Alex Morgan', 'advisor', '2026-11-01T00:00:00.000Z');
        INSERT INTO audit_log (id, at, actor_id, entity, entity_id, action, details) VALUES
          (1, '2026-11-01T00:00:00.000Z', NULL, 'advisor', 1, 'create', '{"role":"admin"}'),
          (2, '2026-11-02T00:00:00.000Z', 1, 'advisor', 2, 'create', NULL),
          (3, '2026-11-03T00:00:00.000Z', 2, 'opportunity', 7, 'update', '{"stage":"propose"}');`);

      assert.deepEqual(
        migrate(db, { to: 3 }).applied.map((m) => m.version),
        [3],
      );

      assert.deepEqual(db.prepare('SELECT * FROM audit_log ORDER BY id').all(), [
        {
          id: 1,
          at: '2026-11-01T00:00:00.000Z',
          actor_kind: 'system',
          actor_id: null,
          entity: 'advisor',
          entity_id: 1,
          action: 'create',
          details: '{"role":"admin"}',
        },
        {
          id: 2,
          at: '2026-11-02T00:00:00.000Z',
          actor_kind: 'advisor',
          actor_id: 1,
          entity: 'advisor',
          entity_id: 2,
          action: 'create',
          details: null,
        },
        {
          id: 3,
          at: '2026-11-03T00:00:00.000Z',
          actor_kind: 'advisor',
          actor_id: 2,
          entity: 'opportunity',
          entity_id: 7,
          action: 'update',
          details: '{"stage":"propose"}',
        },
      ]);
      assert.ok(
        db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'audit_log_entity'").get(),
        'the index is rebuilt',
      );
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      // The kind and the advisor agree: a system row has no advisor, an advisor row has one.
      const insert = db.prepare(
        "INSERT INTO audit_log (at, actor_kind, actor_id, entity, entity_id, action) VALUES ('now', ?, ?, 'x', 1, 'y')",
      );
      assert.throws(() => insert.run('system', 1), /CHECK constraint failed/);
      assert.throws(() => insert.run('advisor', null), /CHECK constraint failed/);
      assert.throws(() => insert.run('robot', null), /CHECK constraint failed/);
      insert.run('advisor', 2);
      insert.run('system', null);
    } finally {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('last active admin through the API', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.close());

  it('keeps the API as it was: admins demote other admins, not themselves, and are recorded as the actor', async () => {
    const ada = await server.advisor('Ada Admin', 'admin');
    const bo = await server.advisor('Bo Admin', 'admin');
    const self = await ada.api.patch(`/api/v1/advisors/${ada.record.id}`, { active: false });
    assert.equal(self.status, 400);
    assert.equal(self.body.errors[0].path, 'body.active');
    assert.equal((await ada.api.patch(`/api/v1/advisors/${bo.record.id}`, { role: 'manager' })).status, 200);
    assert.deepEqual(
      server.db
        .prepare("SELECT actor_kind, actor_id, entity_id FROM audit_log WHERE entity = 'advisor' AND action = 'update'")
        .all(),
      [{ actor_kind: 'advisor', actor_id: ada.record.id, entity_id: bo.record.id }],
    );
    const doc = await server.client.get('/api/v1/openapi.json');
    assert.ok(doc.body.paths['/api/v1/advisors/{id}'].patch.responses['409'], 'the 409 is documented');
  });

  it('answers 409 naming the field when an admin acts on a stale sign-in that would leave no active admin', async () => {
    // Over HTTP an admin always remains (they cannot demote themselves), unless another process
    // (the command line, a second server) demotes them between their sign-in and their change.
    // That interleaving is played here with Ada's sign-in taken before Bo demoted her.
    const ada = await server.advisor('Ada Admin', 'admin');
    const bo = await server.advisor('Bo Admin', 'admin');
    const adaAsSignedIn = (await server.repo.advisors.findById(ada.record.id))!;
    assert.equal((await bo.api.patch(`/api/v1/advisors/${ada.record.id}`, { role: 'advisor' })).status, 200);
    const { people } = createServices({ repo: server.repo, clock: server.clock });
    await assert.rejects(people.updateAdvisor(adaAsSignedIn, bo.record.id, { role: 'advisor' }), (error: unknown) => {
      assert.ok(error instanceof ConflictError);
      assert.equal(error.status, 409);
      assert.match(error.message, /Bo Admin <.*> is the last active admin/);
      assert.deepEqual(error.fieldErrors, [{ path: 'body.role', message: 'Would leave no active admin' }]);
      return true;
    });
    assert.equal((await server.repo.advisors.findById(bo.record.id))!.role, 'admin');
  });
});

describe('finding 12: binding advisors to Entra ID accounts from the command line', function () {
  this.timeout(60_000);
  const KIM_OID = '1a2b3c4d-0000-4000-8000-00000000000a';
  const OTHER_OID = '1a2b3c4d-0000-4000-8000-00000000000b';
  let issuer: Awaited<ReturnType<typeof startOidcIssuer>>;
  let server: TestServer;
  const run = (...args: string[]) => admin(server.config.databaseFile, ...args);
  const ok = async (...args: string[]) => {
    const result = await run(...args);
    assert.equal(result.code, 0, `admin ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const meWith = async (claims: Record<string, unknown>) =>
    server.client.as(await issuer.sign(claims)).get('/api/v1/me');

  before(async () => {
    issuer = await startOidcIssuer();
  });
  after(() => issuer.close());
  beforeEach(async () => {
    server = await startTestServer({ ...issuer.env, OIDC_TENANTS: `${TENANT},${OTHER_TENANT}` });
  });
  afterEach(() => server.close());

  it('finding 12: the CLI bind, then sign-in with that account works, audited as the system', async () => {
    const kim = await server.advisor('Kim Lee');
    // A guest account from the firm's second tenant: its username is not Kim's email, so it cannot bind itself.
    const guest = { tid: OTHER_TENANT, oid: KIM_OID, preferred_username: 'kim_firm.example#EXT#@other.example' };
    assert.equal((await meWith(guest)).status, 401, 'before the binding');
    assert.match(
      await ok(
        'advisor',
        'bind',
        '--email',
        kim.record.email,
        '--tenant',
        OTHER_TENANT,
        '--oid',
        KIM_OID.toUpperCase(),
      ),
      new RegExp(`Kim Lee is bound to tenant ${OTHER_TENANT} object ${KIM_OID}\\.`),
    );
    const me = await meWith(guest);
    assert.equal(me.status, 200);
    assert.equal(me.body.id, kim.record.id);
    assert.equal(
      (await meWith({ tid: TENANT, oid: OTHER_OID, preferred_username: kim.record.email })).status,
      401,
      'once bound by the admin, her username binds no other account',
    );
    assert.deepEqual(
      server.db
        .prepare("SELECT actor_kind, actor_id, entity_id, details FROM audit_log WHERE action = 'bind-entra'")
        .all(),
      [
        {
          actor_kind: 'system',
          actor_id: null,
          entity_id: kim.record.id,
          details: JSON.stringify({ tid: OTHER_TENANT, oid: KIM_OID }),
        },
      ],
    );
  });

  it('finding 12: the CLI refuses to rebind a bound advisor until --unbind, or to bind an account another advisor holds', async () => {
    const kim = await server.advisor('Kim Lee');
    const lee = await server.advisor('Lee Park');
    await ok('advisor', 'bind', '--email', kim.record.email, '--tenant', TENANT, '--oid', KIM_OID);
    await ok('advisor', 'bind', '--email', kim.record.email, '--tenant', TENANT, '--oid', KIM_OID); // the same: no change

    const rebind = await run('advisor', 'bind', '--email', kim.record.email, '--tenant', TENANT, '--oid', OTHER_OID);
    assert.equal(rebind.code, 1);
    assert.match(rebind.stderr, /is bound to another Entra account .*unbind them first/);
    const taken = await run('advisor', 'bind', '--email', lee.record.email, '--tenant', TENANT, '--oid', KIM_OID);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /Another advisor is bound to this Entra account/);
    const incomplete = await run('advisor', 'bind', '--email', lee.record.email, '--tenant', TENANT);
    assert.equal(incomplete.code, 1);
    assert.match(incomplete.stderr, /Give --tenant and --oid to bind, or --unbind alone/);
    const notGuid = await run('advisor', 'bind', '--email', lee.record.email, '--tenant', 'contoso', '--oid', KIM_OID);
    assert.equal(notGuid.code, 1);
    assert.match(notGuid.stderr, /not an Entra ID/);
    assert.equal(
      (await meWith({ tid: TENANT, oid: KIM_OID, preferred_username: lee.record.email })).body.id,
      kim.record.id,
      'Kim keeps her account',
    );

    assert.match(await ok('advisor', 'bind', '--email', kim.record.email, '--unbind'), /Kim Lee is not bound/);
    assert.equal((await meWith({ tid: TENANT, oid: KIM_OID })).status, 401, 'the old account no longer signs in');
    await ok('advisor', 'bind', '--email', kim.record.email, '--tenant', TENANT, '--oid', OTHER_OID);
    assert.equal((await meWith({ tid: TENANT, oid: OTHER_OID })).body.id, kim.record.id);
    assert.deepEqual(
      server.db
        .prepare("SELECT action FROM audit_log WHERE entity = 'advisor' AND action LIKE '%entra' ORDER BY id")
        .pluck()
        .all(),
      ['bind-entra', 'unbind-entra', 'bind-entra'],
    );
  });
});
