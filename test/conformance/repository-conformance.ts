import assert from 'node:assert/strict';
import { ConflictError } from '../../server/errors';
import type { Actor, NewOpportunity, OutlookItemFields, Repository } from '../../server/repository/repository';

/**
 * What every storage backend must do, asked through the repository interface alone (issue 16). A backend gives a
 * fresh, migrated storage, and a second repository on the same storage: another server instance, with its own
 * connections. The race cases give both instances the same change, checked against the same state, at the same
 * moment: the storage, not one process's memory, decides which one lands.
 */
export interface ConformanceBackend<R extends PeopleStores = Repository> {
  name: string;
  /** A new, empty, migrated storage. */
  open(): Promise<ConformanceStorage<R>>;
}

export interface ConformanceStorage<R> {
  repo: R;
  /** Another instance on the same storage (closed by `close`). */
  another(): Promise<R>;
  /** Closes every instance and removes the storage. */
  close(): Promise<void>;
}

const REFERRAL_CAMPAIGN = 1;

/** The value of a write that must have landed (not 'stale', not 'taken'). */
function landed<T>(outcome: T | 'stale' | 'taken'): T {
  assert.ok(outcome !== 'stale' && outcome !== 'taken', String(outcome));
  return outcome;
}
/** A moment on the suite's day, `minute` minutes past nine. */
const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 9, minute)).toISOString();

/** Advisors, teams and access tokens: the first part a backend implements. */
export type PeopleStores = Pick<Repository, 'advisors' | 'teams' | 'tokens'>;

/**
 * Two instances on one new storage, with an advisor (the owner) and a manager in one team; `two` is the second
 * instance. Registers the before and after hooks of the suite it is called in.
 */
function twoInstances<R extends PeopleStores>(backend: ConformanceBackend<R>) {
  const fixture = {} as { storage: ConformanceStorage<R>; one: R; two: R; owner: Actor; manager: Actor };
  before(async () => {
    fixture.storage = await backend.open();
    fixture.one = fixture.storage.repo;
    fixture.two = await fixture.storage.another();
    const olive = await fixture.one.advisors.create(
      { email: 'olive@firm.example', displayName: 'Olive', role: 'advisor' },
      null,
    );
    const max = await fixture.one.advisors.create(
      { email: 'max@firm.example', displayName: 'Max', role: 'manager' },
      null,
    );
    await fixture.one.teams.create('North', [olive.id, max.id], null);
    fixture.owner = { advisorId: olive.id, at: at(0) };
    fixture.manager = { advisorId: max.id, at: at(1) };
    // Both instances with connections open: a race test's two calls then start together, not one a connection later.
    await Promise.all(
      Array.from({ length: 4 }, () => Promise.all([fixture.one.advisors.count(), fixture.two.advisors.count()])),
    );
  });
  after(async () => {
    await fixture.storage?.close();
  });
  return fixture;
}

/** What a backend's advisors, teams and tokens must do. */
export function describePeopleConformance<R extends PeopleStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, people: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);
    describe('advisors', () => {
      it('finds an advisor by email in any case, and refuses a second advisor with the same email', async () => {
        const found = await f.two.advisors.findByEmail('OLIVE@firm.example');
        assert.equal(found?.id, f.owner.advisorId);
        await assert.rejects(
          f.two.advisors.create({ email: 'olive@firm.example', displayName: 'Olive again', role: 'advisor' }, null),
          ConflictError,
        );
      });

      it('creates one advisor when both instances create the same email at once: the other is a conflict', async () => {
        const outcomes = await Promise.allSettled([
          f.one.advisors.create({ email: 'twice@firm.example', displayName: 'One', role: 'advisor' }, null),
          f.two.advisors.create({ email: 'twice@firm.example', displayName: 'Two', role: 'advisor' }, null),
        ]);
        assert.deepEqual(outcomes.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
        const refused = outcomes.find((outcome) => outcome.status === 'rejected');
        assert.ok(refused?.reason instanceof ConflictError, String(refused?.reason));
        const names = (await f.one.advisors.search('twice', 10, 0)).map((advisor) => advisor.displayName);
        assert.equal(names.length, 1);
      });

      it('finds advisors by a prefix of their name, a word of it or their email, active ones unless asked', async () => {
        const pat = await f.one.advisors.create(
          { email: 'p.quinn@firm.example', displayName: 'Pat Quinn', role: 'advisor' },
          null,
        );
        assert.deepEqual(
          (await f.two.advisors.search('qui', 10, 0)).map((advisor) => advisor.id),
          [pat.id],
        );
        assert.deepEqual(
          (await f.two.advisors.search('P.QU', 10, 0)).map((advisor) => advisor.id),
          [pat.id],
        );
        assert.deepEqual(
          (await f.two.advisors.search('q%', 10, 0)).map((advisor) => advisor.id),
          [],
          'a % is a letter',
        );
        assert.notEqual(await f.one.advisors.update(pat.id, { active: false }, { kind: 'system', at: at(6) }), null);
        assert.deepEqual(await f.two.advisors.search('pat', 10, 0), []);
        const inactive = await f.two.advisors.search('pat', 10, 0, { includeInactive: true });
        assert.deepEqual(
          inactive.map((advisor) => [advisor.id, advisor.active]),
          [[pat.id, false]],
        );
        assert.deepEqual(await f.one.advisors.existingIds([pat.id, f.owner.advisorId]), [f.owner.advisorId]);
      });

      it('keeps one active admin when both instances demote the two admins at once', async () => {
        const system = { kind: 'system' as const, at: at(7) };
        const admins = async () => (await f.two.advisors.listActive()).filter((advisor) => advisor.role === 'admin');
        for (let round = 0; round < 4; round++) {
          const [kept] = round
            ? await admins()
            : [await f.one.advisors.create({ email: 'ada@firm.example', displayName: 'Ada', role: 'admin' }, null)];
          const added = await f.one.advisors.create(
            { email: `admin${round}@firm.example`, displayName: `Admin ${round}`, role: 'admin' },
            null,
          );
          const outcomes = await Promise.all([
            f.one.advisors.update(kept.id, { role: 'advisor' }, system),
            f.two.advisors.update(added.id, { active: false }, system),
          ]);
          assert.equal(outcomes.filter((outcome) => outcome === 'last-admin').length, 1, JSON.stringify(outcomes));
          assert.equal((await admins()).length, 1);
        }
      });

      it('binds an Entra account to one advisor when two advisors claim it at once', async () => {
        const identity = { tid: 'tenant-1', oid: 'object-1' };
        const unbound = { entraTid: null, entraOid: null };
        const system = { kind: 'system' as const, at: at(8) };
        const kim = await f.one.advisors.create(
          { email: 'kim@firm.example', displayName: 'Kim', role: 'advisor' },
          null,
        );
        const lee = await f.one.advisors.create(
          { email: 'lee@firm.example', displayName: 'Lee', role: 'advisor' },
          null,
        );
        const outcomes = await Promise.all([
          f.one.advisors.setEntraIdentity(kim.id, identity, unbound, system),
          f.two.advisors.setEntraIdentity(lee.id, identity, unbound, system),
        ]);
        assert.deepEqual([...outcomes].sort(), ['bound', 'taken']);
        const bound = await f.two.advisors.findByEntraIdentity(identity);
        assert.equal(bound?.id, outcomes[0] === 'bound' ? kim.id : lee.id);
        assert.equal(
          await f.one.advisors.setEntraIdentity(kim.id, null, unbound, system),
          outcomes[0] === 'bound' ? 'changed' : 'bound',
        );
      });

      it('lists teammates from either instance, the advisor included', async () => {
        assert.deepEqual(
          (await f.two.advisors.teammateIds(f.owner.advisorId)).sort(),
          [f.owner.advisorId, f.manager.advisorId].sort(),
        );
      });
    });

    describe('teams', () => {
      it("refuses a second team of the same name in any case, and lists an advisor's teams by name", async () => {
        await assert.rejects(f.two.teams.create('NORTH', [], null), ConflictError);
        const south = await f.two.teams.create('alpha', [f.owner.advisorId], null);
        const teams = (await f.one.advisors.findById(f.owner.advisorId))?.teams;
        assert.deepEqual(
          teams?.map((team) => team.name),
          ['alpha', 'North'],
        );
        assert.deepEqual(
          (await f.one.teams.findByName('ALPHA'))?.members.map((member) => member.id),
          [f.owner.advisorId],
        );
        assert.deepEqual(await f.one.teams.existingIds([south.id, south.id + 1000]), [south.id]);
      });

      it('moves the team change version with every membership change, seen from the other instance', async () => {
        const team = await f.one.teams.create('East', [], null);
        const before = await f.two.teams.changeVersion();
        await f.one.teams.addMember(team.id, f.manager.advisorId, null);
        assert.equal(await f.two.teams.changeVersion(), before + 1);
        assert.ok((await f.two.advisors.teammateIds(f.manager.advisorId)).includes(f.manager.advisorId));
        await f.two.teams.removeMember(team.id, f.manager.advisorId, { kind: 'system', at: at(9) });
        assert.equal(await f.one.teams.changeVersion(), before + 2);
        assert.deepEqual((await f.one.teams.findById(team.id))?.members, []);
      });
    });

    describe('access tokens', () => {
      it('finds a token by its hash with its advisor on the other instance, and not as valid once revoked there', async () => {
        const token = await f.one.tokens.create(f.owner.advisorId, 'laptop', 'a'.repeat(64), at(2), null);
        const found = await f.two.tokens.findByHash('a'.repeat(64));
        assert.equal(found?.advisor.email, 'olive@firm.example');
        assert.equal(found?.revokedAt, null);
        assert.equal(await f.two.tokens.revoke(token.id, at(3)), true);
        assert.equal(await f.one.tokens.revoke(token.id, at(4)), false, 'a token is revoked once');
        assert.equal((await f.one.tokens.findByHash('a'.repeat(64)))?.revokedAt, at(3));
      });
    });
  });
}

/** Contacts and organizations, with the people they are made by: the second part a backend implements. */
export type CustomerStores = PeopleStores & Pick<Repository, 'contacts'>;

/** What a backend's contacts and organizations must do, their search's matching and order included. */
export function describeCustomerConformance<R extends CustomerStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, customers: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);
    const person = (name: string, email: string | null, phone: string | null = null) => ({
      name,
      email,
      phone,
      organizationId: null,
    });
    const ids = (found: { id: number }[]) => found.map((item) => item.id);

    it('makes one contact when both instances create the same email at once, in any case', async () => {
      const [first, second] = await Promise.all([
        f.one.contacts.createOrFind(person('Ruth Twice', 'ruth@twice.example'), f.owner),
        f.two.contacts.createOrFind(person('Ruth Again', 'RUTH@twice.example'), f.manager),
      ]);
      assert.equal(first.contact.id, second.contact.id);
      assert.deepEqual([first.created, second.created].sort(), [false, true]);
      assert.deepEqual(ids(await f.two.contacts.findByEmails(['Ruth@Twice.example'])), [first.contact.id]);
    });

    it('finds contacts by word prefixes of the name and email, accents and case aside, newest first', async () => {
      const made = [];
      for (const [name, email] of [
        ['José Müller', 'jose.muller@bank.example'],
        ['Joseph Miller', 'jm@orchard.example'],
        ['Anna Josephs', null],
        ['Lucas Lopez', 'lucas.lopez.27732@gmail.example'],
      ] as const)
        made.push((await f.one.contacts.createOrFind(person(name, email), f.owner)).contact.id);
      const [jose, joseph, anna, lucas] = made;
      assert.deepEqual(ids(await f.two.contacts.search('jos', 10, 0)), [anna, joseph, jose]);
      assert.deepEqual(ids(await f.two.contacts.search('JOSÉ mül', 10, 0)), [jose]);
      assert.deepEqual(ids(await f.two.contacts.search('muller', 10, 0)), [jose], 'ü is u');
      assert.deepEqual(ids(await f.two.contacts.search('orch', 10, 0)), [joseph], 'a word of the email');
      assert.deepEqual(ids(await f.two.contacts.search('gmail 277', 10, 0)), [lucas]);
      assert.deepEqual(ids(await f.two.contacts.search('27732', 10, 0)), [], 'digits alone are a phone number');
      assert.deepEqual(ids(await f.two.contacts.search('lopez lucas', 10, 0)), [lucas], 'every word, any order');
      assert.deepEqual(ids(await f.two.contacts.search('lucas miller', 10, 0)), []);
      assert.deepEqual(ids(await f.two.contacts.search('sephs', 10, 0)), [], 'a prefix, not any part of a word');
      assert.deepEqual(ids(await f.two.contacts.search('jos', 2, 1)), [joseph, jose], 'a later page');
      assert.deepEqual(ids(await f.two.contacts.search('%', 10, 0)), []);
    });

    it("finds a contact by its phone's digits however they are typed", async () => {
      const { contact } = await f.one.contacts.createOrFind(person('Phoebe Phone', null, '+1 (555) 013-4567'), f.owner);
      for (const typed of ['555-013', '(555) 0134', '+1 555 013', '15550134', '0555 0134'])
        assert.deepEqual(ids(await f.two.contacts.search(typed, 10, 0)), [contact.id], typed);
      assert.deepEqual(ids(await f.two.contacts.search('013-4567', 10, 0)), [], 'digits from the middle');
      assert.equal((await f.two.contacts.findById(contact.id))?.phone, '+1 (555) 013-4567');
    });

    it('puts a contact of a new company domain in a new organization, and the next one in the same', async () => {
      const first = await f.one.contacts.createOrFind(
        {
          ...person('Cora Contoso', 'cora@contoso.example'),
          newOrganization: { name: 'Contoso', domain: 'contoso.example' },
        },
        f.owner,
      );
      const organization = first.contact.organization;
      assert.equal(organization?.name, 'Contoso');
      const second = await f.two.contacts.createOrFind(
        {
          ...person('Carl Contoso', 'carl@contoso.example'),
          newOrganization: { name: 'Contoso Ltd', domain: 'contoso.example' },
        },
        f.owner,
      );
      assert.deepEqual(second.contact.organization, organization);
      assert.equal(await f.two.contacts.organizationIdForDomain('mail.CONTOSO.example'), organization?.id);
      assert.equal(await f.two.contacts.organizationIdForDomain('contoso.com'), null);
      assert.equal(
        await f.one.contacts.createOrganizationWithDomain('Contoso Mail', 'mail.contoso.example', f.owner),
        'domain-taken',
      );
      assert.equal(await f.two.contacts.organizationExists(organization.id), true);
    });

    it('makes one organization when both instances add the first two people of a new company at once', async () => {
      const newOrganization = { name: 'Fabrikam', domain: 'fabrikam.example' };
      const [first, second] = await Promise.all([
        f.one.contacts.createOrFind({ ...person('Fay Fabrikam', 'fay@fabrikam.example'), newOrganization }, f.owner),
        f.two.contacts.createOrFind(
          { ...person('Finn Fabrikam', 'finn@fabrikam.example'), newOrganization },
          f.manager,
        ),
      ]);
      assert.deepEqual([first.created, second.created], [true, true]);
      assert.ok(first.contact.organization);
      assert.deepEqual(second.contact.organization, first.contact.organization);
      assert.deepEqual(ids(await f.one.contacts.searchOrganizations('fabrikam', 10, 0)), [
        first.contact.organization.id,
      ]);
    });

    it('finds organizations by word prefixes of the name and domains, by name whatever its case', async () => {
      const made = [];
      for (const [name, domains] of [
        ['acme Harbour Bank', ['harbour-bank.example']],
        ['Harbor Freight', []],
        ['Bank of the Harbour', ['bankharbour.example', 'bh.example']],
        ['Ærø Holdings', []],
      ] as const)
        made.push(await f.one.contacts.createOrganization(name, [...domains], f.owner));
      const [acme, freight, bankOf] = made;
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('harb', 10, 0)), [acme, bankOf, freight]);
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('harbour bank', 10, 0)), [acme, bankOf]);
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('bankh', 10, 0)), [bankOf], 'a domain');
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('harb', 1, 1)), [bankOf]);
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('frei', 10, 0)), [freight]);
      const [, , , aero] = made;
      assert.deepEqual(ids(await f.two.contacts.searchOrganizations('ÆRØ', 10, 0)), [aero]);
      assert.deepEqual(
        ids(await f.two.contacts.searchOrganizations('aero', 10, 0)),
        [],
        'a letter with no accent to take off (æ, ø) stays itself',
      );
      const found = await f.two.contacts.findOrganization(bankOf);
      assert.deepEqual(found?.domains, ['bankharbour.example', 'bh.example']);
    });
  });
}

/** The email alerts' deliveries, with the people they go to. */
export type AlertStores = PeopleStores & Pick<Repository, 'alertDeliveries'>;

/**
 * What a backend's alert deliveries must do: every instance runs the alert schedule, and each email goes out once
 * (a claim lands on one instance only), however the instances' runs overlap.
 */
export function describeAlertConformance<R extends AlertStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, alert deliveries: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);
    const digest = (recipientId: number, localDate: string) => ({ kind: 'digest' as const, recipientId, localDate });
    const stale = at(0);

    it('claims each digest once when both instances claim overlapping days at once, in either order', async () => {
      const days = Array.from({ length: 30 }, (_, i) => `2026-10-${String(i + 1).padStart(2, '0')}`);
      const keys = days.flatMap((day) => [digest(f.owner.advisorId, day), digest(f.manager.advisorId, day)]);
      const [first, second] = await Promise.all([
        f.one.alertDeliveries.claim(keys, at(10), stale),
        f.two.alertDeliveries.claim([...keys].reverse(), at(10), stale),
      ]);
      const secondInOrder = [...second].reverse();
      keys.forEach((key, i) => {
        const taken = [first[i], secondInOrder[i]].filter((id) => id !== null);
        assert.equal(taken.length, 1, `${key.recipientId} ${key.localDate}: ${first[i]} / ${secondInOrder[i]}`);
      });
      assert.deepEqual(
        await f.two.alertDeliveries.claimable(keys, stale),
        keys.map(() => false),
      );
    });

    it('gives a released claim to the next run, and a sent one only to the operator, once', async () => {
      const key = digest(f.owner.advisorId, '2026-11-10');
      assert.deepEqual(await f.one.alertDeliveries.claimable([key], stale), [true]);
      const [id] = await f.one.alertDeliveries.claim([key], at(11), stale);
      assert.notEqual(id, null);
      assert.deepEqual(
        await f.two.alertDeliveries.claimable([key], stale, true),
        [false],
        'a fresh claim is being sent',
      );
      await f.two.alertDeliveries.release([id!]);
      const [again] = await f.two.alertDeliveries.claim([key], at(12), stale);
      assert.notEqual(again, null, 'released: claimed again');
      await f.one.alertDeliveries.finish([again!], 'sent', at(13));
      assert.deepEqual(await f.one.alertDeliveries.claim([key], at(14), stale), [null], 'sent: not again');
      const forced = await Promise.all([
        f.one.alertDeliveries.claim([key], at(15), stale, true),
        f.two.alertDeliveries.claim([key], at(15), stale, true),
      ]);
      assert.equal(forced.flat().filter((claimId) => claimId !== null).length, 1, 'the operator sends it once more');
      assert.deepEqual(await f.two.alertDeliveries.claimable([key], stale, true), [false]);
      assert.deepEqual(
        await f.two.alertDeliveries.claimable([key], at(20), true),
        [true],
        'a stale claim is taken over',
      );
    });
  });
}

/** The rate limits' counters, with the people part's fixture. */
export type RateLimitStores = PeopleStores & Pick<Repository, 'rateLimitStore'>;

/** What a backend's rate-limit counters must do: one count per key across every instance, in fixed windows. */
export function describeRateLimitConformance<R extends RateLimitStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, rate limits: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);
    let clock = Date.UTC(2026, 10, 24, 9);
    const limit = (repo: R, prefix = 'changes:') => repo.rateLimitStore({ prefix, windowMs: 60_000, now: () => clock });

    it('counts every hit once when both instances count the same key at once', async () => {
      const [one, two] = [limit(f.one), limit(f.two)];
      const counts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).increment('advisor-1')),
      );
      assert.deepEqual(
        counts.map((count) => count.totalHits).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      assert.equal((await one.get('advisor-1'))?.totalHits, 20);
      assert.equal((await two.get('advisor-1'))?.resetTime?.getTime(), clock + 60_000);
    });

    it('starts a new window once the last one ended, and answers several keys in the order asked', async () => {
      const [one, two] = [limit(f.one, 'sign-ins:'), limit(f.two, 'sign-ins:')];
      await one.increment('a');
      await one.increment('a');
      await two.increment('b');
      const many = await two.getMany(['b', 'nobody', 'a']);
      assert.deepEqual(
        many.map((found) => found?.totalHits),
        [1, undefined, 2],
      );
      clock += 60_000;
      assert.equal(await one.get('a'), undefined, 'the window ended');
      assert.equal((await two.increment('a')).totalHits, 1);
      assert.equal((await one.get('a'))?.resetTime?.getTime(), clock + 60_000);
    });

    it('takes a hit back without going below none, and resets a key or one limit only', async () => {
      const [one, two] = [limit(f.one, 'writes:'), limit(f.two, 'writes:')];
      const other = limit(f.one, 'reads:');
      await one.increment('c');
      await two.decrement('c');
      await two.decrement('c');
      assert.equal((await one.get('c'))?.totalHits, 0);
      await one.increment('d');
      await other.increment('d');
      await two.resetKey('c');
      assert.equal(await one.get('c'), undefined);
      await two.resetAll?.();
      assert.equal(await one.get('d'), undefined, "this limit's keys are gone");
      assert.equal((await other.get('d'))?.totalHits, 1, "another limit's stay");
    });
  });
}

/** What the firm's admins set: the exception rules with the holidays, and the call and task labels. */
export type SettingStores = PeopleStores & Pick<Repository, 'exceptionRules' | 'activityLabels'>;

/** What a backend's settings must do. */
export function describeSettingConformance<R extends SettingStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, settings: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);

    it('starts with the standard exception rules, and a change on one instance is read on the other', async () => {
      const standard = {
        untouched: { on: true, businessDays: 1 },
        noActivity: { on: true, businessDays: 5 },
        noNextStep: { on: true },
        pastCloseDate: { on: true },
      };
      assert.deepEqual(await f.two.exceptionRules.get(), standard);
      const changed = { ...standard, noActivity: { on: false, businessDays: 9 }, pastCloseDate: { on: false } };
      assert.deepEqual(await f.one.exceptionRules.set(changed, f.owner), changed);
      assert.deepEqual(await f.two.exceptionRules.get(), changed);
    });

    it('adds a holiday once when both instances add the same date at once, and lists them by date', async () => {
      const outcomes = await Promise.all([
        f.one.exceptionRules.addHoliday({ date: '2026-12-25', name: 'Christmas Day' }, f.owner),
        f.two.exceptionRules.addHoliday({ date: '2026-12-25', name: 'Christmas' }, f.manager),
      ]);
      assert.equal(outcomes.filter((outcome) => outcome === 'taken').length, 1, JSON.stringify(outcomes));
      await f.two.exceptionRules.addHoliday({ date: '2026-12-26', name: 'Boxing Day' }, f.owner);
      await f.one.exceptionRules.addHoliday({ date: '2027-01-01', name: "New Year's Day" }, f.owner);
      const dates = (range?: { from: string; to: string }) =>
        f.one.exceptionRules.holidays(range).then((days) => days.map((day) => day.date));
      assert.deepEqual(await dates(), ['2026-12-25', '2026-12-26', '2027-01-01']);
      assert.deepEqual(await dates({ from: '2026-12-26', to: '2027-01-01' }), ['2026-12-26', '2027-01-01']);
      assert.equal(await f.two.exceptionRules.removeHoliday('2026-12-26', f.owner), true);
      assert.equal(await f.one.exceptionRules.removeHoliday('2026-12-26', f.owner), false);
      assert.deepEqual(await dates(), ['2026-12-25', '2027-01-01']);
    });

    it('keeps the standard labels in order, and one name per list however it is cased or composed', async () => {
      const names = async () => (await f.two.activityLabels.list()).map((label) => `${label.kind}: ${label.name}`);
      assert.deepEqual((await names()).slice(0, 3), [
        'category: Discovery meeting',
        'category: First appointment',
        'category: Follow-up call',
      ]);
      const outcomes = await Promise.all([
        f.one.activityLabels.create('category', 'reunion', 'Réunion', f.owner),
        f.two.activityLabels.create('category', 'reunion-2', 'RE\u0301UNION', f.manager),
      ]);
      assert.equal(outcomes.filter((outcome) => outcome === 'taken').length, 1, JSON.stringify(outcomes));
      const second = landed(
        await f.one.activityLabels.create('category', 'follow-up-call', 'Follow up by letter', f.owner),
      );
      assert.equal(second.key, 'follow-up-call-2', 'the key made unique in its list');
      assert.equal(await f.two.activityLabels.update(second.id, { name: 'PROPOSAL' }, f.owner), 'taken');
      const retired = await f.two.activityLabels.update(second.id, { retired: true }, f.owner);
      assert.equal(retired !== 'taken' && retired?.retired, true);
      const back = await f.one.activityLabels.update(second.id, { retired: false, name: 'Letter' }, f.owner);
      assert.deepEqual(back !== 'taken' && back && { name: back.name, retired: back.retired }, {
        name: 'Letter',
        retired: false,
      });
      assert.equal(await f.one.activityLabels.findById(second.id + 1000), null);
    });
  });
}

/** How the service sees the storage itself: health, upkeep, closing. */
export type OperationStores = PeopleStores &
  Pick<Repository, 'changeStamp' | 'ping' | 'writable' | 'maintain' | 'close' | 'isOpen' | 'rateLimitStore'>;

/** What a backend's health checks, upkeep and closing must do. */
export function describeOperationConformance<R extends OperationStores>(backend: ConformanceBackend<R>): void {
  describe(`repository conformance, operations: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);

    it('is reachable and writable, and its upkeep drops ended rate-limit windows only', async () => {
      assert.equal(await f.one.ping(), true);
      assert.equal(await f.two.writable(), true);
      // A window that ended long ago (counted at the epoch) and one still open, in one limit.
      const ended = f.one.rateLimitStore({ prefix: 'upkeep:', windowMs: 1000, now: () => 0 });
      const open = f.one.rateLimitStore({ prefix: 'upkeep:', windowMs: 3_600_000, now: () => Date.now() });
      await ended.increment('old');
      await open.increment('new');
      await Promise.all([f.one.maintain(), f.two.advisors.count()]);
      assert.equal(await ended.get('old'), undefined, 'the ended window is gone, even read as of its own time');
      assert.equal((await open.get('new'))?.totalHits, 1, 'the open window stays');
      assert.equal(f.one.isOpen(), true);
    });

    it('changes the change stamp once the other instance wrote', async () => {
      const before = f.one.changeStamp();
      await f.two.advisors.markWorkSeen(f.owner.advisorId, at(60));
      assert.notEqual(f.one.changeStamp(), before);
    });

    it('says it is closed once closed, and answers nothing after', async () => {
      const storage = await backend.open();
      try {
        assert.equal(storage.repo.isOpen(), true);
        await Promise.all([storage.repo.close(), storage.repo.close()]);
        assert.equal(storage.repo.isOpen(), false);
        assert.equal(await storage.repo.ping().catch(() => false), false);
      } finally {
        await storage.close();
      }
    });
  });
}

/** What a whole backend must do: the people, customer, alert, rate-limit, setting and operation parts, then opportunities and Set Regarding. */
export function describeRepositoryConformance(backend: ConformanceBackend<Repository>): void {
  describeSettingConformance(backend);
  describeOperationConformance(backend);
  describePeopleConformance(backend);
  describeCustomerConformance(backend);
  describeAlertConformance(backend);
  describeRateLimitConformance(backend);
  describe(`repository conformance, opportunities and Set Regarding: ${backend.name}`, function () {
    this.timeout(30_000);
    const f = twoInstances(backend);
    let serial = 0;

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
        ownerId: f.owner.advisorId,
        note: null,
        linkItem: null,
        idempotencyKey: null,
        ...fields,
      };
    }

    async function opened(topic: string): Promise<number> {
      return landed(await f.one.opportunities.create(referral(topic), f.owner)).id;
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

    describe('opportunities', () => {
      it('creates once for the same idempotency key sent to both instances at once', async () => {
        const fields = referral('Sent twice', { idempotencyKey: 'conformance-1' });
        const [first, second] = (
          await Promise.all([f.one.opportunities.create(fields, f.owner), f.two.opportunities.create(fields, f.owner)])
        ).map(landed);
        assert.equal(first.id, second.id);
        assert.deepEqual([first.created, second.created].sort(), [false, true]);
        const again = await f.one.opportunities.create(
          referral('Sent twice', { idempotencyKey: 'conformance-1' }),
          f.owner,
        );
        assert.deepEqual(again, { id: first.id, created: false });
        const other = landed(
          await f.two.opportunities.create(referral('Sent twice', { idempotencyKey: 'conformance-2' }), f.owner),
        );
        assert.notEqual(other.id, first.id, 'another key is another opportunity');
      });

      it('refuses a write whose rules read team memberships that changed since, on either instance, and takes one that read the new ones', async () => {
        const id = await opened('Team rights');
        const version = (await f.one.opportunities.findById(id))!.version;
        const read = await f.one.teams.changeVersion();
        const extra = await f.one.advisors.create(
          { email: 'teams.rights@firm.example', displayName: 'Tess', role: 'advisor' },
          null,
        );
        const north = (await f.one.teams.findByName('North'))!;
        await f.two.teams.addMember(north.id, extra.id, null);
        const stale = { ...f.manager, teamsVersion: read };
        assert.equal(
          await f.one.notes.create(id, version, 'Checked before', { advisorIds: [], teamIds: [] }, stale),
          'stale',
        );
        assert.equal(
          await f.two.opportunities.close(
            id,
            version,
            { status: 'won', actualValue: null, closeDate: '2026-11-18', reason: null },
            stale,
          ),
          'stale',
        );
        const fresh = { ...f.manager, teamsVersion: await f.two.teams.changeVersion() };
        assert.notEqual(
          await f.one.notes.create(id, version, 'Checked after', { advisorIds: [], teamIds: [] }, fresh),
          'stale',
        );
      });

      it('closes once when both instances close at the same version: the other is stale, the winner stands', async () => {
        for (let i = 0; i < 5; i++) {
          const id = await opened(`Close race ${i}`);
          const version = (await f.one.opportunities.findById(id))!.version;
          const close = (repo: Repository, status: 'won' | 'lost', actor: Actor) =>
            repo.opportunities.close(
              id,
              version,
              { status, actualValue: null, closeDate: '2026-11-24', reason: null },
              actor,
            );
          const [won, lost] = await Promise.all([close(f.one, 'won', f.owner), close(f.two, 'lost', f.manager)]);
          assert.deepEqual([won, lost].sort(), ['done', 'stale']);
          const record = await f.two.opportunities.findById(id);
          assert.equal(record?.status, won === 'done' ? 'won' : 'lost');
          assert.equal(record?.version, version + 1);
          assert.equal(
            (await f.one.opportunities.events(id, { before: null, limit: 10 })).length,
            1,
            'one close recorded',
          );
        }
      });

      it('reopens once, and only from the version it was closed at', async () => {
        const id = await opened('Reopened');
        const start = (await f.one.opportunities.findById(id))!.version;
        const outcome = {
          status: 'lost' as const,
          actualValue: null,
          closeDate: '2026-11-24',
          reason: 'Went elsewhere',
        };
        assert.equal(await f.one.opportunities.close(id, start, outcome, f.owner), 'done');
        assert.equal(await f.two.opportunities.reopen(id, start, f.owner), 'stale', 'the version before the close');
        const [first, second] = await Promise.all([
          f.one.opportunities.reopen(id, start + 1, f.owner),
          f.two.opportunities.reopen(id, start + 1, f.manager),
        ]);
        assert.deepEqual([first, second].sort(), ['done', 'stale']);
        const record = await f.one.opportunities.findById(id);
        assert.equal(record?.status, 'open');
        assert.equal(record?.version, start + 2);
        const events = await f.two.opportunities.events(id, { before: null, limit: 10 });
        assert.equal(events.length, 2, 'one close and one reopen');
      });

      it('assigns once when both instances assign at the same version: the other is stale', async () => {
        const carol = await f.one.advisors.create(
          { email: 'carol@firm.example', displayName: 'Carol', role: 'advisor' },
          null,
        );
        const id = await opened('Assign race');
        const version = (await f.one.opportunities.findById(id))!.version;
        const before = await f.one.opportunities.assignments(id, { before: null, limit: 10 });
        const [first, second] = await Promise.all([
          f.one.opportunities.assign(id, version, carol.id, 'Yours', f.owner),
          f.two.opportunities.assign(id, version, f.manager.advisorId, null, f.manager),
        ]);
        assert.deepEqual([first, second].sort(), ['done', 'stale']);
        const record = await f.two.opportunities.findById(id);
        assert.equal(record?.owner.id, first === 'done' ? carol.id : f.manager.advisorId);
        const assignments = await f.one.opportunities.assignments(id, { before: null, limit: 10 });
        assert.equal(assignments.length, before.length + 1, 'one assignment recorded');
        assert.equal(assignments[0].to.id, record?.owner.id, 'the newest is the one that landed');
      });

      it('refuses a change given a version that moved, and changes nothing', async () => {
        const id = await opened('Edited');
        const version = (await f.one.opportunities.findById(id))!.version;
        assert.notEqual(await f.one.opportunities.update(id, version, { topic: 'Edited once' }, f.owner), 'stale');
        assert.equal(
          await f.two.opportunities.update(id, version, { topic: 'Edited from the old version' }, f.owner),
          'stale',
        );
        assert.equal((await f.two.opportunities.findById(id))?.topic, 'Edited once');
      });
    });

    describe('type-ahead and lists', () => {
      const options = (view: 'my-open' | 'all-open' | 'recent' | 'closed', q?: string, limit = 10, offset = 0) => ({
        view,
        advisorId: f.owner.advisorId,
        q,
        limit,
        offset,
      });

      it("matches every typed word to the start of a word of the topic or the customer's name, email or organization", async () => {
        const renee = landed(
          await f.one.opportunities.create(
            referral('Quokka rollover for Renée', {
              newContact: { name: 'Zoë Quill', email: 'zq@wombat-harbor.example', phone: null, organizationId: null },
            }),
            f.owner,
          ),
        ).id;
        const organization = await f.one.contacts.createOrganization('Wombat Freight', [], f.owner);
        const freight = landed(
          await f.one.opportunities.create(
            referral('Quokka annuity review', { newContact: null, customerOrganizationId: organization }),
            f.owner,
          ),
        ).id;
        const ira = await opened('Quokka rollover IRA');
        const choices = async (q: string, limit = 10, offset = 0) =>
          (await f.two.opportunities.choices(options('all-open', q, limit, offset))).map((choice) => choice.id);
        assert.deepEqual(await choices('quokka'), [ira, freight, renee], 'newest first');
        assert.deepEqual(await choices('QUOKKA roll'), [ira, renee]);
        assert.deepEqual(await choices('renee quok'), [renee], 'accents aside, any order');
        assert.deepEqual(await choices('zoe quil'), [renee], "the customer's name");
        assert.deepEqual(await choices('wombat'), [freight, renee], 'an email word, an organization word');
        assert.deepEqual(await choices('okka'), [], 'the start of a word only');
        assert.deepEqual(await choices('quokka', 1, 1), [freight], 'a later page');
        const lines = await f.two.opportunities.choices(options('all-open', 'quokka annuity'));
        assert.deepEqual(
          lines.map(({ customerName, topic }) => ({ customerName, topic })),
          [{ customerName: 'Wombat Freight', topic: 'Quokka annuity review' }],
        );
        const listed = await f.one.opportunities.list(options('my-open', 'quokka'));
        assert.deepEqual(
          listed.map((summary) => summary.id),
          [ira, freight, renee],
        );
      });

      it('lists without words by the last change first, and Recent by the last use first', async () => {
        const first = await opened('Platypus first');
        const second = await opened('Platypus second');
        const version = (await f.one.opportunities.findById(first))!.version;
        landed(await f.two.opportunities.update(first, version, { stage: 'develop' }, { ...f.owner, at: at(50) }));
        // Only these two: others of the fixture's may have changed later (a race's winner is either instance).
        const open = (await f.one.opportunities.list(options('my-open')))
          .map((summary) => summary.id)
          .filter((id) => id === first || id === second);
        assert.deepEqual(open, [first, second], 'the one changed last comes first');
        await f.one.opportunities.markRecent(f.owner.advisorId, second, at(51));
        await f.two.opportunities.markRecent(f.owner.advisorId, first, at(52));
        const recent = (await f.two.opportunities.list(options('recent'))).map((summary) => summary.id);
        assert.deepEqual(recent.slice(0, 2), [first, second]);
        const typed = await f.one.opportunities.choices(options('recent', 'platypus'));
        assert.deepEqual(
          typed.map((choice) => choice.id),
          [first, second],
          'Recent stays in its order with words',
        );
      });
    });

    describe('alert deliveries of an opportunity', () => {
      it("claims an untouched referral's alert once when both instances claim it at once", async () => {
        const id = await opened('Untouched');
        const assignedAt = (await f.one.opportunities.findById(id))!.createdAt;
        const key = { kind: 'untouched' as const, recipientId: f.manager.advisorId, opportunityId: id, assignedAt };
        const claims = await Promise.all([
          f.one.alertDeliveries.claim([key], at(30), at(0)),
          f.two.alertDeliveries.claim([key], at(30), at(0)),
        ]);
        assert.equal(claims.flat().filter((claimId) => claimId !== null).length, 1);
        assert.deepEqual(await f.one.alertDeliveries.claim([key], at(40), at(35), true), [null], 'never forced');
      });
    });

    describe('Set Regarding', () => {
      it('moves an activity once when both instances move it at once from the same state: the other is stale', async () => {
        const from = await opened('Moved from');
        const [left, right] = [await opened('Moved to, left'), await opened('Moved to, right')];
        const version = async (id: number) => (await f.one.opportunities.findById(id))!.version;
        const linked = landed(
          await f.one.activities.upsertRegarding(email('<moved@client.example>'), from, await version(from), f.owner),
        );
        const outcomes = await Promise.all([
          f.one.activities.setRegarding(linked.id, { id: left, version: await version(left) }, f.owner, linked.stamp),
          f.two.activities.setRegarding(linked.id, { id: right, version: await version(right) }, f.owner, linked.stamp),
        ]);
        assert.equal(outcomes.filter((outcome) => outcome === 'stale').length, 1, 'one lands, the other is stale');
        const landedOn = outcomes.find((outcome) => outcome !== 'stale')!.regarding?.id;
        assert.equal((await f.two.activities.findById(linked.id))?.regarding?.id, landedOn);
        assert.deepEqual(
          await f.one.activities.regarding(from, { before: null, limit: 10 }),
          [],
          'gone from where it was',
        );
      });

      it('keeps one Recent entry when both instances mark the same opportunity at once', async () => {
        const id = await opened('Opened twice');
        await Promise.all([
          f.one.opportunities.markRecent(f.manager.advisorId, id, at(70)),
          f.two.opportunities.markRecent(f.manager.advisorId, id, at(71)),
        ]);
        const recent = await f.one.opportunities.list({
          view: 'recent',
          advisorId: f.manager.advisorId,
          limit: 50,
          offset: 0,
        });
        assert.equal(recent.filter((summary) => summary.id === id).length, 1);
        assert.equal(recent[0].id, id, 'the last used first');
      });

      it('records one activity for the same email linked on both instances at once, regarding the opportunity', async () => {
        const id = await opened('One email');
        const version = (await f.one.opportunities.findById(id))!.version;
        const item = email('<same-message@client.example>');
        const [first, second] = (
          await Promise.all([
            f.one.activities.upsertRegarding(item, id, version, f.owner),
            f.two.activities.upsertRegarding(item, id, version, f.manager),
          ])
        ).map(landed);
        assert.equal(first.id, second.id);
        assert.equal(first.regarding?.id, id);
        const timeline = await f.two.activities.regarding(id, { before: null, limit: 10 });
        assert.deepEqual(
          timeline.map((activity) => activity.id),
          [first.id],
        );
      });

      it('links the same email again to the same activity, and refuses a link to an opportunity that moved', async () => {
        const id = await opened('Linked twice');
        const version = (await f.one.opportunities.findById(id))!.version;
        const item = email('<again@client.example>');
        const first = landed(await f.one.activities.upsertRegarding(item, id, version, f.owner));
        const again = landed(await f.two.activities.upsertRegarding(item, id, version, f.owner));
        assert.equal(again.id, first.id);
        assert.notEqual(await f.one.opportunities.update(id, version, { stage: 'develop' }, f.owner), 'stale');
        const moved = await f.two.activities.upsertRegarding(email('<late@client.example>'), id, version, f.owner);
        assert.equal(moved, 'stale');
        assert.equal(await f.one.activities.findByIdentity({ internetMessageId: '<late@client.example>' }), null);
      });
    });
  });
}
