/**
 * `npm run soak`: a bounded load-and-fault run on loopback. Many advisors link emails (some the
 * same email from two advisors, some retried), create referrals (some retried with the same
 * Idempotency-Key), assign them and add notes, all at once, while the server is killed with
 * SIGKILL and restarted twice. At the end every acknowledged write must be in the database,
 * no email may be recorded twice, and SQLite's integrity check must pass.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { issueAccessToken } from '../server/auth/access-tokens';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { createSqliteRepository } from '../server/repository/sqlite';
import { TestClient } from '../test/helpers/api-client';
import { startChildServer, type ChildServer } from '../test/helpers/child-server';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const ADVISORS = 20;
const WORKERS = 16;

interface Acknowledged {
  links: Map<string, number>; // internetMessageId -> activity id
  creates: Map<string, number>; // idempotency key -> opportunity id
  assignments: number[];
  notes: Map<number, string>;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-soak-'));
  const databaseFile = path.join(dir, 'soak.db');
  const setup = openDatabase(databaseFile);
  migrate(setup);
  const repo = createSqliteRepository(setup);
  const people: { id: number; token: string }[] = [];
  for (let i = 0; i < ADVISORS; i++) {
    const advisor = await repo.advisors.create(
      { email: `soak${i}@firm.example`, displayName: `Soak ${i}`, role: 'advisor' },
      null,
    );
    people.push({ id: advisor.id, token: (await issueAccessToken(repo, advisor.id, 'soak', new Date())).token });
  }
  await repo.close();

  // Each advisor changes about 2,000 times a minute here: the limit on changes counts them all but refuses none.
  const env = {
    DATABASE_FILE: databaseFile,
    TLS: 'off',
    DEMO_DATA: 'off',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_WRITES: '1000000',
  };
  let server: ChildServer = await startChildServer(env);
  let url = server.url;
  const ack: Acknowledged = { links: new Map(), creates: new Map(), assignments: [], notes: new Map() };
  const counts = { requests: 0, failedDuringOutage: 0, refused: 0 };
  const owned = new Map<number, number[]>(people.map((p) => [p.id, []])); // advisor -> opportunities they own
  let stop = false;
  let sequence = 0;
  const random = (n: number) => Math.floor(Math.random() * n);

  const call = async <T>(
    token: string,
    method: string,
    pathname: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    counts.requests += 1;
    try {
      const response = await new TestClient(url, token).request<T>(method, pathname, { body, headers });
      if (response.status >= 400) counts.refused += 1;
      return response;
    } catch {
      counts.failedDuringOutage += 1; // connection refused or reset: never acknowledged
      await new Promise((resolve) => setTimeout(resolve, 50));
      return null;
    }
  };

  const worker = async (w: number) => {
    while (!stop) {
      const me = people[(w + random(4)) % ADVISORS];
      const mine = owned.get(me.id)!;
      const n = sequence++;
      const action = mine.length === 0 ? 0 : random(4);
      if (action === 0) {
        const key = `soak-${n}`;
        const body = {
          topic: `Soak referral ${n}`,
          customer: { newContact: { name: `Client ${n % 300}`, email: `client${n % 300}@soak.example` } },
          note: { body: `note for ${n}` },
        };
        for (let attempt = 0; attempt < (n % 5 === 0 ? 2 : 1); attempt++) {
          const res = await call<{ opportunity: { id: number } }>(me.token, 'POST', '/api/v1/opportunities', body, {
            'Idempotency-Key': key,
          });
          if (res && (res.status === 201 || res.status === 200)) {
            const earlier = ack.creates.get(key);
            if (earlier !== undefined && earlier !== res.body.opportunity.id)
              throw new Error(`retry of ${key} created a second opportunity`);
            ack.creates.set(key, res.body.opportunity.id);
            if (!mine.includes(res.body.opportunity.id)) mine.push(res.body.opportunity.id);
          }
        }
      } else if (action === 1) {
        // Some emails reach several advisors: the same internetMessageId, linked by two of them.
        const imid = `<soak-${n % 3 === 0 ? `shared-${n % 90}` : n}@mail.example>`;
        const opportunityId = mine[random(mine.length)];
        const res = await call<{ id: number }>(me.token, 'POST', '/api/v1/activities/regarding', {
          item: {
            kind: 'email',
            internetMessageId: imid,
            subject: `mail ${n}`,
            participants: [{ email: 'client@soak.example', role: 'from' }],
          },
          opportunityId,
        });
        if (res?.status === 200) {
          const earlier = ack.links.get(imid);
          if (earlier !== undefined && earlier !== res.body.id)
            throw new Error(`${imid} was recorded as two activities`);
          ack.links.set(imid, res.body.id);
        }
      } else if (action === 2) {
        const opportunityId = mine.splice(random(mine.length), 1)[0];
        const to = people[random(ADVISORS)];
        const res = await call<{ assignments: { id: number; to: { id: number } }[] }>(
          me.token,
          'POST',
          `/api/v1/opportunities/${opportunityId}/assign`,
          { ownerId: to.id, message: `over to you ${n}` },
        );
        if (res?.status === 200) {
          if (res.body.assignments[0].to.id === to.id && to.id !== me.id)
            ack.assignments.push(res.body.assignments[0].id);
          owned.get(to.id)!.push(opportunityId);
        } else mine.push(opportunityId);
      } else {
        const opportunityId = mine[random(mine.length)];
        const text = `soak note ${n}`;
        const res = await call<{ id: number }>(me.token, 'POST', `/api/v1/opportunities/${opportunityId}/notes`, {
          body: text,
        });
        if (res?.status === 201) ack.notes.set(res.body.id, text);
      }
    }
  };

  const started = Date.now();
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  const restarts: number[] = [];
  for (const fraction of [1 / 3, 2 / 3]) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + SECONDS * 1000 * fraction - Date.now())));
    const down = Date.now();
    server.child.kill('SIGKILL');
    await server.exited;
    server = await startChildServer(env);
    url = server.url;
    restarts.push(Date.now() - down);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + SECONDS * 1000 - Date.now())));
  stop = true;
  await Promise.all(workers);
  const elapsed = (Date.now() - started) / 1000;
  server.child.kill('SIGTERM');
  await server.exited;

  const db = new Database(databaseFile, { readonly: true });
  const one = (sql: string, ...params: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...params);
  const lost = {
    links: [...ack.links].filter(
      ([imid, id]) => one('SELECT id FROM activities WHERE internet_message_id = ?', imid) !== id,
    ).length,
    creates: [...ack.creates.values()].filter(
      (id) => one('SELECT id FROM opportunities WHERE id = ?', id) === undefined,
    ).length,
    assignments: ack.assignments.filter((id) => one('SELECT id FROM assignments WHERE id = ?', id) === undefined)
      .length,
    notes: [...ack.notes].filter(([id, body]) => one('SELECT body FROM notes WHERE id = ?', id) !== body).length,
  };
  const duplicates = {
    links: one(
      'SELECT count(*) FROM (SELECT internet_message_id FROM activities WHERE internet_message_id IS NOT NULL GROUP BY internet_message_id HAVING count(*) > 1)',
    ) as number,
    creates: one('SELECT count(*) FROM (SELECT topic FROM opportunities GROUP BY topic HAVING count(*) > 1)') as number,
    contacts: one('SELECT count(*) FROM (SELECT email FROM contacts GROUP BY email HAVING count(*) > 1)') as number,
  };
  const integrity = db.pragma('integrity_check', { simple: true }) as string;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const totalLost = Object.values(lost).reduce((a, b) => a + b, 0);
  const totalDuplicates = Object.values(duplicates).reduce((a, b) => a + b, 0);
  const lines = [
    `Soak: ${elapsed.toFixed(0)} s, ${WORKERS} concurrent workers acting as ${ADVISORS} advisors, server killed with SIGKILL and restarted twice (back up after ${restarts.map((ms) => `${ms} ms`).join(' and ')}).`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| requests sent | ${counts.requests} (${(counts.requests / elapsed).toFixed(0)}/s) |`,
    `| requests that failed while the server was down (never acknowledged) | ${counts.failedDuringOutage} |`,
    `| requests refused with a 4xx (e.g. moving an email another advisor linked to their opportunity) | ${counts.refused} |`,
    `| acknowledged: emails linked / referrals created / assignments / notes | ${ack.links.size} / ${ack.creates.size} / ${ack.assignments.length} / ${ack.notes.size} |`,
    `| **lost acknowledged writes** | **${totalLost}** |`,
    `| **duplicate emails, referrals or contacts** | **${totalDuplicates}** |`,
    `| integrity_check | ${integrity} |`,
  ];
  process.stdout.write(
    `${lines.join('\n')}\n\nsoak: ${totalLost === 0 && totalDuplicates === 0 && integrity === 'ok' ? 'passed' : 'FAILED'}\n`,
  );
  if (totalLost || totalDuplicates || integrity !== 'ok') process.exitCode = 1;
}

await main();
