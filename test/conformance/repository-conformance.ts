import assert from 'node:assert/strict';
import { ConflictError } from '../../server/errors';
import type { Actor, NewOpportunity, OutlookItemFields, Repository } from '../../server/repository/repository';

/**
 * What every storage backend must do, asked through the repository interface alone (issue 16). A backend gives a
 * fresh, migrated storage, and a second repository on the same storage: another server instance, with its own
 * connections. The race cases give both instances the same change, checked against the same state, at the same
 * moment: the storage, not one process's memory, decides which one lands.
 */
export interface ConformanceBackend {
  name: string;
  /** A new, empty, migrated storage. */
  open(): Promise<ConformanceStorage>;
}

export interface ConformanceStorage {
  repo: Repository;
  /** Another instance on the same storage (closed by `close`). */
  another(): Promise<Repository>;
  /** Closes every instance and removes the storage. */
  close(): Promise<void>;
}

const REFERRAL_CAMPAIGN = 1;

/** The value of a write that must have landed (not 'stale'). */
function landed<T>(outcome: T | 'stale'): T {
  assert.notEqual(outcome, 'stale');
  return outcome as T;
}
const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 9, minute)).toISOString();

export function describeRepositoryConformance(backend: ConformanceBackend): void {
  describe(`repository conformance: ${backend.name}`, function () {
    this.timeout(30_000);
    let storage: ConformanceStorage;
    let one: Repository;
    let two: Repository;
    let owner: Actor;
    let manager: Actor;
    let serial = 0;

    before(async () => {
      storage = await backend.open();
      one = storage.repo;
      two = await storage.another();
      const olive = await one.advisors.create(
        { email: 'olive@firm.example', displayName: 'Olive', role: 'advisor' },
        null,
      );
      const max = await one.advisors.create({ email: 'max@firm.example', displayName: 'Max', role: 'manager' }, null);
      await one.teams.create('North', [olive.id, max.id], null);
      owner = { advisorId: olive.id, at: at(0) };
      manager = { advisorId: max.id, at: at(1) };
    });

    after(async () => {
      await storage?.close();
    });

    /** A referral the owner makes with a new contact; each call's contact is its own. */
    function referral(topic: string, fields: Partial<NewOpportunity> = {}): NewOpportunity {
      serial += 1;
      return {
        topic,
        description: null,
        customerContactId: null,
        newContact: {
          name: `Client ${serial}`,
          email: `client${serial}@client.example`,
          phone: null,
          organizationId: null,
        },
        customerOrganizationId: null,
        campaignId: REFERRAL_CAMPAIGN,
        stage: 'qualify',
        estimatedValue: null,
        estimatedCloseDate: null,
        ownerId: owner.advisorId,
        note: null,
        linkItem: null,
        idempotencyKey: null,
        ...fields,
      };
    }

    async function opened(topic: string): Promise<number> {
      return landed(await one.opportunities.create(referral(topic), owner)).id;
    }

    function email(internetMessageId: string): OutlookItemFields {
      return {
        kind: 'email',
        internetMessageId,
        trackingToken: null,
        itemId: null,
        conversationId: null,
        subject: 'Your referral',
        participants: [{ email: 'client@client.example', name: null, role: 'from' }],
        sentAt: at(5),
        startAt: null,
        endAt: null,
        location: null,
        mailbox: null,
      };
    }

    describe('advisors', () => {
      it('finds an advisor by email in any case, and refuses a second advisor with the same email', async () => {
        const found = await two.advisors.findByEmail('OLIVE@firm.example');
        assert.equal(found?.id, owner.advisorId);
        await assert.rejects(
          two.advisors.create({ email: 'olive@firm.example', displayName: 'Olive again', role: 'advisor' }, null),
          ConflictError,
        );
      });

      it('creates one advisor when both instances create the same email at once: the other is a conflict', async () => {
        const outcomes = await Promise.allSettled([
          one.advisors.create({ email: 'twice@firm.example', displayName: 'One', role: 'advisor' }, null),
          two.advisors.create({ email: 'twice@firm.example', displayName: 'Two', role: 'advisor' }, null),
        ]);
        assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected');
        assert.ok(refused?.reason instanceof ConflictError, String(refused?.reason));
        const names = (await one.advisors.search('twice', 10, 0)).map((advisor) => advisor.displayName);
        assert.equal(names.length, 1);
      });

      it('lists teammates from either instance, the advisor included', async () => {
        assert.deepEqual(
          (await two.advisors.teammateIds(owner.advisorId)).sort(),
          [owner.advisorId, manager.advisorId].sort(),
        );
      });
    });

    describe('access tokens', () => {
      it('finds a token by its hash with its advisor on the other instance, and not as valid once revoked there', async () => {
        const token = await one.tokens.create(owner.advisorId, 'laptop', 'a'.repeat(64), at(2), null);
        const found = await two.tokens.findByHash('a'.repeat(64));
        assert.equal(found?.advisor.email, 'olive@firm.example');
        assert.equal(found?.revokedAt, null);
        assert.equal(await two.tokens.revoke(token.id, at(3)), true);
        assert.equal(await one.tokens.revoke(token.id, at(4)), false, 'a token is revoked once');
        assert.equal((await one.tokens.findByHash('a'.repeat(64)))?.revokedAt, at(3));
      });
    });

    describe('opportunities', () => {
      it('creates once for the same idempotency key sent to both instances at once', async () => {
        const fields = referral('Sent twice', { idempotencyKey: 'conformance-1' });
        const [first, second] = (
          await Promise.all([one.opportunities.create(fields, owner), two.opportunities.create(fields, owner)])
        ).map(landed);
        assert.equal(first.id, second.id);
        assert.deepEqual([first.created, second.created].sort(), [false, true]);
        const again = await one.opportunities.create(
          referral('Sent twice', { idempotencyKey: 'conformance-1' }),
          owner,
        );
        assert.deepEqual(again, { id: first.id, created: false });
        const other = landed(
          await two.opportunities.create(referral('Sent twice', { idempotencyKey: 'conformance-2' }), owner),
        );
        assert.notEqual(other.id, first.id, 'another key is another opportunity');
      });

      it('closes once when both instances close at the same version: the other is stale, the winner stands', async () => {
        for (let i = 0; i < 5; i++) {
          const id = await opened(`Close race ${i}`);
          const version = (await one.opportunities.findById(id))!.version;
          const close = (repo: Repository, status: 'won' | 'lost', actor: Actor) =>
            repo.opportunities.close(
              id,
              version,
              { status, actualValue: null, closeDate: '2026-11-24', reason: null },
              actor,
            );
          const [won, lost] = await Promise.all([close(one, 'won', owner), close(two, 'lost', manager)]);
          assert.deepEqual([won, lost].sort(), ['done', 'stale']);
          const record = await two.opportunities.findById(id);
          assert.equal(record?.status, won === 'done' ? 'won' : 'lost');
          assert.equal(record?.version, version + 1);
          assert.equal(
            (await one.opportunities.events(id, { before: null, limit: 10 })).length,
            1,
            'one close recorded',
          );
        }
      });

      it('reopens once, and only from the version it was closed at', async () => {
        const id = await opened('Reopened');
        const start = (await one.opportunities.findById(id))!.version;
        const outcome = {
          status: 'lost' as const,
          actualValue: null,
          closeDate: '2026-11-24',
          reason: 'Went elsewhere',
        };
        assert.equal(await one.opportunities.close(id, start, outcome, owner), 'done');
        assert.equal(await two.opportunities.reopen(id, start, owner), 'stale', 'the version before the close');
        const [first, second] = await Promise.all([
          one.opportunities.reopen(id, start + 1, owner),
          two.opportunities.reopen(id, start + 1, manager),
        ]);
        assert.deepEqual([first, second].sort(), ['done', 'stale']);
        const record = await one.opportunities.findById(id);
        assert.equal(record?.status, 'open');
        assert.equal(record?.version, start + 2);
        const events = await two.opportunities.events(id, { before: null, limit: 10 });
        assert.equal(events.length, 2, 'one close and one reopen');
      });

      it('assigns once when both instances assign at the same version: the other is stale', async () => {
        const carol = await one.advisors.create(
          { email: 'carol@firm.example', displayName: 'Carol', role: 'advisor' },
          null,
        );
        const id = await opened('Assign race');
        const version = (await one.opportunities.findById(id))!.version;
        const before = await one.opportunities.assignments(id, { before: null, limit: 10 });
        const [first, second] = await Promise.all([
          one.opportunities.assign(id, version, carol.id, 'Yours', owner),
          two.opportunities.assign(id, version, manager.advisorId, null, manager),
        ]);
        assert.deepEqual([first, second].sort(), ['done', 'stale']);
        const record = await two.opportunities.findById(id);
        assert.equal(record?.owner.id, first === 'done' ? carol.id : manager.advisorId);
        const assignments = await one.opportunities.assignments(id, { before: null, limit: 10 });
        assert.equal(assignments.length, before.length + 1, 'one assignment recorded');
        assert.equal(assignments[0].to.id, record?.owner.id, 'the newest is the one that landed');
      });

      it('refuses a change given a version that moved, and changes nothing', async () => {
        const id = await opened('Edited');
        const version = (await one.opportunities.findById(id))!.version;
        assert.notEqual(await one.opportunities.update(id, version, { topic: 'Edited once' }, owner), 'stale');
        assert.equal(
          await two.opportunities.update(id, version, { topic: 'Edited from the old version' }, owner),
          'stale',
        );
        assert.equal((await two.opportunities.findById(id))?.topic, 'Edited once');
      });
    });

    describe('Set Regarding', () => {
      it('records one activity for the same email linked on both instances at once, regarding the opportunity', async () => {
        const id = await opened('One email');
        const version = (await one.opportunities.findById(id))!.version;
        const item = email('<same-message@client.example>');
        const [first, second] = (
          await Promise.all([
            one.activities.upsertRegarding(item, id, version, owner),
            two.activities.upsertRegarding(item, id, version, manager),
          ])
        ).map(landed);
        assert.equal(first.id, second.id);
        assert.equal(first.regarding?.id, id);
        const timeline = await two.activities.regarding(id, { before: null, limit: 10 });
        assert.deepEqual(
          timeline.map((activity) => activity.id),
          [first.id],
        );
      });

      it('links the same email again to the same activity, and refuses a link to an opportunity that moved', async () => {
        const id = await opened('Linked twice');
        const version = (await one.opportunities.findById(id))!.version;
        const item = email('<again@client.example>');
        const first = landed(await one.activities.upsertRegarding(item, id, version, owner));
        const again = landed(await two.activities.upsertRegarding(item, id, version, owner));
        assert.equal(again.id, first.id);
        assert.notEqual(await one.opportunities.update(id, version, { stage: 'develop' }, owner), 'stale');
        const moved = await two.activities.upsertRegarding(email('<late@client.example>'), id, version, owner);
        assert.equal(moved, 'stale');
        assert.equal(await one.activities.findByIdentity({ internetMessageId: '<late@client.example>' }), null);
      });
    });
  });
}
