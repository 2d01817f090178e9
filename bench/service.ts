/**
 * Service benchmark: seeds 100k opportunities, 20k contacts and 1M activities, runs the server as
 * its own process on loopback, and measures type-ahead search, suggestions and Set Regarding
 * against a static-JSON endpoint of the same server as the baseline. Prints a markdown table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { startChildServer } from '../test/helpers/child-server';
import { seedVolume } from './seed-volume';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const PREFIXES = ['ret', 'rol', 'col', 'sav', 'ben', 'ann', 'est', 'tru', 'ins', 'med', 'pen', 'por', 'jor', 'pri', 'sha', 'oka', 'gom', 'zha'];

interface Row { name: string; requests: number; rps: number; p50: number; p90: number; p97_5: number; p99: number; errors: number }

const WARM_UP = 3;

/** Warms the scenario up (JIT, caches) for a few seconds, then measures it. */
async function load(name: string, options: autocannon.Options): Promise<Row> {
  await new Promise((resolve, reject) => autocannon({ duration: WARM_UP, connections: CONNECTIONS, ...options }, (error, result) => (error ? reject(error) : resolve(result))));
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, connections: CONNECTIONS, ...options }, (error, result) => {
      if (error) return reject(error);
      resolve({
        name, requests: result.requests.total, rps: Math.round(result.requests.average), p50: result.latency.p50, p90: result.latency.p90,
        p97_5: result.latency.p97_5, p99: result.latency.p99, errors: result.non2xx + result.errors,
      });
    });
  });
}

export async function runServiceBenchmark(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-bench-'));
  const databaseFile = path.join(dir, 'bench.db');
  const db = openDatabase(databaseFile);
  migrate(db);
  const counts = { advisors: 50, contacts: 20_000, opportunities: 100_000, activities: 1_000_000 };
  const seedStart = Date.now();
  const { token, contactEmail, openOpportunityIds } = await seedVolume(db, counts);
  const seedSeconds = (Date.now() - seedStart) / 1000;
  const emails = Array.from({ length: 200 }, (_, i) => contactEmail(1 + i * 97));
  db.close();
  const sizeMb = fs.statSync(databaseFile).size / 1e6;

  const server = await startChildServer({ DATABASE_FILE: databaseFile, TLS: 'off', DEMO_DATA: 'off', LOG_LEVEL: 'silent' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    let n = 0;
    const rows: Row[] = [];
    rows.push(await load('baseline: static JSON (GET /api/v1/auth/config)', { url: `${server.url}/api/v1/auth/config` }));
    rows.push(await load('type-ahead search (GET /opportunities?view=all-open&q=…)', {
      url: server.url, headers,
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/v1/opportunities?view=all-open&limit=10&q=${PREFIXES[n++ % PREFIXES.length]}` }) }],
    }));
    rows.push(await load('suggestions (GET /opportunities/suggestions, 3 emails)', {
      url: server.url, headers,
      requests: [{ setupRequest: (req) => {
        const i = n++;
        const query = [0, 1, 2].map((k) => `email=${encodeURIComponent(emails[(i + k) % emails.length]!)}`).join('&');
        return { ...req, path: `/api/v1/opportunities/suggestions?${query}` };
      } }],
    }));
    rows.push(await load('set regarding (POST /activities/regarding, new email each)', {
      url: server.url, headers, method: 'POST',
      requests: [{ setupRequest: (req) => {
        const i = n++;
        return { ...req, path: '/api/v1/activities/regarding', body: JSON.stringify({
          opportunityId: openOpportunityIds[i % openOpportunityIds.length],
          item: { kind: 'email', internetMessageId: `<bench-${i}@mail.example>`, subject: 'Bench', participants: [{ email: 'client@example.org', role: 'from' }] },
        }) };
      } }],
    }));
    const baseline = rows[0]!.rps;
    const lines = [
      `Data: ${counts.opportunities.toLocaleString('en')} opportunities, ${counts.contacts.toLocaleString('en')} contacts, ${counts.activities.toLocaleString('en')} activities (${sizeMb.toFixed(0)} MB SQLite file, seeded in ${seedSeconds.toFixed(0)} s).`,
      `Load: autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario after ${WARM_UP} s of warm-up, server in its own process on loopback (HTTP; TLS off), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
      '',
      '| scenario | requests | req/s | × baseline | p50 ms | p90 ms | p97.5 ms | p99 ms | non-2xx |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.name} | ${r.requests} | ${r.rps} | ${(r.rps / baseline).toFixed(2)} | ${r.p50} | ${r.p90} | ${r.p97_5} | ${r.p99} | ${r.errors} |`),
    ];
    return lines.join('\n');
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
