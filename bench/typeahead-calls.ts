/**
 * The repository call of type-ahead alone, in µs per call, for the benchmark's personas and typed prefixes (a big
 * book typing topic words and last names, a small book typing words common across the firm), without HTTP:
 * `npx tsx bench/typeahead-calls.ts --db /tmp/x.db [--views closed,recent] [--passes 5]`. Each prefix is typed once
 * before timing (cold pages); the figures are the median pass's mean over every prefix, in wall time and in this
 * process's CPU time (steadier on a shared machine). The database is only read.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/connection';
import type { ListOpportunitiesOptions } from '../server/repository/repository';
import { createSqliteRepository } from '../server/repository/sqlite';
import { findPersonas } from './seed-firm';
import { LAST, WORDS } from './seed-volume';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    views: { type: 'string', default: 'my-open,recent,all-open,closed' },
    passes: { type: 'string', default: '5' },
  },
});
if (!values.db) throw new Error('--db <file> is required');

const prefixes = (words: string[]) =>
  words.flatMap((word) => Array.from({ length: word.length - 2 }, (_, i) => word.slice(0, 3 + i).toLowerCase()));
const TYPED = prefixes([...WORDS, ...LAST]);
const COMMON = prefixes(WORDS);

const db = openDatabase(values.db);
const repo = createSqliteRepository(db);
const personas = findPersonas(db);
const passes = Number(values.passes);

for (const view of values.views.split(',') as ListOpportunitiesOptions['view'][])
  for (const [who, advisorId, typed] of [
    [`big book (${personas.bigOwner.book})`, personas.bigOwner.id, TYPED],
    [`small book (${personas.smallOwner.book}) typing common words`, personas.smallOwner.id, COMMON],
  ] as const) {
    const call = (q: string) =>
      repo.opportunities.choices({ view, advisorId, ownerIds: [advisorId], q, limit: 10, offset: 0 });
    for (const q of typed) await call(q);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      const began = process.hrtime.bigint();
      const used = process.cpuUsage();
      for (const q of typed) await call(q);
      const { user, system } = process.cpuUsage(used);
      wall.push(Number(process.hrtime.bigint() - began) / 1000 / typed.length);
      cpu.push((user + system) / typed.length);
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)].toFixed(0);
    console.log(`${view}, ${who}: ${median(wall)} µs per call, ${median(cpu)} µs CPU (${typed.length} prefixes)`);
  }
db.close();
