/**
 * What compressing an answer costs, by brotli quality: `npx tsx bench/answer-compression.ts --db /tmp/copy.db`.
 * --db is a firm database (bench/seed-firm.ts; only read, but the server's start-up checks write: pass a copy). The
 * answers are those the service benchmark's big-book advisor gets: the opportunity detail and its timeline page for
 * 100 of their open opportunities, and their new for me page, built in-process by the services. Each is compressed
 * one-shot (the compression middleware writes an answer in one write: the same bytes), the qualities alternating in
 * rounds; prints the CPU µs an answer (median of the rounds after the first, every round beside it) and its size.
 */
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { systemClock } from '../server/clock';
import { openDatabase } from '../server/db/connection';
import { createSqliteRepository } from '../server/repository/sqlite';
import { createServices } from '../server/services';
import { findPersonas } from './seed-firm';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    rounds: { type: 'string', default: '7' },
    qualities: { type: 'string', default: '4,1' },
  },
});
if (!values.db) throw new Error('usage: tsx bench/answer-compression.ts --db <firm database copy> [--rounds 7]');
const ROUNDS = Number(values.rounds);
const QUALITIES = values.qualities.split(',').map(Number);
/** Answers compressed per quality and round, so a round of small answers lasts long enough to time. */
const PER_ROUND = 400;

const db = openDatabase(values.db);
const personas = findPersonas(db);
const repo = createSqliteRepository(db, { inProcessReads: true });
const services = createServices({ repo, clock: systemClock });
const caller = (await repo.advisors.findById(personas.bigOwner.id))!;
const answers: Record<string, Buffer[]> = { 'opportunity detail': [], 'timeline page': [], 'new for me': [] };
for (const id of personas.openOpportunityIds.slice(0, 100)) {
  const detail = await services.opportunities.detail(caller, id, { markRecent: false });
  answers['opportunity detail'].push(Buffer.from(JSON.stringify(detail)));
  const page = await services.opportunities.activityList(caller, id, { limit: 25 });
  answers['timeline page'].push(Buffer.from(JSON.stringify(page)));
}
const newForMe = await services.work.newForMe(caller, { limit: 25, offset: 0 });
answers['new for me'].push(Buffer.from(JSON.stringify(newForMe)));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
for (const [name, bodies] of Object.entries(answers)) {
  const size = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  const repeat = Math.ceil(PER_ROUND / bodies.length);
  const micros = new Map<number, number[]>(QUALITIES.map((quality) => [quality, []]));
  const compressed = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const quality of round % 2 ? [...QUALITIES].reverse() : QUALITIES) {
      const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality };
      let bytes = 0;
      const began = cpuMicros();
      for (let i = 0; i < repeat; i++)
        for (const body of bodies) bytes += zlib.brotliCompressSync(body, { params }).length;
      // The first round warms up.
      if (round > 0) micros.get(quality)!.push((cpuMicros() - began) / repeat / bodies.length);
      compressed.set(quality, bytes / repeat / bodies.length);
    }
  }
  const each = QUALITIES.map((quality) => {
    const rounds = micros.get(quality)!;
    return `quality ${quality}: ${median(rounds).toFixed(0)} µs (${rounds.map((us) => us.toFixed(0)).join(', ')}) → ${compressed.get(quality)!.toFixed(0)} bytes`;
  });
  process.stdout.write(`${name} (${size.toFixed(0)} bytes): ${each.join('; ')}\n`);
}
// The repository's threads are unref'd: a timer keeps the process alive until they have stopped.
const alive = setInterval(() => undefined, 1000);
await repo.close();
clearInterval(alive);
