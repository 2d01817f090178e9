// µs of CPU per repository call at 1M, two trees alternating in one process (before: an exported commit, after: this
// checkout). npx tsx bench/limit-calls.ts <db> <before-tree> [rounds] [name substring]
import path from 'node:path';
import { findPersonas } from './seed-firm';

const [file, beforeRoot, roundsText, only] = process.argv.slice(2);
const rounds = Number(roundsText ?? 5);
/** The modules timed, typed from this checkout (the tree before has the same exports). */
interface Modules {
  connection: typeof import('../server/db/connection');
  activities: typeof import('../server/repository/sqlite/activities');
  opportunities: typeof import('../server/repository/sqlite/opportunities');
  notes: typeof import('../server/repository/sqlite/notes');
  attention: typeof import('../server/repository/sqlite/attention-page');
  newForMe: typeof import('../server/repository/sqlite/new-for-me');
}
const load = async (root: string): Promise<Modules> => ({
  connection: (await import(path.join(root, 'server/db/connection.ts'))) as Modules['connection'],
  activities: (await import(path.join(root, 'server/repository/sqlite/activities.ts'))) as Modules['activities'],
  opportunities: (await import(
    path.join(root, 'server/repository/sqlite/opportunities.ts')
  )) as Modules['opportunities'],
  notes: (await import(path.join(root, 'server/repository/sqlite/notes.ts'))) as Modules['notes'],
  attention: (await import(path.join(root, 'server/repository/sqlite/attention-page.ts'))) as Modules['attention'],
  newForMe: (await import(path.join(root, 'server/repository/sqlite/new-for-me.ts'))) as Modules['newForMe'],
});

async function calls(root: string) {
  const m = await load(root);
  const db = m.connection.openDatabase(file);
  db.pragma('query_only = 1');
  // An opportunity with more than a page of activities (the timeline's first page is full).
  const opportunityId = db
    .prepare(
      `SELECT o.id FROM opportunities o WHERE o.id > (SELECT max(id) / 2 FROM opportunities)
         AND (SELECT count(*) FROM (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id LIMIT 60)) = 60
       LIMIT 1`,
    )
    .pluck()
    .get() as number;
  const bigOwner = db
    .prepare(`SELECT owner_id FROM opportunities WHERE status = 'open' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)
    .pluck()
    .get() as number;
  const team = db.prepare('SELECT id FROM advisors ORDER BY id LIMIT 20').pluck().all() as number[];
  const assignee = db
    .prepare(`SELECT to_advisor_id FROM assignments GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)
    .pluck()
    .get() as number;
  // The detail's four page reads for the firm's first 1,000 open opportunities in turn: pages not yet in the cache, as
  // when advisors open different opportunities.
  const openIds = findPersonas(db).openOpportunityIds.slice(0, 1000);
  let next = 0;
  const activities = new m.activities.SqliteActivityStore(db);
  const opportunities = new m.opportunities.SqliteOpportunityStore(db);
  const notes = new m.notes.SqliteNoteStore(db);
  const now = new Date().toISOString();
  return {
    'timeline page (51)': () => activities.regarding(opportunityId, { before: null, limit: 51 }),
    'timeline page (11)': () => activities.regarding(opportunityId, { before: null, limit: 11 }),
    'detail assignments (26)': () => opportunities.assignments(opportunityId, { before: null, limit: 26 }),
    'detail events (26)': () => opportunities.events(opportunityId, { before: null, limit: 26 }),
    'detail notes (26)': () => notes.visibleOn(opportunityId, bigOwner, { before: null, limit: 26 }),
    'detail, four pages, 1,000 opportunities in turn (26 each)': async () => {
      const id = openIds[next++ % openIds.length];
      const page = { before: null, limit: 26 };
      await activities.regarding(id, page);
      await opportunities.assignments(id, page);
      await opportunities.events(id, page);
      await notes.visibleOn(id, bigOwner, page);
    },
    'new for me (25)': () => m.newForMe.newForMePage(db, assignee, null, 25, 0, 3),
    'needs attention (team, 25)': () => m.attention.attentionPage(db, team, now, 25, 0),
    'type-ahead team-open, no words (10)': () =>
      opportunities.list({ view: 'team-open', advisorId: bigOwner, ownerIds: team, limit: 10, offset: 0 }),
    'type-ahead closed, no words (10)': () =>
      opportunities.list({ view: 'closed', advisorId: bigOwner, limit: 10, offset: 0 }),
  } as Record<string, () => unknown>;
}

async function time(fn: () => unknown, n: number) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const before = await calls(beforeRoot);
const after = await calls(process.cwd());
const results: Record<string, { before: number[]; after: number[] }> = {};
const names = Object.keys(before).filter((name) => !only || name.includes(only));
for (const name of names) {
  results[name] = { before: [], after: [] };
  await time(before[name], 200);
  await time(after[name], 200);
}
for (let round = 0; round < rounds; round++)
  for (const name of names) {
    // Which goes first alternates, so neither gains from the other's warmed cache.
    const pair = [
      async () => results[name].before.push(await time(before[name], 1000)),
      async () => results[name].after.push(await time(after[name], 1000)),
    ];
    for (const run of round % 2 ? pair.reverse() : pair) await run();
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [name, r] of Object.entries(results))
  console.log(`${name}: before ${median(r.before).toFixed(1)} µs, after ${median(r.after).toFixed(1)} µs`);
