import assert from 'node:assert/strict';
import { random } from '../../bench/seed-volume';
import { ManualClock } from '../../server/clock';
import { FACTS_DIFFERING, MOMENTS, setUpAttentionFirm, START, ZONES, type Advisor } from '../helpers/attention-firm';
import { describeOnPostgres } from '../helpers/postgres';
import { emailItem, referral, startTestServer, type TestServer } from '../helpers/test-server';

const HOUR = 3_600_000;

/** One backend's server and the same people on it. */
interface Side {
  server: TestServer;
  admin: Advisor;
  manager: Advisor;
  owners: Advisor[];
}

/**
 * Needs attention is kept differently on each backend: SQLite stores each rule's due time (migrations 19, 23, 24;
 * attention-due.test.ts holds it to the answer computed from the rows), PostgreSQL the facts the rules read
 * (migration 33). Two servers, one on each, get the same writes at the same moments, and must answer every owner's
 * and a team's list alike (items, reasons, due times, totals, pages) at moments around DST changes and holidays, and
 * after the rules, the holidays and the zones change. PostgreSQL's stored facts must equal the facts its view computes
 * from the rows, also after concurrent writes on one opportunity.
 */
describeOnPostgres(
  "needs attention: PostgreSQL's kept facts answer as SQLite's due times (issues 15, 16)",
  function () {
    this.timeout(180_000);
    let sides: Side[];
    const sqlite = () => sides[0];
    const postgres = () => sides[1];

    /** Runs the same write on both sides; each must succeed (or, with `optional`, both fail alike). */
    async function onBoth(
      what: string,
      write: (side: Side) => Promise<{ status: number; body: unknown }>,
      optional = false,
    ): Promise<{ status: number; body: Record<string, unknown> }[]> {
      const answers = [];
      for (const side of sides) answers.push(await write(side));
      assert.equal(answers[0].status, answers[1].status, `${what}: ${JSON.stringify(answers.map((a) => a.body))}`);
      if (!optional)
        assert.ok(answers[0].status < 300, `${what}: ${answers[0].status} ${JSON.stringify(answers[0].body)}`);
      return answers as { status: number; body: Record<string, unknown> }[];
    }

    async function assertFactsAsComputed(label: string) {
      const differing = await postgres().server.rows(FACTS_DIFFERING);
      assert.deepEqual(differing, [], `kept facts that differ from the computed ones, ${label}`);
    }

    /** Every owner's list and the manager's team list on both sides, at the clocks' time. */
    async function assertAgree(label: string) {
      const scopes = (side: Side): [Advisor, 'me' | 'team'][] => [
        ...side.owners.map((owner): [Advisor, 'me'] => [owner, 'me']),
        [side.manager, 'team'],
      ];
      for (const [index] of scopes(sqlite()).entries())
        for (const [limit, offset] of [
          [100, 0],
          [4, 3],
        ]) {
          const answers = [];
          for (const side of sides) {
            const [advisor, scope] = scopes(side)[index];
            const res = await advisor.api.get(
              `/api/v1/work/needs-attention?scope=${scope}&limit=${limit}&offset=${offset}`,
            );
            assert.equal(res.status, 200, JSON.stringify(res.body));
            const body = res.body as { total: number; items: { opportunity: { topic: string }; reasons: unknown }[] };
            answers.push({
              total: body.total,
              items: body.items.map((item) => ({ topic: item.opportunity.topic, reasons: item.reasons })),
            });
          }
          const where = `${label} at ${sqlite().server.clock.now().toISOString()}, scope ${index} ${limit}/${offset}`;
          assert.deepEqual(answers[1], answers[0], where);
        }
    }

    async function assertAgreeAtEveryMoment(label: string) {
      await assertFactsAsComputed(label);
      let flagged = 0;
      for (const moment of MOMENTS) {
        for (const side of sides) side.server.clock.set(moment);
        await assertAgree(label);
        flagged += (await sqlite().manager.api.get('/api/v1/work/needs-attention?scope=team')).body.total as number;
      }
      assert.ok(flagged > 0, `${label}: the data has exceptions to compare`);
    }

    before(async () => {
      sides = [];
      for (const backend of ['sqlite', 'postgres'] as const) {
        const server = await startTestServer({}, { backend, clock: new ManualClock(new Date(START)) });
        const { admin, manager, owners } = await setUpAttentionFirm(server);
        sides.push({ server, admin, manager, owners });
      }
      await seedRandomly();
    });
    after(async () => {
      for (const side of sides) await side.server.close();
    });

    /** Opportunities, emails, calls, tasks, appointments, notes, reassignments, close dates, closes, reopens, unlinks. */
    async function seedRandomly() {
      const rand = random(11);
      const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
      // Each item's id on each side (index 0 SQLite, 1 PostgreSQL), and its owner's index.
      const open: { ids: number[]; owner: number }[] = [];
      const closed: { ids: number[]; owner: number }[] = [];
      const activities: { ids: number[]; owner: number; kind: string }[] = [];
      const counts = new Map<string, number>();
      const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
      const now = () => sqlite().server.clock.now().getTime();
      const dateAround = (days: number) =>
        new Date(now() + (rand() - 0.5) * 2 * days * 24 * HOUR).toISOString().slice(0, 10);
      const instantAround = (days: number) =>
        new Date(Math.floor(now() + (rand() - 0.3) * days * 24 * HOUR)).toISOString();
      const at = (side: Side, ids: number[]) => ids[sides.indexOf(side)];

      for (let step = 0; step < 160; step++) {
        const elapsed = Math.floor(rand() * 3 * HOUR);
        for (const side of sides) side.server.clock.advance(elapsed);
        const action = open.length < 6 ? 0 : Math.floor(rand() * 12);
        const target = open.length ? pick(open) : undefined;
        if (action === 0 || !target) {
          const owner = Math.floor(rand() * ZONES.length);
          const by = rand() < 0.5 ? owner : Math.floor(rand() * ZONES.length);
          const fields = {
            ...referral(`Opportunity ${step}`, `client${step}@client.example`),
            ...(rand() < 0.6 ? { estimatedCloseDate: dateAround(10) } : {}),
            ...(rand() < 0.3 ? { note: { body: 'from the referrer' } } : {}),
          };
          const answers = await onBoth('create', (side) =>
            side.owners[by].api.post('/api/v1/opportunities', {
              ...fields,
              ...(by === owner ? {} : { ownerId: side.owners[owner].record.id }),
            }),
          );
          count('create');
          open.push({ ids: answers.map((a) => (a.body.opportunity as { id: number }).id), owner });
        } else if (action === 1 || action === 2) {
          const item =
            action === 1
              ? emailItem(`<step-${step}@mail.example>`, { sentAt: instantAround(2) })
              : { kind: 'appointment', itemId: `appt-${step}`, subject: 'Review', startAt: instantAround(6) };
          const answers = await onBoth('link', (side) =>
            side.owners[target.owner].api.post('/api/v1/activities/regarding', {
              item,
              opportunityId: at(side, target.ids),
            }),
          );
          count(action === 1 ? 'email' : 'appointment');
          activities.push({ ids: answers.map((a) => a.body.id as number), owner: target.owner, kind: item.kind });
        } else if (action === 3) {
          const kind = rand() < 0.5 ? 'phone_call' : 'task';
          const startAt = kind === 'task' && rand() < 0.3 ? undefined : instantAround(6);
          const answers = await onBoth(kind, (side) =>
            side.owners[target.owner].api.post('/api/v1/activities', {
              kind,
              opportunityId: at(side, target.ids),
              subject: `${kind} ${step}`,
              ...(startAt ? { startAt } : {}),
            }),
          );
          count(kind);
          activities.push({ ids: answers.map((a) => a.body.id as number), owner: target.owner, kind });
        } else if (action === 4 && activities.some((a) => a.kind === 'phone_call' || a.kind === 'task')) {
          const activity = pick(activities.filter((a) => a.kind === 'phone_call' || a.kind === 'task'));
          const change =
            rand() < 0.4
              ? { status: pick(['canceled', 'open', 'completed']) }
              : { startAt: activity.kind === 'task' && rand() < 0.3 ? null : instantAround(6) };
          const answers = await onBoth(
            'activity change',
            (side) => side.owners[activity.owner].api.patch(`/api/v1/activities/${at(side, activity.ids)}`, change),
            true,
          );
          if (answers[0].status < 300) count('activity change');
        } else if (action === 5) {
          const by = rand() < 0.6 ? target.owner : pick([...ZONES.keys()].filter((o) => o !== target.owner));
          const answers = await onBoth(
            'note',
            (side) =>
              side.owners[by].api.post(`/api/v1/opportunities/${at(side, target.ids)}/notes`, { body: `note ${step}` }),
            true,
          );
          if (answers[0].status < 300) count(by === target.owner ? 'owner note' : 'other note');
        } else if (action === 6) {
          const to = pick([...ZONES.keys()].filter((o) => o !== target.owner));
          await onBoth('reassign', (side) =>
            side.owners[target.owner].api.post(`/api/v1/opportunities/${at(side, target.ids)}/assign`, {
              ownerId: side.owners[to].record.id,
            }),
          );
          count('reassign');
          target.owner = to;
        } else if (action === 7) {
          const estimatedCloseDate = rand() < 0.2 ? null : dateAround(10);
          await onBoth('close date', async (side) => {
            const id = at(side, target.ids);
            const current = await side.owners[target.owner].api.get(`/api/v1/opportunities/${id}`);
            return side.owners[target.owner].api.patch(
              `/api/v1/opportunities/${id}`,
              { estimatedCloseDate },
              { 'If-Match': `"${current.body.opportunity.version}"` },
            );
          });
          count('close date');
        } else if (action === 8) {
          const outcome = pick(['won', 'lost']);
          await onBoth('close', (side) =>
            side.owners[target.owner].api.post(`/api/v1/opportunities/${at(side, target.ids)}/close`, { outcome }),
          );
          count('close');
          open.splice(open.indexOf(target), 1);
          closed.push(target);
        } else if (action === 9 && closed.length) {
          const again = pick(closed);
          await onBoth('reopen', (side) =>
            side.owners[again.owner].api.post(`/api/v1/opportunities/${at(side, again.ids)}/reopen`, {}),
          );
          count('reopen');
          closed.splice(closed.indexOf(again), 1);
          open.push(again);
        } else if (action === 11 && activities.some((a) => a.kind === 'email') && open.length > 1) {
          // The same Outlook item set regarding another opportunity: its activity moves (one loses a fact, one gains).
          const email = pick(activities.filter((a) => a.kind === 'email'));
          const to = pick(open.filter((o) => o !== target));
          const answers = await onBoth(
            'move',
            async (side) => {
              const [row] = await side.server.rows<{ internet_message_id: string }>(
                'SELECT internet_message_id FROM activities WHERE id = ?',
                at(side, email.ids),
              );
              return side.owners[to.owner].api.post('/api/v1/activities/regarding', {
                item: emailItem(row.internet_message_id),
                opportunityId: at(side, to.ids),
              });
            },
            true,
          );
          if (answers[0].status < 300) count('move');
        } else if (action === 10 && activities.length) {
          const activity = pick(activities);
          const answers = await onBoth(
            'unlink',
            (side) => side.owners[activity.owner].api.delete(`/api/v1/activities/${at(side, activity.ids)}/regarding`),
            true,
          );
          if (answers[0].status < 300) count('unlink');
        }
      }
      // The data exercises every kind of write (a changed seed that skipped one would weaken the test).
      for (const what of ['create', 'email', 'appointment', 'phone_call', 'task', 'activity change', 'owner note'])
        assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
      for (const what of ['other note', 'reassign', 'close date', 'close', 'reopen', 'unlink', 'move'])
        assert.ok(counts.get(what), `no ${what} in ${JSON.stringify([...counts])}`);
    }

    it('answers alike at moments around DST changes and holidays (items, reasons, dues, totals, pages)', async () => {
      await assertAgreeAtEveryMoment('seeded');
    });

    it('answers alike after the rules change, one switched off and thresholds moved', async () => {
      await onBoth('rules', (side) =>
        side.admin.api.put('/api/v1/exception-rules', {
          untouched: { on: true, businessDays: 3 },
          noActivity: { on: true, businessDays: 2 },
          noNextStep: { on: false },
          pastCloseDate: { on: true },
        }),
      );
      await assertAgreeAtEveryMoment('rules changed');
    });

    it('answers alike after holidays are added and removed, and an owner changes time zone', async () => {
      await onBoth('holiday added', (side) =>
        side.admin.api.post('/api/v1/holidays', { date: '2027-03-19', name: 'Added' }),
      );
      await onBoth('holiday removed', (side) => side.admin.api.delete('/api/v1/holidays/2027-03-17'));
      await onBoth('zone', (side) =>
        side.admin.api.patch(`/api/v1/advisors/${side.owners[0].record.id}`, { timeZone: 'Pacific/Chatham' }),
      );
      await assertAgreeAtEveryMoment('holidays and a zone changed');
    });

    it('keeps the facts right after writes to the rows themselves (another tool, not the API)', async () => {
      const { server, owners } = postgres();
      const created = await owners[2].api.post('/api/v1/opportunities', referral('Raw writes', 'raw@client.example'));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.opportunity.id as number;
      const [{ id: other }] = await server.rows<{ id: number }>(
        "SELECT id FROM opportunities WHERE status = 'open' AND id <> ? ORDER BY id LIMIT 1",
        id,
      );
      const facts = async () =>
        (
          await server.rows<{ touched: boolean; has_activity: boolean; undated_task: boolean }>(
            'SELECT touched, has_activity, undated_task FROM opportunity_attention_facts WHERE opportunity_id = ?',
            id,
          )
        )[0];
      assert.deepEqual(await facts(), { touched: false, has_activity: false, undated_task: false });
      const later = new Date(server.clock.now().getTime() + HOUR).toISOString();
      // A note by the owner, written as a row: touched.
      await server.rows(
        'INSERT INTO notes (opportunity_id, author_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        id,
        owners[2].record.id,
        'raw note',
        later,
        later,
      );
      assert.equal((await facts()).touched, true);
      await server.rows('DELETE FROM notes WHERE opportunity_id = ?', id);
      assert.equal((await facts()).touched, false);
      // A task without a start moved onto it, then back: an undated next step, then none.
      const [task] = await server.rows<{ id: number }>(
        `INSERT INTO activities (kind, subject, status, regarding_opportunity_id, created_by_id, created_at, updated_at)
         VALUES ('task', 'raw task', 'open', ?, ?, ?, ?) RETURNING id`,
        other,
        owners[2].record.id,
        later,
        later,
      );
      await server.rows('UPDATE activities SET regarding_opportunity_id = ? WHERE id = ?', id, task.id);
      assert.deepEqual(await facts(), { touched: true, has_activity: true, undated_task: true });
      await assertFactsAsComputed('a task moved');
      await server.rows('UPDATE activities SET regarding_opportunity_id = ? WHERE id = ?', other, task.id);
      assert.deepEqual(await facts(), { touched: false, has_activity: false, undated_task: false });
      await server.rows('DELETE FROM activities WHERE id = ?', task.id);
      await assertFactsAsComputed('rows written and removed');
    });

    it('keeps the facts of one opportunity right under concurrent writes on it', async () => {
      const { owners } = postgres();
      const created = await owners[1].api.post('/api/v1/opportunities', referral('Busy one', 'busy@client.example'));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.opportunity.id as number;
      const base = postgres().server.clock.now().getTime();
      // Calls and tasks with starts spread around now, each its own request at once: the latest start is one of them.
      const writes = Array.from({ length: 16 }, (_, i) =>
        owners[1].api.post('/api/v1/activities', {
          kind: i % 2 ? 'task' : 'phone_call',
          opportunityId: id,
          subject: `concurrent ${i}`,
          startAt: new Date(base + (i - 5) * 7 * HOUR).toISOString(),
        }),
      );
      const notes = Array.from({ length: 4 }, (_, i) =>
        owners[1].api.post(`/api/v1/opportunities/${id}/notes`, { body: `concurrent note ${i}` }),
      );
      for (const res of await Promise.all([...writes, ...notes])) assert.ok(res.status < 300, JSON.stringify(res.body));
      await assertFactsAsComputed('after concurrent writes');
      const [facts] = await postgres().server.rows<{ last_start: unknown; touched: boolean }>(
        'SELECT last_start, touched FROM opportunity_attention_facts WHERE opportunity_id = ?',
        id,
      );
      assert.equal(new Date(facts.last_start as string).toISOString(), new Date(base + 10 * 7 * HOUR).toISOString());
      assert.equal(facts.touched, true);
    });
  },
);
