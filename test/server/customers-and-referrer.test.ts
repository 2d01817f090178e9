import assert from 'node:assert/strict';
import { Interleaver } from '../helpers/interleave';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Advisor = Awaited<ReturnType<TestServer['advisor']>>;
const names = (body: { items: { name: string }[] }) => body.items.map((item) => item.name);
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

describe('customers: contact and organization search, new company domains (issue 13, point 1)', () => {
  let server: TestServer;
  let alex: Advisor;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
  });
  afterEach(() => server.close());

  it('finds contacts by a word prefix of the name, by email and by the digits of the phone', async () => {
    await alex.api.post('/api/v1/contacts', {
      name: 'Margaret Olsen',
      email: 'maggie@gmail.com',
      phone: '+1 (555) 013-4567',
    });
    await alex.api.post('/api/v1/contacts', { name: 'Omar Haddad', email: 'omar@yahoo.com', phone: '555.998.1200' });

    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=ols')).body), ['Margaret Olsen']);
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=marg%20ol')).body), ['Margaret Olsen']);
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=omar%40yah')).body), ['Omar Haddad']);
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=maggie')).body), ['Margaret Olsen']);
    // Typed with other punctuation, with or without the country code.
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=555-013-45')).body), ['Margaret Olsen']);
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=%2B15550134')).body), ['Margaret Olsen']);
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=(555)%20998')).body), ['Omar Haddad']);
    assert.deepEqual(
      names((await alex.api.get('/api/v1/contacts?q=555')).body),
      ['Omar Haddad', 'Margaret Olsen'],
      'newest first',
    );
    assert.deepEqual(names((await alex.api.get('/api/v1/contacts?q=777')).body), []);
  });

  itOnSqlite('searches the contacts through the full-text index, not a scan', () => {
    const plan = server.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT rowid FROM contact_search WHERE contact_search MATCH '{name email} : ("ol"*)'`,
      )
      .all() as { detail: string }[];
    assert.match(plan.map((row) => row.detail).join('\n'), /VIRTUAL TABLE INDEX/);
  });

  it('finds organizations by a word prefix of the name or of a domain, and creates one', async () => {
    const created = await alex.api.post('/api/v1/organizations', {
      name: 'Harbor Dental Group',
      domain: 'HarborDental.example',
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.domains, ['harbordental.example']);
    await alex.api.post('/api/v1/organizations', { name: 'Summit Logistics' });

    assert.deepEqual(names((await alex.api.get('/api/v1/organizations?q=dent')).body), ['Harbor Dental Group']);
    assert.deepEqual(names((await alex.api.get('/api/v1/organizations?q=harbordental')).body), ['Harbor Dental Group']);
    assert.deepEqual(names((await alex.api.get('/api/v1/organizations?q=sum')).body), ['Summit Logistics']);

    const taken = await alex.api.post('/api/v1/organizations', { name: 'Other', domain: 'harbordental.example' });
    assert.equal(taken.status, 409);
    assert.deepEqual(paths(taken.body), ['body.domain']);
    const bad = await alex.api.post('/api/v1/organizations', { name: '', domain: 'not a domain' });
    assert.equal(bad.status, 400);
    assert.deepEqual(paths(bad.body).sort(), ['body.domain', 'body.name']);
    const publicDomain = await alex.api.post('/api/v1/organizations', { name: 'Gmail', domain: 'gmail.com' });
    assert.equal(publicDomain.status, 400);
    assert.deepEqual(paths(publicDomain.body), ['body.domain']);

    // A contact from the domain joins it.
    const jordan = await alex.api.post('/api/v1/contacts', { name: 'Jordan', email: 'jordan@harbordental.example' });
    assert.deepEqual(jordan.body.organization, { id: created.body.id, name: 'Harbor Dental Group' });
  });

  it('gives a new company email domain a new organization named from it, which the next contact joins', async () => {
    const first = await alex.api.post('/api/v1/contacts', { name: 'Dana Ruiz', email: 'dana@contoso.com' });
    assert.equal(first.status, 201);
    assert.equal(first.body.organization?.name, 'Contoso');
    const found = await alex.api.get('/api/v1/organizations?q=contoso');
    assert.deepEqual(found.body.items[0].domains, ['contoso.com']);

    const second = await alex.api.post('/api/v1/contacts', { name: 'Eli Park', email: 'eli@Contoso.com' });
    assert.equal(second.body.organization?.id, first.body.organization.id);
    assert.equal((await alex.api.get('/api/v1/organizations?q=contoso')).body.items.length, 1);

    const uk = await alex.api.post('/api/v1/contacts', { name: 'Ian', email: 'ian@mail.north-wind.co.uk' });
    assert.equal(uk.body.organization?.name, 'North Wind');

    // Through a new opportunity's new contact, too.
    const opportunity = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'kim@fabrikam.example'));
    assert.equal(opportunity.body.opportunity.customerOrganization?.name, 'Fabrikam');
  });

  it('never makes an organization for a public mail domain', async () => {
    const contact = await alex.api.post('/api/v1/contacts', { name: 'Priya', email: 'priya@gmail.com' });
    assert.equal(contact.body.organization, null);
    assert.equal((await alex.api.get('/api/v1/organizations?q=gmail')).body.items.length, 0);
    const opportunity = await alex.api.post('/api/v1/opportunities', referral('IRA', 'sam@outlook.com'));
    assert.equal(opportunity.body.opportunity.customerOrganization, null);
  });

  it('never makes an organization for a public mail provider on a country domain or a host under it', async () => {
    const emails = [
      'a@yahoo.fr',
      'b@yahoo.ca',
      'c@hotmail.co.uk',
      'd@web.de',
      'e@gmx.de',
      'f@btinternet.com',
      'g@live.co.uk',
      'h@qq.com',
      'i@mail.gmail.com',
      'j@pm.me',
    ];
    for (const [i, email] of emails.entries()) {
      const contact = await alex.api.post('/api/v1/contacts', { name: `Client ${i}`, email });
      assert.equal(contact.status, 201, email);
      assert.equal(contact.body.organization, null, `${email} is a public mail domain`);
    }
    const count = await server.value('SELECT count(*) FROM organizations');
    assert.equal(count, 0, 'no organization was made');
    const refused = await alex.api.post('/api/v1/organizations', { name: 'Yahoo France', domain: 'yahoo.fr' });
    assert.equal(refused.status, 400);
  });

  it("registers a new company's domain without its host, so a contact from another of its hosts joins it", async () => {
    const first = await alex.api.post('/api/v1/contacts', { name: 'Sub', email: 'sub@mail.alvarez-group.example' });
    assert.equal(first.body.organization?.name, 'Alvarez Group');
    const found = await alex.api.get('/api/v1/organizations?q=alvarez');
    assert.deepEqual(found.body.items[0].domains, ['alvarez-group.example']);
    const second = await alex.api.post('/api/v1/contacts', { name: 'Top', email: 'top@alvarez-group.example' });
    const third = await alex.api.post('/api/v1/contacts', { name: 'Eu', email: 'eu@eu.alvarez-group.example' });
    assert.equal(second.body.organization?.id, first.body.organization.id);
    assert.equal(third.body.organization?.id, first.body.organization.id);
    assert.equal(await server.value('SELECT count(*) FROM organizations'), 1);
  });

  it('creates an opportunity for an organization found by search', async () => {
    const org = await alex.api.post('/api/v1/organizations', { name: 'Summit Logistics' });
    const found = await alex.api.get('/api/v1/organizations?q=summit');
    const created = await alex.api.post('/api/v1/opportunities', {
      topic: 'Group 401(k)',
      customer: { organizationId: found.body.items[0].id },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.opportunity.customerOrganization, { id: org.body.id, name: 'Summit Logistics' });
    assert.equal(created.body.opportunity.customerContact, null);
  });
});

describe('a new company domain makes one organization, however contacts race (issue 13, point 1)', () => {
  it('two contacts from a new domain, the second checked before the first is written, share one new organization', async () => {
    const interleaver = new Interleaver();
    const server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    try {
      const alex = await server.advisor('Alex Morgan');
      // The first request has seen no organization for the domain and waits just before its write.
      const pause = interleaver.pauseNext('contacts', 'createOrFind');
      const first = alex.api.post('/api/v1/contacts', { name: 'Dana', email: 'dana@contoso.example' });
      await pause.reached;
      const second = await alex.api.post('/api/v1/contacts', { name: 'Eli', email: 'eli@contoso.example' });
      pause.release();
      const dana = await first;
      assert.equal(second.status, 201);
      assert.equal(dana.status, 201);
      assert.equal(dana.body.organization.id, second.body.organization.id);
      assert.equal(await server.value('SELECT count(*) FROM organizations'), 1);
    } finally {
      await server.close();
    }
  });
});

describe('referred by (issue 13, point 2)', () => {
  let server: TestServer;
  let alex: Advisor;
  let blake: Advisor;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
  });
  afterEach(() => server.close());

  const patch = (id: number, version: number, body: unknown) =>
    alex.api.patch(`/api/v1/opportunities/${id}`, body, { 'If-Match': `"${version}"` });

  it('sets the referrer on create (an advisor, a contact, or a new contact matched by email) and shows it in lists and the detail', async () => {
    const byAdvisor = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'a@gmail.com', { referredBy: { advisorId: blake.record.id } }),
    );
    assert.equal(byAdvisor.status, 201);
    assert.deepEqual(byAdvisor.body.opportunity.referredBy, {
      kind: 'advisor',
      id: blake.record.id,
      name: 'Blake Chen',
      email: blake.record.email,
    });

    const client = await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' });
    const byContact = await alex.api.post(
      '/api/v1/opportunities',
      referral('Life policy', 'b@gmail.com', { referredBy: { contactId: client.body.id } }),
    );
    assert.deepEqual(byContact.body.opportunity.referredBy, {
      kind: 'contact',
      id: client.body.id,
      name: 'Carla Client',
      email: 'carla@gmail.com',
    });

    const bySender = await alex.api.post(
      '/api/v1/opportunities',
      referral('Rollover', 'c@gmail.com', {
        referredBy: { newContact: { name: 'Carla C.', email: 'Carla@gmail.com' } },
      }),
    );
    assert.equal(
      bySender.body.opportunity.referredBy.id,
      client.body.id,
      'the sender is matched by email, not duplicated',
    );
    const newSender = await alex.api.post(
      '/api/v1/opportunities',
      referral('Estate', 'd@gmail.com', { referredBy: { newContact: { name: 'Dee New', email: 'dee@gmail.com' } } }),
    );
    assert.equal(newSender.body.opportunity.referredBy.name, 'Dee New');
    assert.equal((await alex.api.get('/api/v1/contacts?email=dee%40gmail.com')).body.items.length, 1);

    const list = await alex.api.get('/api/v1/opportunities?view=my-open');
    const annuity = list.body.items.find((o: { topic: string }) => o.topic === 'Annuity');
    assert.equal(annuity.referredBy.name, 'Blake Chen');
    const detail = await alex.api.get(`/api/v1/opportunities/${byContact.body.opportunity.id}`);
    assert.equal(detail.body.opportunity.referredBy.name, 'Carla Client');
  });

  it('changes the referrer from an advisor to a contact and clears it with null', async () => {
    const created = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'a@gmail.com', { referredBy: { advisorId: blake.record.id } }),
    );
    const id = created.body.opportunity.id;
    const client = await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' });

    const changed = await patch(id, created.body.opportunity.version, { referredBy: { contactId: client.body.id } });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.referredBy, {
      kind: 'contact',
      id: client.body.id,
      name: 'Carla Client',
      email: 'carla@gmail.com',
    });

    const cleared = await patch(id, changed.body.version, { referredBy: null });
    assert.equal(cleared.status, 200);
    assert.equal(cleared.body.referredBy, null);
    assert.equal(cleared.body.topic, 'Annuity', 'other fields stay');

    const back = await patch(id, cleared.body.version, { referredBy: { advisorId: alex.record.id } });
    assert.equal(back.body.referredBy.kind, 'advisor');
    assert.equal(back.body.referredBy.name, 'Alex Morgan');
  });

  it('records who referred it in the timeline: set on create, changed, cleared, with who and when; an edit of other fields records nothing', async () => {
    const created = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'a@gmail.com', { referredBy: { advisorId: blake.record.id } }),
    );
    const id = created.body.opportunity.id;
    const client = await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' });
    const changed = await patch(id, created.body.opportunity.version, { referredBy: { contactId: client.body.id } });
    const same = await patch(id, changed.body.version, { referredBy: { contactId: client.body.id } });
    const topic = await patch(id, same.body.version, { topic: 'Annuity review' });
    await patch(id, topic.body.version, { referredBy: null });

    const events = await alex.api.get(`/api/v1/opportunities/${id}/events`);
    assert.equal(events.status, 200);
    const referred = events.body.items.filter((e: { kind: string }) => e.kind === 'referred').reverse();
    assert.deepEqual(
      referred.map((e: { referredBy: { name: string } | null; by: { displayName: string } }) => [
        e.referredBy?.name ?? null,
        e.by.displayName,
      ]),
      [
        ['Blake Chen', 'Alex Morgan'],
        ['Carla Client', 'Alex Morgan'],
        [null, 'Alex Morgan'],
      ],
      'one event per change of referrer, oldest first here; the same referrer again and a topic edit record none',
    );
    assert.ok(referred.every((e: { createdAt: string }) => !Number.isNaN(Date.parse(e.createdAt))));
    const detail = await alex.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(detail.body.events[0].kind, 'referred', 'the detail carries the newest events');
    assert.equal(detail.body.events[0].referredBy, null);
  });

  it('filters the list by the referring advisor or contact', async () => {
    const client = await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' });
    await alex.api.post(
      '/api/v1/opportunities',
      referral('By Blake', 'a@gmail.com', { referredBy: { advisorId: blake.record.id } }),
    );
    await alex.api.post(
      '/api/v1/opportunities',
      referral('By Carla', 'b@gmail.com', { referredBy: { contactId: client.body.id } }),
    );
    await alex.api.post('/api/v1/opportunities', referral('By nobody', 'c@gmail.com'));
    const topics = async (query: string) =>
      (await alex.api.get(`/api/v1/opportunities?view=my-open&${query}`)).body.items.map(
        (o: { topic: string }) => o.topic,
      );

    assert.deepEqual(await topics(`referredByAdvisorId=${blake.record.id}`), ['By Blake']);
    assert.deepEqual(await topics(`referredByContactId=${client.body.id}`), ['By Carla']);
    assert.deepEqual(await topics(`referredByAdvisorId=${alex.record.id}`), []);
    assert.deepEqual(await topics(`referredByContactId=${client.body.id}&q=nobody`), [], 'q still narrows it');
    assert.deepEqual(await topics(`referredByContactId=${client.body.id}&q=by`), ['By Carla']);
    const blakes = await blake.api.get(`/api/v1/opportunities?view=my-open&referredByAdvisorId=${blake.record.id}`);
    assert.deepEqual(blakes.body.items, [], 'the filter never widens a view: Alex owns the one Blake referred');
    const bad = await alex.api.get('/api/v1/opportunities?referredByAdvisorId=x');
    assert.equal(bad.status, 400);
    assert.deepEqual(paths(bad.body), ['query.referredByAdvisorId']);
  });

  it('refuses an unknown referrer with 400 naming the field, and saves nothing', async () => {
    const unknownAdvisor = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'a@gmail.com', { referredBy: { advisorId: 9999 } }),
    );
    assert.equal(unknownAdvisor.status, 400);
    assert.deepEqual(paths(unknownAdvisor.body), ['body.referredBy.advisorId']);
    const unknownContact = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'a@gmail.com', { referredBy: { contactId: 9999 } }),
    );
    assert.equal(unknownContact.status, 400);
    assert.deepEqual(paths(unknownContact.body), ['body.referredBy.contactId']);
    assert.equal((await alex.api.get('/api/v1/opportunities?view=my-open')).body.items.length, 0);

    const created = await alex.api.post('/api/v1/opportunities', referral('Annuity', 'a@gmail.com'));
    const { id, version } = created.body.opportunity;
    const badPatch = await patch(id, version, { referredBy: { contactId: 9999 } });
    assert.equal(badPatch.status, 400);
    assert.deepEqual(paths(badPatch.body), ['body.referredBy.contactId']);
    const both = await patch(id, version, { referredBy: { advisorId: alex.record.id, contactId: 1 } });
    assert.equal(both.status, 400);
    const unchanged = await alex.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(unchanged.body.opportunity.version, version);
    assert.equal(unchanged.body.opportunity.referredBy, null);
  });
});
