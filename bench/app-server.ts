/**
 * Express's own prototype change against `createAppServer` (server/http/app-server.ts): a bare Express app that
 * answers a small JSON, served once by `http.createServer(app)` and once by `createAppServer(app)`, each in its own
 * process, loaded in alternating rounds by autocannon with 50 keep-alive connections. Reports each server's req/s,
 * p99, and its young-generation collections (count and mean pause, from its own PerformanceObserver).
 * `npx tsx bench/app-server.ts [--rounds 4] [--seconds 5]`
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import express from 'express';
import { createAppServer } from '../server/http/app-server';

type Variant = 'http.createServer(app)' | 'createAppServer(app)';
interface Scavenges {
  count: number;
  ms: number;
}

/** In the child: serves the app the given way, counts its scavenges, and reports them when asked. */
function serve(variant: Variant): void {
  const app = express();
  const body = JSON.stringify({ providers: ['pat'], tenant: null });
  app.get('/config', (_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(body);
  });
  const server = variant === 'createAppServer(app)' ? createAppServer(app, {}) : http.createServer(app);
  let scavenges: Scavenges = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
      if (detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue;
      scavenges.count += 1;
      scavenges.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', () => {
    process.send!(scavenges);
    scavenges = { count: 0, ms: 0 };
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

const ask = <T>(child: ChildProcess): Promise<T> =>
  new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.send('report');
  });

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '4' }, seconds: { type: 'string', default: '5' } },
  });
  const variants: Variant[] = ['http.createServer(app)', 'createAppServer(app)'];
  const servers = await Promise.all(
    variants.map(async (variant) => {
      const child = fork(import.meta.filename, ['--child', variant], { execArgv: ['--import', 'tsx'] });
      const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as never));
      return { variant, child, url: `http://127.0.0.1:${port}/config` };
    }),
  );
  const rounds = new Map<Variant, { rps: number; p99: number; scavenges: Scavenges }[]>(variants.map((v) => [v, []]));
  const load = (url: string, duration: number) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon({ url, connections: 50, duration }, (error, result) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
      ),
    );
  for (const server of servers) await load(server.url, 2);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const server of servers) {
      await ask(server.child);
      const result = await load(server.url, Number(values.seconds));
      const scavenges = await ask<Scavenges>(server.child);
      rounds.get(server.variant)!.push({ rps: result.requests.average, p99: result.latency.p99, scavenges });
    }
  }
  for (const server of servers) server.child.kill();
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  console.log(
    `A bare Express app, 50 autocannon connections, ${values.rounds} alternating rounds of ${values.seconds} s, Node ${process.version}; medians.`,
  );
  console.log('| server | req/s | p99 ms | scavenges a second | mean scavenge pause ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const variant of variants) {
    const list = rounds.get(variant)!;
    const perSecond = median(list.map((r) => r.scavenges.count / Number(values.seconds)));
    const pause = median(list.map((r) => r.scavenges.ms / Math.max(1, r.scavenges.count)));
    console.log(
      `| ${variant} | ${median(list.map((r) => r.rps)).toFixed(0)} | ${median(list.map((r) => r.p99))} | ${perSecond.toFixed(1)} | ${pause.toFixed(2)} |`,
    );
  }
}

const child = process.argv.indexOf('--child');
if (child >= 0) serve(process.argv[child + 1] as Variant);
else await main();
