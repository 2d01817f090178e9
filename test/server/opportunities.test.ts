import assert from 'node:assert/strict';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

describe('opportunities API', () => {
  let server: TestServer;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;
  let blake: Awaited<ReturnType<TestServer['advisor']>>;
  let chris: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
    chris = await server.advisor('Chris Doe');
  });
  afterEach(() => server.close());

  it('creates a referral with a new customer, a shared note, an owner and a linked email in one request', async () => {
    const res = await alex.api.post('/api/v1/opportunities', {
      ...referral('Rollover for Jordan', 'jordan@harbor.example'),
      ownerId: blake.record.id,
      note: { body: 'Call after 5pm' },
      linkItem: emailItem('<m1@harbor.example>'),
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('etag'), '"1"');
    const { opportunity, notes, activities, assignments } = res.body;
    assert.equal(opportunity.topic, 'Rollover for Jordan');
    assert.equal(opportunity.campaign.name, 'Referral');
    assert.equal(opportunity.owner.id, blake.record.id);
    assert.equal(opportunity.createdBy.id, alex.record.id);
    assert.equal(opportunity.customerContact.email, 'jordan@harbor.example');
    assert.equal(opportunity.canAct, true, 'the creator may act on it');
    assert.deepEqual(
      notes[0].sharedWith.advisors.map((a: { id: number }) => a.id),
      [blake.record.id],
      'the note is shared with the owner',
    );
    assert.equal(activities.length, 1);
    assert.equal(activities[0].outlook.internetMessageId, '<m1@harbor.example>');
    assert.equal(activities[0].sentAt, '2026-11-18T08:00:00.000Z', 'times are stored in UTC');
    assert.equal(assignments[0].to.id, blake.record.id);

    const asOwner = await blake.api.get(`/api/v1/opportunities/${opportunity.id}`);
    assert.equal(asOwner.body.notes[0].body, 'Call after 5pm');
    assert.equal(asOwner.body.opportunity.canAct, true);
  });

  it('matches a new customer to an existing contact by email instead of duplicating it', async () => {
    const first = await alex.api.post('/api/v1/opportunities', referral('One', 'same@client.example'));
    const second = await blake.api.post('/api/v1/opportunities', referral('Two', 'SAME@client.example'));
    assert.equal(second.status, 201);
    assert.equal(second.body.opportunity.customerContact.id, first.body.opportunity.customerContact.id);
    const contacts = await alex.api.get('/api/v1/contacts?email=same@client.example');
    assert.equal(contacts.body.items.length, 1);
    assert.equal(contacts.body.items[0].openOpportunities.length, 2);
  });

  it('never creates two opportunities for a retried create with the same Idempotency-Key', async () => {
    const body = referral('Double click', 'dc@client.example');
    const [a, b] = await Promise.all([
      alex.api.post('/api/v1/opportunities', body, { 'Idempotency-Key': 'create-123' }),
      alex.api.post('/api/v1/opportunities', body, { 'Idempotency-Key': 'create-123' }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 201]);
    assert.equal(a.body.opportunity.id, b.body.opportunity.id);
    const mine = await alex.api.get('/api/v1/opportunities?view=my-open');
    assert.equal(mine.body.items.length, 1);
  });

  it('rejects bad input with problem+json naming the field, and saves nothing', async () => {
    const res = await alex.api.post('/api/v1/opportunities', { topic: '', customer: { contactId: 'x' } });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type')!, /application\/problem\+json/);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    assert.ok(paths.includes('body.topic'), `got ${paths}`);
    const unknownOwner = await alex.api.post('/api/v1/opportunities', {
      ...referral('T', 'x@y.example'),
      ownerId: 9999,
    });
    assert.equal(unknownOwner.status, 400);
    assert.equal(unknownOwner.body.errors[0].path, 'body.ownerId');
    const all = await alex.api.get('/api/v1/opportunities?view=all-open');
    assert.equal(all.body.items.length, 0);
    const contacts = await alex.api.get('/api/v1/contacts?email=x@y.example');
    assert.equal(contacts.body.items.length, 0, 'the new contact was not saved either');
  });

  it('issue 15: an amount in fractions of a cent is refused at its field; whole cents are kept as sent', async () => {
    for (const estimatedValue of [0.004, 12.345, 1e-7]) {
      const res = await alex.api.post('/api/v1/opportunities', { ...referral('T', 'cents@y.example'), estimatedValue });
      assert.equal(res.status, 400, String(estimatedValue));
      assert.equal(res.body.errors[0].path, 'body.estimatedValue');
      assert.match(res.body.errors[0].message, /whole cents/);
    }
    for (const estimatedValue of [0.07, 1250.5, 999_999_999_999.99, 1e12]) {
      const res = await alex.api.post('/api/v1/opportunities', {
        ...referral(`T ${estimatedValue}`, 'cents@y.example'),
        estimatedValue,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.opportunity.estimatedValue, estimatedValue, String(estimatedValue));
    }
  });

  it('saves, finds and renames the customer of an opportunity with as many words as its fields hold', async () => {
    // Distinct one-letter words (CJK: three bytes each) fill the topic, the customer's name and organization, and a
    // dotted email: far more words than a btree index entry holds (2,704 bytes on PostgreSQL).
    const letters = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => String.fromCodePoint(from + i)).join(' ');
    const organization = await alex.api.post('/api/v1/organizations', { name: letters(0x5000, 100) });
    assert.equal(organization.status, 201, JSON.stringify(organization.body));
    const local = Array.from({ length: 21 }, (_, i) => `q${i.toString(36)}`).join('.');
    const created = await alex.api.post('/api/v1/opportunities', {
      topic: letters(0x4e00, 150),
      customer: {
        newContact: {
          name: letters(0x6000, 100),
          email: `${local}@mail.example`,
          organizationId: organization.body.id,
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, customerContact } = created.body.opportunity;
    const found = async (q: string) =>
      (await alex.api.get(`/api/v1/opportunities/lookup?view=my-open&q=${encodeURIComponent(q)}`)).body.items.map(
        (line: { id: number }) => line.id,
      );
    assert.deepEqual(await found(String.fromCodePoint(0x4e00 + 149)), [id], 'by the last word of its topic');
    assert.deepEqual(await found('qk'), [id], 'by a word of its email');
    // A rename of the customer (by another process: the API has none) renews the opportunity's words.
    await server.rows('UPDATE contacts SET name = ? WHERE id = ?', letters(0x7000, 100), customerContact.id);
    assert.deepEqual(await found(String.fromCodePoint(0x7000 + 99)), [id], 'by a word of the new name');
    assert.deepEqual(await found(String.fromCodePoint(0x6000 + 99)), [], 'not by the old name');
  });

  it('lists by view, searches by word prefix of topic, customer name and email, and pages', async () => {
    await alex.api.post('/api/v1/opportunities', referral('Retirement rollover', 'jordan.lee@harbor.example'));
    await alex.api.post('/api/v1/opportunities', referral('College savings', 'priya@gmail.com'));
    await blake.api.post('/api/v1/opportunities', referral('Group benefits', 'sam@summit.example'));

    const mine = await alex.api.get('/api/v1/opportunities?view=my-open');
    assert.deepEqual(
      mine.body.items.map((o: { topic: string }) => o.topic),
      ['College savings', 'Retirement rollover'],
    );
    const all = await alex.api.get('/api/v1/opportunities?view=all-open&limit=2');
    assert.equal(all.body.items.length, 2);
    assert.equal(all.body.nextOffset, 2);
    const rest = await alex.api.get('/api/v1/opportunities?view=all-open&limit=2&offset=2');
    assert.equal(rest.body.items.length, 1);
    assert.equal(rest.body.nextOffset, null);

    const search = async (q: string) =>
      (await alex.api.get(`/api/v1/opportunities?view=all-open&q=${encodeURIComponent(q)}`)).body.items.map(
        (o: { topic: string }) => o.topic,
      );
    assert.deepEqual(await search('rollo'), ['Retirement rollover']);
    assert.deepEqual(await search('jordan.l'), ['Retirement rollover'], 'email prefix');
    assert.deepEqual(await search('sum'), ['Group benefits'], 'customer email domain word');
    assert.deepEqual(await search('college sav'), ['College savings'], 'every word must match');
    assert.deepEqual(await search('zzz'), []);
    assert.deepEqual(await search('"*'), [], 'search syntax is not interpreted');
  });

  it('gives the lookup the same page as the list for every view and search, as lines of topic, customer, owner and stage', async () => {
    const organization = await server.repo.contacts.createOrganization('Harbor Wealth', [], null);
    const retirement = await alex.api.post(
      '/api/v1/opportunities',
      referral('Retirement rollover', 'jordan.lee@harbor.example'),
    );
    await alex.api.post('/api/v1/opportunities', {
      topic: 'Retiree income',
      customer: { organizationId: organization },
    });
    await blake.api.post('/api/v1/opportunities', referral('Retirement plan for staff', 'sam@summit.example'));
    const lost = await blake.api.post('/api/v1/opportunities', referral('Retirement annuity', 'kim@summit.example'));
    await blake.api.post(`/api/v1/opportunities/${lost.body.opportunity.id}/close`, { outcome: 'lost' });
    await alex.api.get(`/api/v1/opportunities/${retirement.body.opportunity.id}`); // now in alex's recent view

    for (const query of [
      'view=all-open',
      'view=all-open&q=retire',
      'view=all-open&q=retirement%20roll',
      'view=my-open&q=ret',
      'view=recent',
      'view=closed',
      'view=all-open&limit=1&offset=1',
    ]) {
      for (const advisor of [alex, blake]) {
        const list = await advisor.api.get(`/api/v1/opportunities?${query}`);
        const lookup = await advisor.api.get(`/api/v1/opportunities/lookup?${query}`);
        assert.equal(lookup.status, 200);
        assert.deepEqual(
          lookup.body,
          {
            items: list.body.items.map(
              (o: {
                id: number;
                topic: string;
                status: string;
                stage: string;
                owner: { displayName: string };
                customerContact: { name: string } | null;
                customerOrganization: { name: string } | null;
              }) => ({
                id: o.id,
                topic: o.topic,
                status: o.status,
                stage: o.stage,
                customerName: o.customerContact?.name ?? o.customerOrganization!.name,
                ownerName: o.owner.displayName,
              }),
            ),
            nextOffset: list.body.nextOffset,
          },
          `${query} as ${advisor.record.displayName}`,
        );
      }
    }
    const search = (await alex.api.get('/api/v1/opportunities/lookup?view=all-open&q=retire')).body.items;
    assert.deepEqual(
      search.map((o: { topic: string }) => o.topic),
      ['Retirement plan for staff', 'Retiree income', 'Retirement rollover'],
    );
    assert.deepEqual(search[1], {
      id: search[1].id,
      topic: 'Retiree income',
      status: 'open',
      stage: 'qualify',
      customerName: 'Harbor Wealth',
      ownerName: 'Alex Morgan',
    });
    assert.deepEqual(
      (await blake.api.get('/api/v1/opportunities/lookup?view=closed')).body.items.map(
        (o: { topic: string }) => o.topic,
      ),
      ['Retirement annuity'],
    );
    assert.deepEqual(
      (await alex.api.get('/api/v1/opportunities/lookup?view=closed')).body.items,
      [],
      'closed opportunities of others are not listed',
    );
    const bad = await alex.api.get('/api/v1/opportunities/lookup?view=everything');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'query.view');
  });

  it('suggests open opportunities of the given people, mine first, excluding my own address', async () => {
    const theirs = await blake.api.post('/api/v1/opportunities', referral('Blake deal', 'pat@client.example'));
    const mine = await alex.api.post('/api/v1/opportunities', referral('Alex deal', 'pat@client.example'));
    await alex.api.post('/api/v1/opportunities', referral('Other person', 'other@client.example'));
    const res = await alex.api.get(
      `/api/v1/opportunities/suggestions?email=PAT@client.example&email=${alex.record.email}`,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.map((o: { id: number }) => o.id),
      [mine.body.opportunity.id, theirs.body.opportunity.id],
    );
  });

  it('updates with If-Match: 428 without it, 409 on a stale version, 200 and a new ETag otherwise', async () => {
    const { body } = await alex.api.post('/api/v1/opportunities', referral('Versioned', 'v@client.example'));
    const path = `/api/v1/opportunities/${body.opportunity.id}`;
    assert.equal((await alex.api.patch(path, { stage: 'develop' })).status, 428);
    assert.equal((await alex.api.patch(path, { stage: 'develop' }, { 'If-Match': 'abc' })).status, 400);
    const ok = await alex.api.patch(path, { stage: 'develop', estimatedValue: 1000 }, { 'If-Match': '"1"' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.version, 2);
    assert.equal(ok.headers.get('etag'), '"2"');
    const empty = await alex.api.patch(path, { ownerId: 5, status: 'won' }, { 'If-Match': '"2"' });
    assert.equal(empty.status, 400, 'an edit of no known field is refused, and moves no version');
    assert.equal(empty.body.errors[0].path, 'body');
    assert.equal((await alex.api.get(path)).headers.get('etag'), '"2"');
    const stale = await alex.api.patch(path, { topic: 'Lost update' }, { 'If-Match': '"1"' });
    assert.equal(stale.status, 409);
    assert.match(stale.body.detail, /changed by someone else/);
    const now = await alex.api.get(path);
    assert.equal(now.body.opportunity.topic, 'Versioned');
    assert.equal(now.body.opportunity.stage, 'develop');
  });

  it('lets only the owner, creator or their manager act; others read open ones and get 403', async () => {
    const { body } = await alex.api.post('/api/v1/opportunities', referral('Guarded', 'g@client.example'));
    const id = body.opportunity.id;
    const read = await chris.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.opportunity.canAct, false);
    assert.equal(
      (await chris.api.patch(`/api/v1/opportunities/${id}`, { topic: 'x' }, { 'If-Match': '"1"' })).status,
      403,
    );
    assert.equal(
      (await chris.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: chris.record.id })).status,
      403,
    );
    assert.equal((await chris.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' })).status, 403);

    const manager = await server.advisor('Morgan Manager', 'manager');
    await server.repo.teams.create('Desk', [alex.record.id, manager.record.id], null);
    const asManager = await manager.api.patch(
      `/api/v1/opportunities/${id}`,
      { stage: 'propose' },
      { 'If-Match': '"1"' },
    );
    assert.equal(asManager.status, 200);
    assert.equal((await alex.api.get('/api/v1/opportunities/999999')).status, 404);
  });

  it("assigns with history and shares the assigner's notes with the new owner", async () => {
    const { body } = await alex.api.post('/api/v1/opportunities', referral('Hand over', 'h@client.example'));
    const id = body.opportunity.id;
    await alex.api.post(`/api/v1/opportunities/${id}/notes`, { body: 'Private context from Alex' });
    await chris.api.post(`/api/v1/opportunities/${id}/notes`, { body: 'Chris keeps this to himself' });
    const assigned = await alex.api.post(`/api/v1/opportunities/${id}/assign`, {
      ownerId: blake.record.id,
      message: 'Yours now',
    });
    assert.equal(assigned.status, 200);
    assert.equal(assigned.body.opportunity.owner.id, blake.record.id);
    assert.equal(assigned.body.assignments[0].message, 'Yours now');
    assert.equal(assigned.body.assignments[0].from.id, alex.record.id);

    const asBlake = await blake.api.get(`/api/v1/opportunities/${id}`);
    assert.deepEqual(
      asBlake.body.notes.map((n: { body: string }) => n.body),
      ['Private context from Alex'],
    );
    assert.equal((await alex.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: 424242 })).status, 400);
  });

  it('closes as won or lost, lists the open activities, refuses to close twice, and reopens', async () => {
    const { body } = await alex.api.post('/api/v1/opportunities', referral('Closing', 'c@client.example'));
    const id = body.opportunity.id;
    await alex.api.post('/api/v1/activities', { kind: 'task', subject: 'Send paperwork', opportunityId: id });
    const closed = await alex.api.post(`/api/v1/opportunities/${id}/close`, {
      outcome: 'won',
      actualValue: 1200,
      reason: 'Signed',
    });
    assert.equal(closed.status, 200);
    assert.equal(closed.body.opportunity.status, 'won');
    assert.equal(closed.body.opportunity.actualValue, 1200);
    assert.equal(closed.body.opportunity.actualCloseDate, '2026-11-18');
    assert.deepEqual(
      closed.body.openActivities.map((a: { subject: string }) => a.subject),
      ['Send paperwork'],
    );
    assert.equal((await alex.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' })).status, 409);
    assert.equal(
      (await chris.api.get(`/api/v1/opportunities/${id}`)).status,
      404,
      'closed opportunities of others are not visible',
    );
    const closedView = await alex.api.get('/api/v1/opportunities?view=closed');
    assert.deepEqual(
      closedView.body.items.map((o: { id: number }) => o.id),
      [id],
    );

    const reopened = await alex.api.post(`/api/v1/opportunities/${id}/reopen`);
    assert.equal(reopened.status, 200);
    assert.equal(reopened.body.status, 'open');
    assert.equal(reopened.body.actualValue, null);
    assert.equal((await alex.api.post(`/api/v1/opportunities/${id}/reopen`)).status, 409);
  });

  it('shows recently opened or linked opportunities in the recent view', async () => {
    const a = await blake.api.post('/api/v1/opportunities', referral('First', 'r1@client.example'));
    const b = await blake.api.post('/api/v1/opportunities', referral('Second', 'r2@client.example'));
    await alex.api.get(`/api/v1/opportunities/${a.body.opportunity.id}`);
    server.clock.advance(1000);
    await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<recent@x>'),
      opportunityId: b.body.opportunity.id,
    });
    const recent = await alex.api.get('/api/v1/opportunities?view=recent');
    assert.deepEqual(
      recent.body.items.map((o: { topic: string }) => o.topic),
      ['Second', 'First'],
    );
  });

  it('lists campaigns with Referral first', async () => {
    const res = await alex.api.get('/api/v1/campaigns');
    assert.deepEqual(
      res.body.map((c: { name: string }) => c.name),
      ['Referral', 'Medicare Supplement', 'Website', 'Event', 'Other'],
    );
  });
});
