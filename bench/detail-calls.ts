// µs of CPU per opportunity for the detail's four page reads (activities, assignments, closes, notes) over the firm's
// first 1,000 open opportunities, two trees alternating in one process (before: an exported commit, after: this
// checkout). npx tsx bench/detail-calls.ts <db> <before-tree> [rounds]
import path from 'node:path';
import { findPersonas } from './seed-firm';

const [file, beforeRoot, roundsText] = process.argv.slice(2);
if (!file || !beforeRoot) throw new Error('usage: tsx bench/detail-calls.ts <firm database> <tree before> [rounds]');
const rounds = Number(roundsText ?? 12);

type Repo = ReturnType<typeof import('../server/repository/sqlite').createSqliteRepository>;
async function open(root: string): Promise<Repo> {
  const { openDatabase } = (await import(
    path.join(root, 'server/db/connection.ts')
  )) as typeof import('../server/db/connection');
  const { createSqliteRepository } = (await import(
    path.join(root, 'server/repository/sqlite/index.ts')
  )) as typeof import('../server/repository/sqlite');
  const db = openDatabase(file);
  db.pragma('query_only = 1');
  return createSqliteRepository(db);
}

const { openDatabase } = await import('../server/db/connection');
const personas = findPersonas(openDatabase(file));
const ids = personas.openOpportunityIds.slice(0, 1000);
const me = personas.bigOwner.id;
const trees: [string, Repo][] = [
  ['before', await open(path.resolve(beforeRoot))],
  ['after', await open(path.resolve('.'))],
];
const page = { before: null, limit: 26 };
const cpu: Record<string, number[]> = { before: [], after: [] };
for (let round = 0; round < rounds; round++) {
  for (const [name, repo] of round % 2 ? [...trees].reverse() : trees) {
    const started = process.cpuUsage();
    for (const id of ids) {
      await repo.activities.regarding(id, page);
      await repo.opportunities.assignments(id, page);
      await repo.opportunities.events(id, page);
      await repo.notes.visibleOn(id, me, page);
    }
    const used = process.cpuUsage(started);
    // The first two rounds warm both trees' statements and pages.
    if (round >= 2) cpu[name].push((used.user + used.system) / ids.length);
  }
}
for (const [name, values] of Object.entries(cpu)) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${name}: ${median.toFixed(1)} µs an opportunity (${sorted[0].toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`);
}
