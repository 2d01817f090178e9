/** `npm run bench [service|pane]`: the benchmarks, one after the other; prints markdown for docs/BENCHMARKS.md. */
import { runPaneBenchmark } from './pane';
import { runServiceBenchmark } from './service';

const which = process.argv[2] ?? 'all';
const sections: string[] = [];
if (which === 'all' || which === 'pane') sections.push(`## Task pane\n\n${await runPaneBenchmark()}`);
if (which === 'all' || which === 'service') sections.push(`## Service\n\n${await runServiceBenchmark()}`);
process.stdout.write(`${sections.join('\n\n')}\n`);
