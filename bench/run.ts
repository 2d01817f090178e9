/** `npm run bench`: every benchmark, one after the other; prints markdown for docs/BENCHMARKS.md. */
import { runServiceBenchmark } from './service';

const which = process.argv[2] ?? 'all';
const sections: string[] = [];
if (which === 'all' || which === 'service') sections.push('## Service\n\n' + (await runServiceBenchmark()));
process.stdout.write(`${sections.join('\n\n')}\n`);
