/**
 * Service benchmark: a firm seeded by bench/seed-firm.ts (100k or 1M opportunities, 10× activities), the server
 * as its own process on loopback, and what advisors do — type-ahead in every view (a big book, and a small book
 * typing words common across the firm), contact and organization search, suggestions with hits, My Work,
 * reports and the funnel, the opportunity, Set Regarding under 50 writers, the pane context — each against a
 * static-JSON endpoint of the same server as the baseline, in alternating rounds; then the event-loop stall
 * (`/healthz` while the heaviest read runs). Prints a markdown table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { openDatabase } from '../server/db/connection';
import { startChildServer } from '../test/helpers/child-server';
import { buildFirmDatabase, findPersonas, FIRM_SIZES, issuePersonaTokens, type FirmSize } from './seed-firm';
import { LAST, WORDS } from './seed-volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_SECONDS = 2;
const WARM_UP_SECONDS = 3;
/** A /healthz answer this quick means the server has nothing else in hand. */
const SETTLED_MS = 100;
/** The longest round, for an endpoint slower than a round (its baseline rounds as long). */
const MAX_ROUND_SECONDS = 15;
const CONNECTIONS = 10;
/** Concurrent writers in the Set Regarding row (the issue's target: p99 < 50 ms with 50). */
const WRITERS = 50;
/**
 * What the lookup sends while an advisor types a topic word or a customer's last name: every prefix
 * of three letters or more (the pane sends the text at each pause in typing, so any length can arrive).
 */
const prefixes = (words: string[]) =>
  words.flatMap((word) => Array.from({ length: word.length - 2 }, (_, i) => word.slice(0, 3 + i).toLowerCase()));
const TYPED = prefixes([...WORDS, ...LAST]);
/** Topic words only: every one of them is in thousands of the firm's opportunities. */
const COMMON = prefixes(WORDS);

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
  max: number;
  errors: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function cannon(options: autocannon.Options, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon({ duration: seconds, connections: CONNECTIONS, timeout: 300, ...options }, (error, result) =>
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
    max: Math.max(...results.map((r) => r.latency.max)),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
}

/**
 * Warms the scenario up, then alternates short rounds of the baseline and the scenario, so that both
 * see the same machine (a shared machine's speed drifts by more than the differences measured here).
 * The scenario's ratio is the median of its rounds' ratios to the baseline round just before (requests answered
 * in the round: a scenario slower than a round answers none and its ratio is 0). After each scenario round the
 * server finishes what it still has in hand (`settle`) before the baseline's next round starts, so that a slow
 * scenario's queue does not slow the baseline down.
 */
async function compare(
  name: string,
  scenario: autocannon.Options,
  baseline: autocannon.Options,
  baselineRuns: autocannon.Result[],
  settle: () => Promise<void>,
  seconds = ROUND_SECONDS,
): Promise<Row> {
  await cannon(scenario, WARM_UP_SECONDS);
  await settle();
  const runs: autocannon.Result[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const base = await cannon(baseline, seconds);
    const run = await cannon(scenario, seconds);
    await settle();
    baselineRuns.push(base);
    runs.push(run);
    ratios.push(run.requests.total / Math.max(1, base.requests.total));
  }
  return summarise(name, runs, ratios);
}

export interface ServiceOptions {
  size: FirmSize;
  /** A database seeded before (`--db`): used as it is (the run adds tokens and the writes it measures). */
  database?: string;
  /** Where to seed the database and leave it (`--keep`); otherwise a temporary file, removed after. */
  keep?: string;
  /** Only the rows whose name contains one of these. */
  only?: string[];
}

export async function runServiceBenchmark(options: ServiceOptions): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-bench-'));
  const databaseFile = options.database ?? options.keep ?? path.join(dir, 'bench.db');
  let seeded = 'reused';
  if (!options.database) {
    const { seconds } = buildFirmDatabase(databaseFile, options.size, (line) => process.stderr.write(`${line}\n`));
    seeded = `seeded in ${seconds.toFixed(0)} s`;
  }
  const db = openDatabase(databaseFile);
  const personas = findPersonas(db);
  const tokens = await issuePersonaTokens(db, personas);
  const count = (table: string) => db.prepare(`SELECT max(rowid) FROM ${table}`).pluck().get() as number;
  const data = {
    opportunities: count('opportunities'),
    activities: count('activities'),
    contacts: count('contacts'),
    advisors: count('advisors'),
  };
  db.close();
  const sizeMb = fs.statSync(databaseFile).size / 1e6;

  const server = await startChildServer(
    {
      DATABASE_FILE: databaseFile,
      TLS: 'off',
      DEMO_DATA: 'off',
      LOG_LEVEL: 'silent',
      // One advisor sends every write here: the limit on changes stays in the path (each write is counted)
      // but is set above what the run sends, so the scenarios measure the service, not its refusals.
      RATE_LIMIT_WRITES: '1000000',
      // Start-up reads the whole file once (quick_check): minutes for a big firm on a busy machine.
    },
    15 * 60_000,
  );
  const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const wanted = (name: string) => !options.only || options.only.some((part) => name.includes(part));
  const notes: string[] = [];
  try {
    let n = 0;
    const baseline: autocannon.Options = { url: `${server.url}/api/v1/auth/config` };
    const baselineRuns: autocannon.Result[] = [];
    /** Waits until the server has finished the requests a round left in hand (a quick answer from /healthz). */
    const settle = async () => {
      for (;;) {
        const began = Date.now();
        await fetch(`${server.url}/healthz`);
        if (Date.now() - began < SETTLED_MS) return;
      }
    };
    await cannon(baseline, WARM_UP_SECONDS);
    const rows: Row[] = [];
    const reads = new Map<string, { scenario: autocannon.Options; seconds: number }>();
    /** A GET scenario: `next` gives the path (under /api/v1) of each request in turn. */
    const get = (token: string, next: (i: number) => string): autocannon.Options => ({
      url: server.url,
      headers: as(token),
      requests: [{ setupRequest: (req) => ({ ...req, path: `/api/v1/${next(n++)}` }) }],
    });
    const measure = async (name: string, token: string, next: (i: number) => string) => {
      if (!wanted(name)) return;
      process.stderr.write(`${name}\n`);
      // An endpoint slower than a second per request is measured with one connection (marked †): ten in flight
      // would leave the server minutes of work after each round.
      const scenario = get(token, next);
      // The faster of two requests: the first may read cold pages.
      let took = Infinity;
      for (const i of [0, 1]) {
        const began = Date.now();
        await (await fetch(`${server.url}/api/v1/${next(i)}`, { headers: as(token) })).arrayBuffer();
        took = Math.min(took, Date.now() - began);
      }
      let seconds = ROUND_SECONDS;
      if (took > 1000) {
        scenario.connections = 1;
        seconds = Math.min(MAX_ROUND_SECONDS, Math.max(ROUND_SECONDS, Math.ceil((1.5 * took) / 1000)));
        name = `${name} † (one request: ${took} ms; rounds of ${seconds} s)`;
      }
      rows.push(await compare(name, scenario, baseline, baselineRuns, settle, seconds));
      reads.set(name, { scenario, seconds });
    };
    const lookup = (view: string, typed: string[]) => (i: number) =>
      `opportunities/lookup?view=${view}&limit=10&q=${typed[i % typed.length]}`;
    const big = `big book (${personas.bigOwner.book.toLocaleString('en')} opportunities)`;
    const small = `small book (${personas.smallOwner.book})`;

    // What every signed-in request pays before its own work (authentication, the guard, the answer's check).
    await measure('signed in, nothing else (GET /me)', tokens.bigOwner, () => 'me');
    for (const view of ['my-open', 'recent', 'all-open', 'closed'])
      await measure(`type-ahead ${view}, ${big}`, tokens.bigOwner, lookup(view, TYPED));
    await measure('type-ahead team-open, a manager', tokens.manager, lookup('team-open', TYPED));
    for (const view of ['my-open', 'recent', 'all-open', 'closed'])
      await measure(`type-ahead ${view}, ${small} typing common words`, tokens.smallOwner, lookup(view, COMMON));
    await measure(
      'contact search (GET /contacts?q=…)',
      tokens.bigOwner,
      (i) => `contacts?limit=10&q=${TYPED[i % TYPED.length]}`,
    );
    await measure(
      'organization search (GET /organizations?q=…)',
      tokens.bigOwner,
      (i) => `organizations?limit=10&q=${TYPED[i % TYPED.length]}`,
    );
    const emails = personas.emailsWithHits;
    await measure('suggestions with hits (3 emails of contacts with open opportunities)', tokens.bigOwner, (i) =>
      [0, 1, 2]
        .map(
          (k, j) =>
            `${j ? '&' : 'opportunities/suggestions?'}email=${encodeURIComponent(emails[(i * 3 + k) % emails.length])}`,
        )
        .join(''),
    );
    await measure(`needs attention, ${big}`, tokens.bigOwner, () => 'work/needs-attention');
    await measure('needs attention, a manager (scope=team)', tokens.manager, () => 'work/needs-attention?scope=team');
    await measure(`new for me, ${big}`, tokens.bigOwner, () => 'work/new-for-me');
    const scopes = [
      ['me', tokens.bigOwner, big],
      ['team', tokens.manager, 'a manager'],
      ['all', tokens.admin, 'an admin'],
    ] as const;
    for (const [scope, token, who] of scopes)
      await measure(`stage report scope=${scope}, ${who}`, token, () => `reports/stages?scope=${scope}`);
    for (const [scope, token, who] of scopes)
      await measure(`funnel scope=${scope}, ${who}`, token, () => `reports/funnel?scope=${scope}`);
    const ids = personas.openOpportunityIds;
    await measure(
      'opportunity detail and its activities (GET /opportunities/:id, …/activities, alternating)',
      tokens.bigOwner,
      (i) => `opportunities/${ids[(i >> 1) % ids.length]}${i % 2 ? '/activities' : ''}`,
    );

    const messages = personas.messages;
    const paneContext = (i: number) => {
      const m = messages[i % messages.length];
      return `pane/context?internetMessageId=${encodeURIComponent(m.internetMessageId)}&email=${encodeURIComponent(m.email)}`;
    };
    if (wanted('pane context')) {
      const probe = await fetch(`${server.url}/api/v1/${paneContext(0)}`, { headers: as(tokens.bigOwner) });
      if (probe.status === 404)
        notes.push('pane context: skipped, GET /api/v1/pane/context answers 404 on this branch.');
      else await measure('pane context (GET /pane/context, an email with its sender)', tokens.bigOwner, paneContext);
    }

    if (wanted('set regarding'))
      rows.push(
        await compare(
          `set regarding, ${WRITERS} connections (POST /activities/regarding, new email each)`,
          {
            url: server.url,
            headers: as(tokens.bigOwner),
            method: 'POST',
            connections: WRITERS,
            requests: [
              {
                setupRequest: (req) => {
                  const i = n++;
                  return {
                    ...req,
                    path: '/api/v1/activities/regarding',
                    body: JSON.stringify({
                      opportunityId: ids[i % ids.length],
                      item: {
                        kind: 'email',
                        internetMessageId: `<bench-${Date.now()}-${i}@mail.example>`,
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
          settle,
        ),
      );

    const heaviest = rows.filter((r) => reads.has(r.name)).sort((a, b) => (a.ratio ?? 1) - (b.ratio ?? 1))[0];
    const stall: string[] = [];
    if (heaviest && wanted('stall')) {
      const heavy = reads.get(heaviest.name)!;
      const health: autocannon.Result[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const [probe] = await Promise.all([
          cannon({ url: `${server.url}/healthz`, connections: 1 }, heavy.seconds),
          cannon(heavy.scenario, heavy.seconds),
        ]);
        await settle();
        health.push(probe);
      }
      const p99s = health.map((r) => r.latency.p99);
      stall.push(
        '',
        `Event-loop stall: GET /healthz (1 connection) while the heaviest read ("${heaviest.name}") runs with ${heavy.scenario.connections ?? CONNECTIONS} connection(s), ${ROUNDS} rounds of ${heavy.seconds} s:` +
          ` p99 median **${median(p99s)} ms** (rounds: ${p99s.join(', ')}), max ${Math.max(...health.map((r) => r.latency.max))} ms,` +
          ` ${health.reduce((sum, r) => sum + r.requests.total, 0)} requests, non-2xx ${health.reduce((sum, r) => sum + r.non2xx + r.errors, 0)}.`,
      );
    }

    rows.unshift(summarise('baseline: static JSON (GET /api/v1/auth/config)', baselineRuns, null));
    const ratios = (r: Row) => {
      if (r.ratio === null) return '1.00';
      const sorted = [...r.ratios].sort((a, b) => a - b);
      return `${sorted[0].toFixed(2)} / **${r.ratio.toFixed(2)}** / ${sorted[sorted.length - 1].toFixed(2)}`;
    };
    const lines = [
      `Data (\`--size ${options.size}\`, bench/seed-firm.ts): ${data.opportunities.toLocaleString('en')} opportunities, ${data.activities.toLocaleString('en')} activities, ${data.contacts.toLocaleString('en')} contacts, ${data.advisors.toLocaleString('en')} advisors (${sizeMb.toFixed(0)} MB SQLite file, ${seeded}).`,
      `Personas: big book advisor ${personas.bigOwner.id} (${personas.bigOwner.book} opportunities), small book advisor ${personas.smallOwner.id} (${personas.smallOwner.book}), manager ${personas.manager.id}, admin ${personas.admin.id}.`,
      `Load: autocannon, ${CONNECTIONS} connections (set regarding: ${WRITERS}), server in its own process on loopback (HTTP; TLS off), ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
      `Each scenario: ${WARM_UP_SECONDS} s of warm-up, then ${ROUNDS} rounds of ${ROUND_SECONDS} s of the baseline followed by ${ROUND_SECONDS} s of the scenario; × baseline is min / **median** / max of the rounds' ratios; req/s and latencies are medians over the rounds, max the slowest request. † an endpoint slower than 1 s per request, measured with 1 connection in longer rounds (its first request's time given; a ratio of 0 means no answer within a round).`,
      '',
      '| scenario | requests | req/s | × baseline (min / median / max) | p50 ms | p99 ms | max ms | non-2xx |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) => `| ${r.name} | ${r.requests} | ${r.rps} | ${ratios(r)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} |`,
      ),
      ...stall,
      ...notes.map((note) => `\n${note}`),
    ];
    return lines.join('\n');
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const SIZES = Object.keys(FIRM_SIZES);
