import assert from 'node:assert/strict';
import type { TestClient, TestResponse } from '../helpers/api-client';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

interface Entry {
  id: number;
  sentAt?: string | null;
  startAt?: string | null;
  createdAt: string;
}

/** Follows nextCursor from the first page to the last; fails on a page without progress. */
async function walk(api: TestClient, path: string, limit: number): Promise<Entry[]> {
  const all: Entry[] = [];
  let before: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const separator = path.includes('?') ? '&' : '?';
    const res: TestResponse = await api.get(`${path}${separator}limit=${limit}${before ? `&before=${before}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.items.length <= limit);
    all.push(...res.body.items);
    before = res.body.nextCursor;
    if (before === null) return all;
    assert.equal(res.body.items.length, limit, 'only the last page is short');
  }
  throw new Error('the cursor never ended');
}

const timelineAt = (a: Entry) => a.sentAt ?? a.startAt ?? a.createdAt;

/** Newest first by (time, id): each entry is older than the one before it, ties broken by the lower id. */
function assertNewestFirst(entries: Entry[], at: (entry: Entry) => string) {
  for (let i = 1; i < entries.length; i += 1) {
    const [newer, older] = [entries[i - 1], entries[i]];
    const order = at(newer).localeCompare(at(older));
    assert.ok(order > 0 || (order === 0 && newer.id > older.id), `entry ${i} (${older.id}) is out of order`);
  }
}

describe('Bounded answers (issue 11, finding 6)', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<TestServer['advisor']>>;
  let other: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    owner = await server.advisor('Omar Owner');
    other = await server.advisor('Otto Other');
  });
  afterEach(() => server.close());

  const create = async (topic: string, email: string, api = owner.api) => {
    const res = await api.post('/api/v1/opportunities', referral(topic, email));
    assert.equal(res.status, 201);
    return res.body.opportunity.id as number;
  };

  /** 24 tasks without a start (all created at the same instant), 24 in pairs sharing a start, 12 emails sharing a sent time. */
  const seedActivities = async (id: number) => {
    const ids: number[] = [];
    for (let i = 0; i < 24; i += 1) {
      const res = await owner.api.post('/api/v1/activities', { kind: 'task', subject: `Task ${i}`, opportunityId: id });
      ids.push(res.body.id);
    }
    for (let i = 0; i < 24; i += 1) {
      const startAt = new Date(Date.UTC(2026, 10, 19 + Math.floor(i / 2), 15)).toISOString();
      const res = await owner.api.post('/api/v1/activities', {
        kind: 'phone_call',
        subject: `Call ${i}`,
        opportunityId: id,
        startAt,
      });
      ids.push(res.body.id);
    }
    for (let i = 0; i < 12; i += 1) {
      const res = await owner.api.post('/api/v1/activities/regarding', {
        item: emailItem(`<paging-${i}@x>`, { sentAt: '2026-11-17T09:00:00Z' }),
        opportunityId: id,
      });
      ids.push(res.body.id);
    }
    return ids;
  };

  it('finding 6: the detail holds the newest 25 activities and a cursor; walking it returns every activity exactly once, newest first, ties included', async () => {
    const id = await create('Many activities', 'many@client.example');
    const seeded = await seedActivities(id);

    const detail = await owner.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.body.activities.length, 25, 'the first page only');
    assert.equal(typeof detail.body.activitiesNextCursor, 'string');

    const walked = await walk(owner.api, `/api/v1/opportunities/${id}/activities`, 7);
    assert.equal(walked.length, seeded.length);
    assert.deepEqual(
      walked.map((a) => a.id).sort((a, b) => a - b),
      [...seeded].sort((a, b) => a - b),
      'every activity exactly once',
    );
    assertNewestFirst(walked, timelineAt);
    assert.deepEqual(
      detail.body.activities.map((a: Entry) => a.id),
      walked.slice(0, 25).map((a) => a.id),
      'the detail starts the same walk',
    );

    const fromDetail = await owner.api.get(
      `/api/v1/opportunities/${id}/activities?before=${detail.body.activitiesNextCursor}&limit=100`,
    );
    assert.deepEqual(
      fromDetail.body.items.map((a: Entry) => a.id),
      walked.slice(25).map((a) => a.id),
      "the detail's cursor continues where it stopped",
    );
    assert.equal(fromDetail.body.nextCursor, null);
  });

  it('finding 6: the default page size is 25 for the timeline and the work lists', async () => {
    const id = await create('Defaults', 'defaults@client.example');
    await seedActivities(id);
    const activities = await owner.api.get(`/api/v1/opportunities/${id}/activities`);
    assert.equal(activities.body.items.length, 25);
    assert.notEqual(activities.body.nextCursor, null);

    for (let i = 0; i < 26; i += 1) await create(`Needs ${i}`, `needs${i}@client.example`);
    const attention = await owner.api.get('/api/v1/work/needs-attention');
    assert.equal(attention.body.items.length, 25);
    assert.equal(attention.body.total, 26, 'the new ones lack a next step; the seeded tasks are one for the first');
    assert.equal(attention.body.nextOffset, 25);
  });

  it('finding 6: a limit above the maximum is a 400 problem naming the field, on every paged answer', async () => {
    const id = await create('Limits', 'limits@client.example');
    const paths = [
      '/api/v1/opportunities?limit=101',
      '/api/v1/opportunities/lookup?limit=101',
      '/api/v1/opportunities/suggestions?email=a@b.example&limit=51',
      `/api/v1/opportunities/${id}/activities?limit=101`,
      `/api/v1/opportunities/${id}/notes?limit=101`,
      `/api/v1/opportunities/${id}/assignments?limit=101`,
      '/api/v1/work/needs-attention?limit=101',
      '/api/v1/work/new-for-me?limit=101',
      '/api/v1/advisors?limit=101',
      '/api/v1/teams?limit=101',
      '/api/v1/contacts?q=a&limit=101',
    ];
    for (const path of paths) {
      const res = await owner.api.get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get('content-type')!, /problem\+json/);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path === 'query.limit'),
        `${path}: ${JSON.stringify(res.body.errors)}`,
      );
    }
    const atMax = await owner.api.get(`/api/v1/opportunities/${id}/activities?limit=100`);
    assert.equal(atMax.status, 200, 'the maximum itself is allowed');
  });

  it('finding 6: a cursor the service did not give out is a 400 problem naming query.before', async () => {
    const id = await create('Cursors', 'cursors@client.example');
    const forged = [
      'not a cursor!',
      Buffer.from('{"at":1}').toString('base64url'),
      Buffer.from('["2026-11-18T10:00:00.000Z",-4]').toString('base64url'),
      'x'.repeat(201),
      'AAAA',
    ];
    for (const before of forged) {
      for (const part of ['activities', 'notes', 'assignments']) {
        const res = await owner.api.get(`/api/v1/opportunities/${id}/${part}?before=${encodeURIComponent(before)}`);
        assert.equal(res.status, 400, `${part} ${before}`);
        assert.match(res.headers.get('content-type')!, /problem\+json/);
        assert.equal(res.body.errors[0].path, 'query.before', `${part} ${before}`);
      }
    }
  });

  it('finding 6: notes page by cursor with the same visibility as before', async () => {
    const id = await create('Notes', 'notes@client.example');
    const mine: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const shared = i % 3 === 0;
      const res = await owner.api.post(`/api/v1/opportunities/${id}/notes`, {
        body: `note ${i}`,
        shareWith: shared ? { advisorIds: [other.record.id] } : undefined,
      });
      if (shared) mine.push(res.body.id);
    }
    const forOwner = await walk(owner.api, `/api/v1/opportunities/${id}/notes`, 5);
    assert.equal(forOwner.length, 12);
    assertNewestFirst(forOwner, (n) => n.createdAt);
    const forOther = await walk(other.api, `/api/v1/opportunities/${id}/notes`, 2);
    assert.deepEqual(forOther.map((n) => n.id).sort(), [...mine].sort(), 'only the notes shared with them');
    const detail = await other.api.get(`/api/v1/opportunities/${id}`);
    assert.equal(detail.body.notes.length, 4);
    assert.equal(detail.body.notesNextCursor, null);
  });

  it('finding 6: assignments page by cursor, newest first', async () => {
    const id = await create('Passed around', 'passed@client.example');
    const third = await server.advisor('Tina Third');
    let current = owner;
    for (let i = 0; i < 6; i += 1) {
      const next = current === owner ? third : owner;
      const res = await current.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: next.record.id });
      assert.equal(res.status, 200);
      current = next;
    }
    const walked = await walk(owner.api, `/api/v1/opportunities/${id}/assignments`, 3);
    assert.equal(walked.length, 7, 'the creation and six assignments');
    assertNewestFirst(walked, (s) => s.createdAt);
  });

  it('finding 6: a closed opportunity of others stays 404 on its activity, note and assignment pages', async () => {
    const id = await create('Closed one', 'closed@client.example');
    await owner.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'lost' });
    for (const part of ['activities', 'notes', 'assignments']) {
      assert.equal((await other.api.get(`/api/v1/opportunities/${id}/${part}`)).status, 404, part);
      assert.equal((await owner.api.get(`/api/v1/opportunities/${id}/${part}`)).status, 200, part);
    }
  });

  it('finding 6: closing lists at most 50 open activities with how many are open; status=open pages through them all', async () => {
    const id = await create('Busy one', 'busy@client.example');
    const open: number[] = [];
    for (let i = 0; i < 55; i += 1) {
      const res = await owner.api.post('/api/v1/activities', { kind: 'task', subject: `Open ${i}`, opportunityId: id });
      open.push(res.body.id);
    }
    const done = await owner.api.post('/api/v1/activities', { kind: 'task', subject: 'Done', opportunityId: id });
    await owner.api.patch(`/api/v1/activities/${done.body.id}`, { status: 'completed' });

    const listed = await walk(owner.api, `/api/v1/opportunities/${id}/activities?status=open`, 20);
    assert.deepEqual(
      listed.map((a) => a.id).sort((a, b) => a - b),
      open,
    );

    const closed = await owner.api.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' });
    assert.equal(closed.status, 200);
    assert.equal(closed.body.openActivities.length, 50);
    assert.equal(closed.body.openActivitiesTotal, 55);
    assert.ok(closed.body.openActivities.every((a: { status: string }) => a.status === 'open'));
  });

  it('finding 6: needs-attention pages return each opportunity once, with the total', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i += 1) ids.push(await create(`Attention ${i}`, `attention${i}@client.example`));
    await create('Not mine', 'notmine@client.example', other.api);
    const seen: number[] = [];
    for (let offset: number | null = 0; offset !== null;) {
      const res: { body: { items: { opportunity: { id: number } }[]; nextOffset: number | null; total: number } } =
        await owner.api.get(`/api/v1/work/needs-attention?limit=5&offset=${offset}`);
      assert.equal(res.body.total, 12);
      seen.push(...res.body.items.map((item) => item.opportunity.id));
      offset = res.body.nextOffset;
    }
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      ids,
    );
  });

  it('finding 6: new-for-me is paged and carries at most 5 notes each, saying when there are more', async () => {
    for (let i = 0; i < 3; i += 1) {
      const id = await create(`Handed over ${i}`, `handed${i}@client.example`, other.api);
      for (let n = 0; n < (i === 0 ? 7 : 1); n += 1) {
        await other.api.post(`/api/v1/opportunities/${id}/notes`, { body: `note ${n}` });
      }
      server.clock.advance(60_000);
      await other.api.post(`/api/v1/opportunities/${id}/assign`, { ownerId: owner.record.id });
    }
    const first = await owner.api.get('/api/v1/work/new-for-me?limit=2');
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((item: { opportunity: { topic: string } }) => item.opportunity.topic),
      ['Handed over 2', 'Handed over 1'],
    );
    assert.equal(first.body.nextOffset, 2);
    const last = await owner.api.get('/api/v1/work/new-for-me?limit=2&offset=2');
    assert.equal(last.body.nextOffset, null);
    const [item] = last.body.items;
    assert.equal(item.opportunity.topic, 'Handed over 0');
    assert.equal(item.notes.length, 5);
    assert.equal(item.moreNotes, true);
    assert.equal(item.notes[0].body, 'note 6', 'the newest notes');
    assert.equal(first.body.items[0].moreNotes, false);
  });
});
