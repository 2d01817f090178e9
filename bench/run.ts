/** `npm run bench [service|pane|lock]`: the benchmarks, one after the other; prints markdown for docs/BENCHMARKS.md. */
import { runHeldLockBenchmark } from './held-lock';
import { runPaneBenchmark } from './pane';
import { runServiceBenchmark } from './service';

const which = process.argv[2] ?? 'all';
const sections: string[] = [];
if (which === 'all' || which === 'pane') sections.push(`## Task pane\n\n${await runPaneBenchmark()}`);
if (which === 'all' || which === 'service') sections.push(`## Service\n\n${await runServiceBenchmark()}`);
if (which === 'all' || which === 'lock')
  sections.push(`## A write lock held by another process\n\n${await runHeldLockBenchmark()}`);
process.stdout.write(`${sections.join('\n\n')}\n`);
