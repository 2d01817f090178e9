import assert from 'node:assert/strict';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

/** The opportunity as My Work and the pane open it, read the cheaper way (issue 15): the same answers. */
describe('opportunity detail at firm scale', () => {
  let server: TestServer;
  let alex: Awaited<ReturnType<TestServer['advisor']>>;
  let blake: Awaited<ReturnType<TestServer['advisor']>>;

  beforeEach(async () => {
    server = await startTestServer();
    alex = await server.advisor('Alex Morgan');
    blake = await server.advisor('Blake Chen');
  });
  afterEach(() => server.close());

  it('opportunities opened at the same time are each in Recent by the time their answers arrive', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++)
      ids.push(
        (await blake.api.post('/api/v1/opportunities', referral(`Batch ${i}`, `b${i}@client.example`))).body.opportunity
          .id,
      );
    const opened = await Promise.all(ids.map((id) => alex.api.get(`/api/v1/opportunities/${id}`)));
    assert.deepEqual(
      opened.map((res) => res.status),
      ids.map(() => 200),
    );
    const recent = await alex.api.get('/api/v1/opportunities?view=recent&limit=50');
    assert.deepEqual(
      recent.body.items.map((o: { id: number }) => o.id).sort((a: number, b: number) => a - b),
      ids,
    );
    // Opened again later, one of them comes first.
    server.clock.advance(1000);
    await alex.api.get(`/api/v1/opportunities/${ids[2]}`);
    assert.equal((await alex.api.get('/api/v1/opportunities?view=recent')).body.items[0].id, ids[2]);
    // Reading a page of its activities is not opening it; a refused read marks nothing.
    server.clock.advance(1000);
    await alex.api.get(`/api/v1/opportunities/${ids[4]}/activities`);
    assert.equal((await alex.api.get('/api/v1/opportunities?view=recent')).body.items[0].id, ids[2]);
    assert.equal((await alex.api.get('/api/v1/opportunities/999999')).status, 404);
    assert.equal(await server.value('SELECT count(*) FROM opportunity_recent WHERE advisor_id = ?', alex.record.id), 6);
  });

  it('each activity of a timeline carries its own participants, and the opportunity it regards as the detail shows it', async () => {
    const first = (await alex.api.post('/api/v1/opportunities', referral('Rollover', 'jordan@harbor.example'))).body;
    const second = (
      await blake.api.post('/api/v1/opportunities', {
        topic: 'Estate plan',
        customer: { newContact: { name: 'Sam Lee', email: 'sam@lee.example' } },
      })
    ).body;
    const link = (opportunityId: number, id: string, from: string) =>
      alex.api.post('/api/v1/activities/regarding', {
        opportunityId,
        item: emailItem(id, {
          participants: [
            { email: from, role: 'from' },
            { email: `cc-${from}`, role: 'cc' },
          ],
        }),
      });
    for (const [opportunity, id, from] of [
      [first.opportunity.id, '<a1@x>', 'a1@client.example'],
      [second.opportunity.id, '<b1@x>', 'b1@client.example'],
      [first.opportunity.id, '<a2@x>', 'a2@client.example'],
    ] as const)
      assert.equal((await link(opportunity, id, from)).status, 200);
    // Moved to the other opportunity: it is read as regarding that one.
    assert.equal((await link(second.opportunity.id, '<a2@x>', 'a2@client.example')).status, 200);

    for (const { opportunity } of [first, second]) {
      const detail = (await alex.api.get(`/api/v1/opportunities/${opportunity.id}`)).body;
      const page = (await alex.api.get(`/api/v1/opportunities/${opportunity.id}/activities`)).body;
      assert.deepEqual(page.items, detail.activities, 'the page is the detail’s first page');
      for (const activity of page.items) {
        const from = activity.participants.find((p: { role: string }) => p.role === 'from').email;
        assert.deepEqual(
          activity.participants.map((p: { email: string; role: string }) => `${p.role}:${p.email}`).sort(),
          [`cc:cc-${from}`, `from:${from}`],
          'its own participants only',
        );
        assert.deepEqual(activity.regarding, {
          id: detail.opportunity.id,
          topic: detail.opportunity.topic,
          status: detail.opportunity.status,
          stage: detail.opportunity.stage,
          owner: detail.opportunity.owner,
          customerName: detail.opportunity.customerContact.name,
        });
        const lookup = await alex.api.get(
          `/api/v1/activities/lookup?internetMessageId=${encodeURIComponent(activity.outlook.internetMessageId)}`,
        );
        assert.deepEqual(lookup.body.regarding, activity.regarding, 'the lookup reads it the same');
      }
    }
    const ids = async (id: number) =>
      (await alex.api.get(`/api/v1/opportunities/${id}/activities`)).body.items.map(
        (a: { outlook: { internetMessageId: string } }) => a.outlook.internetMessageId,
      );
    assert.deepEqual(await ids(first.opportunity.id), ['<a1@x>']);
    assert.deepEqual((await ids(second.opportunity.id)).sort(), ['<a2@x>', '<b1@x>']);
  });

  it('a timeline gives each activity its own participants, by role then email, as the activity shows them (names escaped as JSON)', async () => {
    const created = await alex.api.post('/api/v1/opportunities', referral('Rollover', 'rollover@client.example'));
    const id = created.body.opportunity.id;
    const participants = [
      { email: 'zed@client.example', role: 'to', name: 'Zed' },
      { email: 'Amy@client.example', role: 'to' },
      { email: 'alex@firm.example', role: 'from', name: 'Alex Morgan' },
      { email: 'bob@client.example', role: 'cc', name: 'Bob "Quoted" \\ Smith' },
      { email: 'ann@client.example', role: 'to', name: 'Ann' },
    ];
    const first = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<order@client.example>', { subject: 'Participants', participants }),
      opportunityId: id,
    });
    assert.equal(first.status, 200);
    server.clock.advance(1000);
    const second = await alex.api.post('/api/v1/activities/regarding', {
      item: emailItem('<alone@client.example>', { subject: 'No one else', participants: [] }),
      opportunityId: id,
    });
    assert.equal(second.status, 200);
    const expected = [
      'cc bob@client.example',
      'from alex@firm.example',
      'to amy@client.example',
      'to ann@client.example',
      'to zed@client.example',
    ];
    const shown = (activity: { participants: { role: string; email: string }[] }) =>
      activity.participants.map((p) => `${p.role} ${p.email}`);
    assert.deepEqual(shown(first.body), expected);
    const detail = await alex.api.get(`/api/v1/opportunities/${id}`);
    const page = await alex.api.get(`/api/v1/opportunities/${id}/activities`);
    for (const activities of [detail.body.activities, page.body.items]) {
      assert.deepEqual(
        activities.map((a: { id: number }) => a.id),
        [second.body.id, first.body.id],
      );
      assert.deepEqual(activities[0].participants, []);
      assert.deepEqual(shown(activities[1]), expected);
      assert.deepEqual(
        activities[1].participants.find((p: { role: string }) => p.role === 'cc'),
        { email: 'bob@client.example', name: 'Bob "Quoted" \\ Smith', role: 'cc' },
      );
    }
  });
});
