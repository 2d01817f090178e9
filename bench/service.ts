/**
 * Service benchmark: seeds 100k opportunities, 20k contacts and 1M activities, runs the server as
 * its own process on loopback, and measures type-ahead search, contact search, suggestions and Set Regarding
 * against a static-JSON endpoint of the same server as the baseline. Prints a markdown table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { startChildServer } from '../test/helpers/child-server';
import { LAST, WORDS, seedVolume } from './seed-volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_SECONDS = 2;
const WARM_UP_SECONDS = 3;
const CONNECTIONS = 10;
/**
 * What the lookup sends while an advisor types a topic word or a customer's last name: every prefix
 * of three letters or more (the pane sends the text at each pause in typing, so any length can arrive).
 */
const TYPED = [...WORDS, ...LAST].flatMap((word) =>
  Array.from({ length: word.length - 2 }, (_, i) => word.slice(0, 3 + i).toLowerCase()),
);

interface Row {
  name: string;
  requests: number;
  rps: number;
  ratio: number | null;
  ratios: number[];
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  errors: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function cannon(options: autocannon.Options, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ duration: seconds, connections: CONNECTIONS, ...options }, (error, result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    ),
  );
}

function summarise(name: string, results: autocannon.Result[], ratios: number[] | null): Row {
  return {
    name,
    requests: results.reduce((sum, r) => sum + r.requests.total, 0),
    rps: Math.round(median(results.map((r) => r.requests.average))),
    ratio: ratios && median(ratios),
    ratios: ratios ?? [],
    p50: median(results.map((r) => r.latency.p50)),
    p90: median(results.map((r) => r.latency.p90)),
    p97_5: median(results.map((r) => r.latency.p97_5)),
    p99: median(results.map((r) => r.latency.p99)),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
}

/**
 * Warms the scenario up, then alternates short rounds of the baseline and the scenario, so that both
 * see the same machine (a shared machine's speed drifts by more than the differences measured here).
 * The scenario's ratio is the median of its rounds' ratios to the baseline round just before.
 */
async function compare(
  name: string,
  scenario: autocannon.Options,
  baseline: autocannon.Options,
  baselineRuns: autocannon.Result[],
): Promise<Row> {
  await cannon(scenario, WARM_UP_SECONDS);
  const runs: autocannon.Result[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = await cannon(baseline, ROUND_SECONDS);
    const run = await cannon(scenario, ROUND_SECONDS);
    baselineRuns.push(base);
    runs.push(run);
    ratios.push(run.requests.average / base.requests.average);
  }
  return summarise(name, runs, ratios);
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

  const server = await startChildServer({
    DATABASE_FILE: databaseFile,
    TLS: 'off',
    DEMO_DATA: 'off',
    LOG_LEVEL: 'silent',
    // One advisor sends every write here: the limit on changes stays in the path (each write is counted)
    // but is set above what the run sends, so the scenarios measure the service, not its refusals.
    RATE_LIMIT_WRITES: '1000000',
  });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    let n = 0;
    const baseline: autocannon.Options = { url: `${server.url}/api/v1/auth/config` };
    const baselineRuns: autocannon.Result[] = [];
    await cannon(baseline, WARM_UP_SECONDS);
    const rows: Row[] = [];
    const typeAhead = (path: string): autocannon.Options => ({
      url: server.url,
      headers,
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            path: `/api/v1/${path}?view=all-open&limit=10&q=${TYPED[n++ % TYPED.length]}`,
          }),
        },
      ],
    });
    rows.push(
      await compare(
        'type-ahead search, as the lookup sends it (GET /opportunities/lookup?view=all-open&q=…)',
        typeAhead('opportunities/lookup'),
        baseline,
        baselineRuns,
      ),
    );
    rows.push(
      await compare(
        'contact search, as New Opportunity sends it (GET /contacts?q=…)',
        {
          url: server.url,
          headers,
          requests: [
            {
              setupRequest: (req) => ({ ...req, path: `/api/v1/contacts?limit=10&q=${TYPED[n++ % TYPED.length]}` }),
            },
          ],
        },
        baseline,
        baselineRuns,
      ),
    );
    rows.push(
      await compare(
        'the same search returning whole summaries (GET /opportunities?view=all-open&q=…)',
        typeAhead('opportunities'),
        baseline,
        baselineRuns,
      ),
    );
    rows.push(
      await compare(
        'suggestions (GET /opportunities/suggestions, 3 emails)',
        {
          url: server.url,
          headers,
          requests: [
            {
              setupRequest: (req) => {
                const i = n++;
                const query = [0, 1, 2]
                  .map((k) => `email=${encodeURIComponent(emails[(i + k) % emails.length])}`)
                  .join('&');
                return { ...req, path: `/api/v1/opportunities/suggestions?${query}` };
              },
            },
          ],
        },
        baseline,
        baselineRuns,
      ),
    );
    rows.push(
      await compare(
        'set regarding (POST /activities/regarding, new email each)',
        {
          url: server.url,
          headers,
          method: 'POST',
          requests: [
            {
              setupRequest: (req) => {
                const i = n++;
                return {
                  ...req,
                  path: '/api/v1/activities/regarding',
                  body: JSON.stringify({
                    opportunityId: openOpportunityIds[i % openOpportunityIds.length],
                    item: {
                      kind: 'email',
                      internetMessageId: `<bench-${i}@mail.example>`,
                      subject: 'Bench',
                      participants: [{ email: 'client@example.org', role: 'from' }],
                    },
                  }),
                };
              },
            },
          ],
        },
        baseline,
        baselineRuns,
      ),
    );
    rows.unshift(summarise('baseline: static JSON (GET /api/v1/auth/config)', baselineRuns, null));
    const lines = [
      `Data: ${counts.opportunities.toLocaleString('en')} opportunities, ${counts.contacts.toLocaleString('en')} contacts, ${counts.activities.toLocaleString('en')} activities (${sizeMb.toFixed(0)} MB SQLite file, seeded in ${seedSeconds.toFixed(0)} s).`,
      `Load: autocannon, ${CONNECTIONS} connections, server in its own process on loopback (HTTP; TLS off), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
      `Each scenario: ${WARM_UP_SECONDS} s of warm-up, then ${ROUNDS} rounds of ${ROUND_SECONDS} s of the baseline followed by ${ROUND_SECONDS} s of the scenario; req/s and latencies are medians over the rounds, × baseline is the median of the rounds' ratios (each round's ratio in brackets).`,
      '',
      '| scenario | requests | req/s | × baseline | p50 ms | p90 ms | p97.5 ms | p99 ms | non-2xx |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.requests} | ${r.rps} | ${r.ratio === null ? '1.00' : `**${r.ratio.toFixed(2)}** (${r.ratios.map((x) => x.toFixed(2)).join(', ')})`} | ${r.p50} | ${r.p90} | ${r.p97_5} | ${r.p99} | ${r.errors} |`,
      ),
    ];
    return lines.join('\n');
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
