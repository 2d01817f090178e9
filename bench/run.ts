/**
 * `npm run bench [-- pane|service|lock …] [--size 100k|1m] [--db <file> | --keep <file>] [--only <part,…>]`:
 * the benchmarks, one after the other; prints markdown for docs/BENCHMARKS.md. `--db` reuses a database seeded
 * before (by `--keep` or `tsx bench/seed-firm.ts`); `--only` keeps the service rows whose names contain a part.
 */
import { runHeldLockBenchmark } from './held-lock';
import { runPaneBenchmark } from './pane';
import { isFirmSize } from './seed-firm';
import { runServiceBenchmark, SIZES } from './service';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  args.splice(at, 2);
  return value;
};
const size = option('--size') ?? '100k';
const database = option('--db');
const keep = option('--keep');
const only = option('--only')?.split(',');
const known = ['all', 'pane', 'service', 'lock'];
if (!isFirmSize(size) || args.some((name) => !known.includes(name))) {
  process.stderr.write(
    `usage: tsx bench/run.ts [${known.join('|')} …] [--size ${SIZES.join('|')}] [--db <file> | --keep <file>] [--only <part,…>]\n`,
  );
  process.exit(2);
}
const which = new Set(args.length ? args : ['all']);
const wants = (name: string) => which.has('all') || which.has(name);
const sections: string[] = [];
if (wants('pane')) sections.push(`## Task pane\n\n${await runPaneBenchmark()}`);
if (wants('service'))
  sections.push(`## Service (${size})\n\n${await runServiceBenchmark({ size, database, keep, only })}`);
if (wants('lock')) sections.push(`## A write lock held by another process\n\n${await runHeldLockBenchmark()}`);
process.stdout.write(`${sections.join('\n\n')}\n`);
