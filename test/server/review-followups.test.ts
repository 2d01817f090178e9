import assert from 'node:assert/strict';
import { Interleaver } from '../helpers/interleave';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

type Client = Awaited<ReturnType<TestServer['advisor']>>;
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);
const names = (body: { items: { name: string }[] }) => body.items.map((item) => item.name);

describe('categories and outcomes: names beyond ASCII (issue 13 review)', () => {
  let server: TestServer;
  let admin: Client;
  let interleaver: Interleaver;

  beforeEach(async () => {
    interleaver = new Interleaver();
    server = await startTestServer({}, { wrapRepository: (repo) => interleaver.wrap(repo) });
    admin = await server.advisor('Ada', 'admin');
  });
  afterEach(() => server.close());

  const add = (name: string, kind = 'category') => admin.api.post('/api/v1/activity-labels', { kind, name });

  it('stores a label name NFC-normalized and refuses its duplicate in the same list whatever its case or Unicode form, with 409 naming body.name', async () => {
    const nfd = 'Re\u0301union';
    const added = await add(nfd);
    assert.equal(added.status, 201);
    assert.equal(added.body.name, 'R\u00e9union', 'stored composed (NFC)');
    for (const name of ['R\u00e9union', 'R\u00c9UNION', nfd, 'RE\u0301UNION', ' r\u00e9union ']) {
      const duplicate = await add(name);
      assert.equal(duplicate.status, 409, name);
      assert.deepEqual(paths(duplicate.body), ['body.name']);
    }
    assert.equal((await add('R\u00c9UNION', 'outcome')).status, 201, 'the other list may have it');

    const other = await add('Bilan');
    const renamed = await admin.api.patch(`/api/v1/activity-labels/${other.body.id}`, { name: 'R\u00c9UNION' });
    assert.equal(renamed.status, 409, 'a rename is checked too');
    assert.deepEqual(paths(renamed.body), ['body.name']);
    const ownCase = await admin.api.patch(`/api/v1/activity-labels/${added.body.id}`, { name: 'R\u00c9UNION' });
    assert.equal(ownCase.status, 200, 'an entry may change its own case');
    const categories = (await admin.api.get('/api/v1/activity-labels')).body.filter(
      (l: { kind: string; name: string }) =>
        l.kind === 'category' && l.name.normalize('NFC').toLowerCase() === 'r\u00e9union',
    );
    assert.equal(categories.length, 1);
  });

  it('refuses a duplicate label name checked inside the write: a differently cased one written meanwhile wins, the other gets 409', async () => {
    const pause = interleaver.pauseNext('activityLabels', 'create');
    const first = add('R\u00e9union');
    await pause.reached;
    const second = await add('R\u00c9UNION');
    assert.equal(second.status, 201);
    pause.release();
    const late = await first;
    assert.equal(late.status, 409, 'the check the first request made before the write is not enough');
    assert.deepEqual(paths(late.body), ['body.name']);
  });

  it('refuses a label name with no visible character with 400 naming body.name', async () => {
    for (const name of ['\u200b', '\u00a0\u200b', '\u200b\u200d\ufeff', '\u3164']) {
      const res = await add(name);
      assert.equal(res.status, 400, JSON.stringify(name));
      assert.deepEqual(paths(res.body), ['body.name']);
    }
    const label = await add('Bilan');
    const rename = await admin.api.patch(`/api/v1/activity-labels/${label.body.id}`, { name: '\u00a0\u200b' });
    assert.equal(rename.status, 400);
    assert.deepEqual(paths(rename.body), ['body.name']);
  });

  it('makes the stable key without diacritics: "Réunion" → "reunion", not "re-union"', async () => {
    assert.equal((await add('R\u00e9union')).body.key, 'reunion');
    assert.equal((await add('Re\u0301sume\u0301 envoye\u0301', 'outcome')).body.key, 'resume-envoye');
  });
});

describe('a call or task subject needs a visible character (issue 13 review)', () => {
  let server: TestServer;
  let alex: Client;
  let opportunityId: number;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex');
    opportunityId = (await alex.api.post('/api/v1/opportunities', referral('Rollover', 'rory@client.example'))).body
      .opportunity.id;
  });
  afterEach(() => server.close());

  it('refuses a subject with no visible character with 400 naming body.subject, on create and on edit', async () => {
    for (const subject of ['\u200b', '\u00a0\u200b']) {
      const res = await alex.api.post('/api/v1/activities', { opportunityId, kind: 'task', subject });
      assert.equal(res.status, 400, JSON.stringify(subject));
      assert.deepEqual(paths(res.body), ['body.subject']);
    }
    const task = await alex.api.post('/api/v1/activities', {
      opportunityId,
      kind: 'phone_call',
      subject: 'Call \u00e9',
    });
    assert.equal(task.status, 201);
    const edit = await alex.api.patch(`/api/v1/activities/${task.body.id}`, { subject: '\u00a0\u200b' });
    assert.equal(edit.status, 400);
    assert.deepEqual(paths(edit.body), ['body.subject']);
    const activities = await alex.api.get(`/api/v1/opportunities/${opportunityId}/activities`);
    assert.deepEqual(
      activities.body.items.map((a: { subject: string }) => a.subject),
      ['Call \u00e9'],
      'nothing saved, nothing changed',
    );
  });
});

describe('referred by: checked after access, never the customer (issue 13 review)', () => {
  let server: TestServer;
  let alex: Client;
  let blake: Client;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
  });
  afterEach(() => server.close());

  it('answers a caller without rights the same 403/404 for a bad referrer or campaign as for any change, never a 400', async () => {
    const created = await alex.api.post('/api/v1/opportunities', referral('Annuity', 'a@gmail.com'));
    const { id, version } = created.body.opportunity;
    const asBlake = (body: unknown) =>
      blake.api.patch(`/api/v1/opportunities/${id}`, body, { 'If-Match': `"${version}"` });
    const plain = await asBlake({ topic: 'Mine now' });
    assert.ok([403, 404].includes(plain.status), `refused: ${plain.status}`);
    for (const body of [
      { referredBy: { contactId: 9999 } },
      { referredBy: { advisorId: 9999 } },
      { campaignId: 9999 },
      { referredBy: { contactId: created.body.opportunity.customerContact.id } },
    ]) {
      const res = await asBlake(body);
      assert.equal(res.status, plain.status, JSON.stringify(body));
      assert.equal(res.body.detail, plain.body.detail, 'the refusal says nothing more');
      assert.deepEqual(paths(res.body), paths(plain.body));
    }
    // Alex, who has rights, still hears about the bad values.
    const own = await alex.api.patch(
      `/api/v1/opportunities/${id}`,
      { campaignId: 9999 },
      { 'If-Match': `"${version}"` },
    );
    assert.equal(own.status, 400);
    assert.deepEqual(paths(own.body), ['body.campaignId']);
  });

  it('refuses the customer contact as its own referrer with 400 naming body.referredBy, on create and on update', async () => {
    const client = await alex.api.post('/api/v1/contacts', { name: 'Carla Client', email: 'carla@gmail.com' });
    const byId = await alex.api.post('/api/v1/opportunities', {
      topic: 'Annuity',
      customer: { contactId: client.body.id },
      referredBy: { contactId: client.body.id },
    });
    assert.equal(byId.status, 400);
    assert.deepEqual(paths(byId.body), ['body.referredBy']);
    assert.match(byId.body.detail, /customer cannot be the one who referred/);

    const newReferrerSameEmail = await alex.api.post('/api/v1/opportunities', {
      topic: 'Annuity',
      customer: { contactId: client.body.id },
      referredBy: { newContact: { name: 'Carla again', email: 'CARLA@gmail.com' } },
    });
    assert.equal(newReferrerSameEmail.status, 400, 'a new referrer contact matched by email to the customer');
    assert.deepEqual(paths(newReferrerSameEmail.body), ['body.referredBy']);

    const bothNew = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'dee@gmail.com', { referredBy: { newContact: { name: 'Dee', email: 'dee@gmail.com' } } }),
    );
    assert.equal(bothNew.status, 400, 'a new customer and a new referrer with one email');
    assert.deepEqual(paths(bothNew.body), ['body.referredBy']);

    const newCustomerMatched = await alex.api.post(
      '/api/v1/opportunities',
      referral('Annuity', 'carla@gmail.com', { referredBy: { contactId: client.body.id } }),
    );
    assert.equal(newCustomerMatched.status, 400, 'a new customer contact matched by email to the referrer');
    assert.deepEqual(paths(newCustomerMatched.body), ['body.referredBy']);
    assert.equal((await alex.api.get('/api/v1/opportunities?view=my-open')).body.items.length, 0, 'nothing saved');
    assert.equal((await alex.api.get('/api/v1/contacts?email=dee%40gmail.com')).body.items.length, 0);

    const created = await alex.api.post('/api/v1/opportunities', {
      topic: 'Annuity',
      customer: { contactId: client.body.id },
    });
    const { id, version } = created.body.opportunity;
    const patched = await alex.api.patch(
      `/api/v1/opportunities/${id}`,
      { referredBy: { contactId: client.body.id } },
      { 'If-Match': `"${version}"` },
    );
    assert.equal(patched.status, 400);
    assert.deepEqual(paths(patched.body), ['body.referredBy']);
    const unchanged = await alex.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(unchanged.body.opportunity.version, version);
    assert.equal(unchanged.body.opportunity.referredBy, null);

    const other = await alex.api.post('/api/v1/contacts', { name: 'Omar', email: 'omar@gmail.com' });
    const fine = await alex.api.patch(
      `/api/v1/opportunities/${id}`,
      { referredBy: { contactId: other.body.id } },
      { 'If-Match': `"${version}"` },
    );
    assert.equal(fine.status, 200, 'someone else may refer the customer');
  });
});

describe('contact search by a phone typed with a country code or a trunk 0 (issue 13 review)', () => {
  let server: TestServer;
  let alex: Client;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
    await alex.api.post('/api/v1/contacts', { name: 'Nat Local', email: 'nat@gmail.com', phone: '555-0134' });
    await alex.api.post('/api/v1/contacts', { name: 'Liz London', email: 'liz@gmail.com', phone: '+44 20 7946 0958' });
    await alex.api.post('/api/v1/contacts', { name: 'Ned National', email: 'ned@gmail.com', phone: '020 7946 1111' });
  });
  afterEach(() => server.close());

  const found = async (q: string) =>
    names((await alex.api.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`)).body).sort();

  it('finds a number stored without its country code when typed with +1, +44 or 0044', async () => {
    assert.deepEqual(await found('+1 555 013'), ['Nat Local']);
    assert.deepEqual(await found('+44 20 7946'), ['Liz London', 'Ned National']);
    assert.deepEqual(await found('0044 20 7946'), ['Liz London', 'Ned National']);
    assert.deepEqual(await found('+44 20 7946 09'), ['Liz London']);
  });

  it('finds a number stored with its country code when typed with the national trunk 0', async () => {
    assert.deepEqual(await found('020 7946'), ['Liz London', 'Ned National']);
    assert.deepEqual(await found('020 7946 0958'), ['Liz London']);
    assert.deepEqual(await found('20 7946 09'), ['Liz London'], 'and with neither');
    assert.deepEqual(await found('020 7946 1'), ['Ned National']);
  });

  it('still finds a number by its digits as typed, and nothing for digits no number has', async () => {
    assert.deepEqual(await found('555-0134'), ['Nat Local']);
    assert.deepEqual(await found('+1 777 123'), []);
    assert.deepEqual(await found('0033 1 4000'), []);
  });

  itOnSqlite('searches a phone with country-code alternatives through the full-text index, not a scan', () => {
    const plan = server.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT rowid FROM contact_search WHERE contact_search MATCH 'phone : ("44207946"* OR "4207946"* OR "207946"*)'`,
      )
      .all() as { detail: string }[];
    assert.match(plan.map((row) => row.detail).join('\n'), /VIRTUAL TABLE INDEX/);
  });
});
