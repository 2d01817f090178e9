/**
 * PostgreSQL and several instances (issue 16): the same firm (bench/seed-firm.ts, 100k opportunities) served by
 * one instance on its SQLite file, one instance on PostgreSQL (with the sign-in reuse, and without it:
 * SIGN_IN_REUSE_MS=0), and two instances on one PostgreSQL database, each
 * instance a real `server/main.ts` process on loopback:
 *
 *   npx tsx bench/postgres.ts [--db /tmp/firm-100k.db]        # BENCH_ROUNDS=5 by default
 *   BENCH_ONLY='type-ahead' npx tsx bench/postgres.ts          # only the scenarios whose name matches
 *   BENCH_CONFIGS='PostgreSQL, 1' npx tsx bench/postgres.ts   # only the configurations whose name matches
 *
 * The run copies --db (a firm database at schema 31 or later, only read) and migrates the copy, issues the
 * personas' tokens in it, starts a
 * throwaway PostgreSQL cluster with fsync on (scripts/test-postgres.ts, `durable`; SQLite runs with
 * synchronous=FULL) and loads the copy into it (bench/postgres-load.ts), then, for each configuration in turn: reads
 * (type-ahead on All Open, the opportunities list, My Work's needs attention), writes (an edit: PATCH with If-Match;
 * a create) and Set Regarding under 50 writers, each against the static baseline (`GET /api/v1/auth/config`) of the
 * same servers in alternating rounds, as bench/service.ts does; the CPU each process used during the scenario's
 * rounds (/proc: the server processes, PostgreSQL's postmaster with its children, this process — the load
 * generator); and what must hold across instances (every write landed once, no lost update, a write through one
 * instance read through the other, one winner of two conflicting edits, one row for one item linked twice at once,
 * one opportunity for one Idempotency-Key sent twice at once). Two instances share the load as autocannon shares its
 * connections between several URLs: connection i goes to server i mod 2 (so half the connections each). Prints
 * markdown; the cluster and the copy are removed at the end.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { openPostgres } from '../server/db/postgres/connection';
import { startTestCluster, stopTestCluster } from '../scripts/test-postgres';
import { startChildServer, type ChildServer } from '../test/helpers/child-server';
import { createDatabase, loadFirmIntoPostgres } from './postgres-load';
import { findPersonas, issuePersonaTokens } from './seed-firm';
import { LAST, WORDS } from './seed-volume';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_SECONDS = 2;
const WARM_UP_SECONDS = 2;
const SETTLED_MS = 100;
const CONNECTIONS = 10;
const WRITERS = 50;
/** PostgreSQL's shared buffers: the firm (about 620 MB on disk in PostgreSQL) nearly fits, as in a tuned server. */
const SHARED_BUFFERS = '512MB';
/** PostgreSQL's sessions running a statement, besides the one asking. */
const BUSY = `SELECT count(*) FROM pg_stat_activity
  WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const prefixes = (words: string[]) =>
  words.flatMap((word) => Array.from({ length: word.length - 2 }, (_, i) => word.slice(0, 3 + i).toLowerCase()));
const TYPED = prefixes([...WORDS, ...LAST]);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * autocannon's options with one URL or several: autocannon shares the connections between the URLs in turn (its
 * README; the published types know only one).
 */
type Load = Omit<autocannon.Options, 'url'> & { url: string | string[] };

function cannon(options: Load, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      { duration: seconds, connections: CONNECTIONS, timeout: 300, ...options } as autocannon.Options,
      (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    ),
  );
}

/** CPU ticks (user + system) of a process so far; with `reaped`, also those of its children it has waited for. */
function ticks(pid: number, reaped = false): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // After "pid (comm) ": state ppid … utime is field 14 of the line, index 11 here; stime 12, cutime 13, cstime 14.
    return Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
  } catch {
    return 0;
  }
}

/** The children of `parent` now (PostgreSQL's backends and its background processes). */
function children(parent: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === parent) found.push(Number(entry));
    } catch {
      // Ended while listed.
    }
  }
  return found;
}

interface CpuSample {
  at: number;
  servers: number[];
  postgres: number;
  generator: number;
}

/**
 * CPU use of the processes in play: each server, PostgreSQL (the postmaster, with the time of its children that
 * ended, plus every live child), this process (autocannon: the load generator). Seconds of CPU per second of wall
 * time, as a percentage of one core (the machine has os.cpus().length × 100 %).
 */
class CpuMeter {
  constructor(
    private servers: ChildServer[],
    private postmaster: number | null,
  ) {}
  sample(): CpuSample {
    const postgres = this.postmaster
      ? ticks(this.postmaster, true) + children(this.postmaster).reduce((sum, pid) => sum + ticks(pid), 0)
      : 0;
    const own = process.cpuUsage();
    return {
      at: performance.now(),
      servers: this.servers.map((s) => ticks(s.child.pid!)),
      postgres,
      generator: ((own.user + own.system) / 1e6) * CLOCK_TICKS,
    };
  }
}

interface CpuShare {
  servers: number[];
  postgres: number;
  generator: number;
}

function addShare(total: CpuShare & { seconds: number }, before: CpuSample, after: CpuSample) {
  total.seconds += (after.at - before.at) / 1000;
  after.servers.forEach((t, i) => (total.servers[i] = (total.servers[i] ?? 0) + (t - before.servers[i])));
  total.postgres += after.postgres - before.postgres;
  total.generator += after.generator - before.generator;
}

interface Row {
  scenario: string;
  connections: number;
  requests: number;
  rps: number;
  baselineRps: number;
  ratios: number[];
  p50: number;
  p99: number;
  p99s: number[];
  max: number;
  non2xx: number;
  /** % of one core during the scenario's rounds. */
  cpu: CpuShare;
}

interface Config {
  name: string;
  env: Record<string, string>;
  instances: number;
  /** The first column of a query's rows, as text, in the configuration's database. */
  values: (sql: string) => Promise<string[]>;
}

interface Scenario {
  name: string;
  options: (urls: string[]) => Load;
  /** After each run of it (warm-up and rounds), once the servers have settled. */
  between?: () => Promise<void>;
  /** What must hold once it has run (a write's answers against the rows it left). */
  after?: () => Promise<string>;
}

async function main() {
  const { values } = parseArgs({ options: { db: { type: 'string', default: '/tmp/firm-100k.db' } } });
  const source = path.resolve(values.db);
  const began = Date.now();
  const log = (line: string) => process.stderr.write(`[${((Date.now() - began) / 1000).toFixed(0)} s] ${line}\n`);

  // The firm, copied (the run writes), with the personas' tokens issued before PostgreSQL gets its copy.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-pgbench-'));
  const file = path.join(dir, 'firm.db');
  {
    const db = new Database(source, { readonly: true });
    const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
    db.close();
    if (version < 31) throw new Error(`${source} is at schema version ${version}; this benchmark needs 31 or later`);
    const writable = openDatabase(source);
    writable.pragma('wal_checkpoint(TRUNCATE)');
    writable.close();
  }
  fs.copyFileSync(source, file);
  const db = openDatabase(file);
  migrate(db);
  const personas = findPersonas(db);
  const tokens = await issuePersonaTokens(db, personas);
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const data = { opportunities: count('opportunities'), activities: count('activities'), contacts: count('contacts') };
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  log(`copied ${source}; big book advisor ${personas.bigOwner.id} (${personas.bigOwner.book} opportunities)`);

  const cluster = await startTestCluster({ durable: true, settings: [`shared_buffers=${SHARED_BUFFERS}`] });
  const servers: ChildServer[] = [];
  const pool: { end: () => Promise<void> }[] = [];
  try {
    const url = await createDatabase(cluster.url, 'regarding_bench');
    const loaded = await loadFirmIntoPostgres(file, url, (line) => log(`load: ${line}`));
    const postmaster = Number(fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const pg = openPostgres(url, { max: 2 });
    pool.push(pg);
    const pgVersion = (await pg.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v;

    const sqliteValues = (sql: string) => {
      const reader = new Database(file, { readonly: true });
      try {
        return Promise.resolve(reader.prepare(sql).pluck().all().map(String));
      } finally {
        reader.close();
      }
    };
    const pgValues = async (sql: string) =>
      (await pg.query<Record<string, unknown>>(sql)).rows.map((row) => String(Object.values(row)[0]));
    const common = { TLS: 'off', DEMO_DATA: 'off', LOG_LEVEL: 'silent', RATE_LIMIT_WRITES: '100000000' };
    const configs: Config[] = [
      { name: 'SQLite, 1 instance', env: { ...common, DATABASE_FILE: file }, instances: 1, values: sqliteValues },
      { name: 'PostgreSQL, 1 instance', env: { ...common, DATABASE_URL: url }, instances: 1, values: pgValues },
      {
        name: 'PostgreSQL, 1 instance, SIGN_IN_REUSE_MS=0',
        env: { ...common, DATABASE_URL: url, SIGN_IN_REUSE_MS: '0' },
        instances: 1,
        values: pgValues,
      },
      { name: 'PostgreSQL, 2 instances', env: { ...common, DATABASE_URL: url }, instances: 2, values: pgValues },
    ].filter((config) => !process.env.BENCH_CONFIGS || new RegExp(process.env.BENCH_CONFIGS).test(config.name));

    const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    let n = 0;
    const ids = personas.openOpportunityIds;
    if (ids.length < 400) throw new Error(`the big book has ${ids.length} open opportunities; the run needs 400`);
    // Set Regarding links to the first ones; edits change the last 100 (an edit's If-Match is not moved by a link).
    const regardingIds = ids.slice(0, ids.length - 100);
    const editIds = ids.slice(ids.length - 100);
    const contactIds = (() => {
      const reader = new Database(file, { readonly: true });
      const found = reader.prepare('SELECT id FROM contacts ORDER BY id LIMIT 500').pluck().all() as number[];
      reader.close();
      return found;
    })();

    const results: { config: Config; rows: Row[]; checks: string[]; baselineRps: number }[] = [];
    for (const config of configs) {
      log(`${config.name}: starting`);
      const tag = config.name.replace(/\W+/g, '-').toLowerCase();
      const started: ChildServer[] = [];
      for (let i = 0; i < config.instances; i++) {
        const server = await startChildServer(config.env, 15 * 60_000);
        started.push(server);
        servers.push(server);
      }
      const urls = started.map((s) => s.url);
      const meter = new CpuMeter(started, config.env.DATABASE_URL ? postmaster : null);
      // Settled: each server answers /healthz at once, and (on PostgreSQL) no statement of theirs is still running — a
      // request autocannon gave up on at a round's end may still run in PostgreSQL after the server has moved on.
      const settle = async () => {
        for (const server of started)
          for (;;) {
            const t = Date.now();
            await fetch(`${server.url}/healthz`);
            if (Date.now() - t < SETTLED_MS) break;
          }
        if (config.env.DATABASE_URL)
          while (Number((await pgValues(BUSY))[0]) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      };
      const baseline: Load = { url: urls.map((u) => `${u}/api/v1/auth/config`) };
      const get =
        (token: string, next: (i: number) => string) =>
        (targets: string[]): Load => ({
          url: targets,
          headers: as(token),
          requests: [{ setupRequest: (req: autocannon.Request) => ({ ...req, path: `/api/v1/${next(n++)}` }) }],
        });

      // Edits: each connection takes an opportunity nobody else is editing, sends its version as If-Match and
      // puts it back with the version the answer gives, so no edit conflicts and every 200 is one more version. An
      // edit cut off unanswered at a round's end may have landed or not: its opportunity is read again before reuse.
      const detailOf = async (base: string, id: number) =>
        (
          (await (await fetch(`${base}/api/v1/opportunities/${id}`, { headers: as(tokens.bigOwner) })).json()) as {
            opportunity: { version: number };
          }
        ).opportunity;
      const versions = new Map<number, number>();
      for (const id of editIds) versions.set(id, (await detailOf(urls[0], id)).version);
      const startVersions = new Map(versions);
      const free = [...editIds];
      const inFlight = new Set<number>();
      const edited = new Map<number, number>();
      let cutOffEdits = 0;
      let cutOffLanded = 0;
      const editsAnswered = async () => {
        for (const id of inFlight) {
          const version = (await detailOf(urls[0], id)).version;
          cutOffEdits++;
          if (version === versions.get(id)! + 1) {
            cutOffLanded++;
            edited.set(id, (edited.get(id) ?? 0) + 1);
          } else if (version !== versions.get(id)) throw new Error(`opportunity ${id}: version ${version}?`);
          versions.set(id, version);
          free.push(id);
        }
        inFlight.clear();
      };

      /** A write scenario's requests by number: sent, and answered 2xx; checked against the rows it leaves. */
      const writeLog = () => ({ sent: new Set<number>(), ok: new Set<number>() });
      const creates = writeLog();
      const links = writeLog();
      const logged = (
        log: ReturnType<typeof writeLog>,
        build: (i: number) => { path: string; body: string },
      ): autocannon.Request[] => [
        {
          setupRequest: (req, context) => {
            const i = n++;
            (context as { i?: number }).i = i;
            log.sent.add(i);
            return { ...req, ...build(i) };
          },
          onResponse: (status, _body, context) => {
            if (status >= 200 && status < 300) log.ok.add((context as { i: number }).i);
          },
        },
      ];
      /** Answered writes all in the database, once each; any more only from requests cut off unanswered. */
      const verify = async (what: string, log: ReturnType<typeof writeLog>, sql: string, pattern: RegExp) => {
        const found = (await config.values(sql)).map((v) => Number(pattern.exec(v)?.[1] ?? NaN));
        const present = new Set(found);
        const missing = [...log.ok].filter((i) => !present.has(i)).length;
        const extra = found.filter((i) => !log.ok.has(i));
        const unsent = extra.filter((i) => !log.sent.has(i)).length;
        const twice = found.length - present.size;
        const good = !missing && !unsent && !twice;
        return `${what}: ${log.ok.size} answered 2xx, ${missing ? `**${missing} of them missing**` : 'every one in the database'}${twice ? `, **${twice} twice**` : ', once'}; ${extra.length} more rows from the ${log.sent.size - log.ok.size} requests cut off unanswered at a round's end${unsent ? ` (**${unsent} never sent**)` : ''}: ${good ? 'correct' : '**wrong**'}`;
      };

      const scenarios: Scenario[] = [
        {
          name: `type-ahead all-open, big book (${personas.bigOwner.book.toLocaleString('en')})`,
          options: get(
            tokens.bigOwner,
            (i) => `opportunities/lookup?view=all-open&limit=10&q=${TYPED[i % TYPED.length]}`,
          ),
        },
        {
          // A word no opportunity has (a typo, or a client the firm does not have yet): every typed prefix with a q.
          name: 'type-ahead all-open, a word nobody has',
          options: get(
            tokens.bigOwner,
            (i) => `opportunities/lookup?view=all-open&limit=10&q=${TYPED[i % TYPED.length]}q`,
          ),
        },
        {
          name: 'type-ahead my-open, big book',
          options: get(
            tokens.bigOwner,
            (i) => `opportunities/lookup?view=my-open&limit=10&q=${TYPED[i % TYPED.length]}`,
          ),
        },
        {
          name: 'type-ahead closed, big book',
          options: get(
            tokens.bigOwner,
            (i) => `opportunities/lookup?view=closed&limit=10&q=${TYPED[i % TYPED.length]}`,
          ),
        },
        {
          name: 'opportunities list, big book (my-open and all-open, pages 1–4 of 25)',
          options: get(
            tokens.bigOwner,
            (i) => `opportunities?view=${i % 2 ? 'all-open' : 'my-open'}&limit=25&offset=${((i >> 1) % 4) * 25}`,
          ),
        },
        { name: 'needs attention, big book', options: get(tokens.bigOwner, () => 'work/needs-attention') },
        {
          name: 'edit (PATCH /opportunities/:id, If-Match)',
          options: (targets) => ({
            url: targets,
            method: 'PATCH',
            headers: as(tokens.bigOwner),
            requests: [
              {
                setupRequest: (req, context) => {
                  const id = free.shift();
                  if (id === undefined) throw new Error('no opportunity left to edit');
                  (context as { id?: number }).id = id;
                  inFlight.add(id);
                  return {
                    ...req,
                    path: `/api/v1/opportunities/${id}`,
                    headers: { ...as(tokens.bigOwner), 'if-match': `"${versions.get(id)}"` },
                    body: JSON.stringify({ estimatedValue: 1000 + (n++ % 9000) }),
                  };
                },
                onResponse: (status, body, context) => {
                  const id = (context as { id: number }).id;
                  inFlight.delete(id);
                  if (status === 200) {
                    versions.set(id, (JSON.parse(body) as { version: number }).version);
                    edited.set(id, (edited.get(id) ?? 0) + 1);
                  }
                  free.push(id);
                },
              },
            ],
          }),
          between: editsAnswered,
          after: async () => {
            // Every edit answered 200 is one version more, read back through each instance.
            const wrong: string[] = [];
            for (const [k, target] of urls.entries())
              for (const id of editIds) {
                const version = (await detailOf(target, id)).version;
                const expected = startVersions.get(id)! + (edited.get(id) ?? 0);
                if (version !== expected) wrong.push(`${id} via ${k}: ${version} ≠ ${expected}`);
              }
            const total = [...edited.values()].reduce((a, b) => a + b, 0);
            return `edits: ${total - cutOffLanded} answered 200 (and ${cutOffLanded} of ${cutOffEdits} cut off unanswered at a round's end landed) on ${editIds.length} opportunities; the version of each, read through ${urls.length === 1 ? 'the instance' : 'each instance'}, is its first plus those: ${wrong.length ? `**no** (${wrong.slice(0, 3).join('; ')})` : 'yes, no update lost'}`;
          },
        },
        {
          name: 'create (POST /opportunities, an existing contact)',
          options: (targets) => ({
            url: targets,
            method: 'POST',
            headers: as(tokens.bigOwner),
            requests: logged(creates, (i) => ({
              path: '/api/v1/opportunities',
              body: JSON.stringify({
                topic: `Pgbench ${tag} ${i}`,
                customer: { contactId: contactIds[i % contactIds.length] },
              }),
            })),
          }),
          after: () =>
            verify(
              'creates',
              creates,
              `SELECT topic AS v FROM opportunities WHERE topic LIKE 'Pgbench ${tag} %'`,
              / (\d+)$/,
            ),
        },
        {
          name: `set regarding, ${WRITERS} connections (POST /activities/regarding, new email each)`,
          options: (targets) => ({
            url: targets,
            method: 'POST',
            connections: WRITERS,
            headers: as(tokens.bigOwner),
            requests: logged(links, (i) => ({
              path: '/api/v1/activities/regarding',
              body: JSON.stringify({
                opportunityId: regardingIds[i % regardingIds.length],
                item: {
                  kind: 'email',
                  internetMessageId: `<pgbench-${tag}-${i}@mail.example>`,
                  subject: 'Bench',
                  participants: [{ email: 'client@example.org', role: 'from' }],
                },
              }),
            })),
          }),
          after: () =>
            verify(
              'set regarding',
              links,
              `SELECT internet_message_id AS v FROM activities WHERE internet_message_id LIKE '<pgbench-${tag}-%'`,
              /-(\d+)@/,
            ),
        },
      ];

      const rows: Row[] = [];
      const checks: string[] = [];
      const baselineRuns: autocannon.Result[] = [];
      await cannon(baseline, WARM_UP_SECONDS);
      const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
      for (const scenario of scenarios.filter((s) => !only || only.test(s.name))) {
        log(`${config.name}: ${scenario.name}`);
        const options = scenario.options(urls);
        let name = scenario.name;
        let seconds = ROUND_SECONDS;
        // An endpoint slower than a second a request is measured with one connection per instance in longer rounds
        // (marked †), as bench/service.ts does: ten in flight would leave minutes of work after each round.
        if (!options.method) {
          const path = (options.requests![0].setupRequest as (r: object) => { path: string })({}).path;
          let took = Infinity;
          for (let k = 0; k < 2; k++) {
            const t = Date.now();
            await (await fetch(`${urls[k % urls.length]}${path}`, { headers: as(tokens.bigOwner) })).arrayBuffer();
            took = Math.min(took, Date.now() - t);
          }
          if (took > 1000) {
            options.connections = urls.length;
            seconds = Math.min(15, Math.max(ROUND_SECONDS, Math.ceil((1.5 * took) / 1000)));
            name = `${name} † (one request: ${took} ms; ${urls.length} connection${urls.length > 1 ? 's' : ''}, rounds of ${seconds} s)`;
          }
        }
        const all: autocannon.Result[] = [await cannon(options, WARM_UP_SECONDS)];
        await settle();
        await scenario.between?.();
        const runs: autocannon.Result[] = [];
        const bases: autocannon.Result[] = [];
        const ratios: number[] = [];
        const cpu = { servers: [] as number[], postgres: 0, generator: 0, seconds: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          const base = await cannon(baseline, seconds);
          const before = meter.sample();
          const run = await cannon(options, seconds);
          addShare(cpu, before, meter.sample());
          await settle();
          await scenario.between?.();
          bases.push(base);
          runs.push(run);
          ratios.push(run.requests.total / Math.max(1, base.requests.total));
        }
        all.push(...runs);
        baselineRuns.push(...bases);
        const share = (t: number) => (100 * t) / CLOCK_TICKS / cpu.seconds;
        rows.push({
          scenario: name,
          connections: options.connections ?? CONNECTIONS,
          requests: runs.reduce((sum, r) => sum + r.requests.total, 0),
          rps: Math.round(median(runs.map((r) => r.requests.average))),
          baselineRps: Math.round(median(bases.map((r) => r.requests.average))),
          ratios,
          p50: median(runs.map((r) => r.latency.p50)),
          p99: median(runs.map((r) => r.latency.p99)),
          p99s: runs.map((r) => r.latency.p99),
          max: Math.max(...runs.map((r) => r.latency.max)),
          non2xx: runs.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
          cpu: { servers: cpu.servers.map(share), postgres: share(cpu.postgres), generator: share(cpu.generator) },
        });
        if (scenario.after) checks.push(await scenario.after());
      }
      checks.push(...(await acrossInstances(urls, tokens.bigOwner, editIds, regardingIds, contactIds, config, tag)));
      results.push({
        config,
        rows,
        checks,
        baselineRps: Math.round(median(baselineRuns.map((r) => r.requests.average))),
      });
      for (const server of started) {
        server.child.kill('SIGTERM');
        await server.exited;
        servers.splice(servers.indexOf(server), 1);
      }
    }

    // The report.
    const ratio = (r: Row) => {
      const sorted = [...r.ratios].sort((a, b) => a - b);
      return `${sorted[0].toFixed(2)} / **${median(r.ratios).toFixed(2)}** / ${sorted[sorted.length - 1].toFixed(2)}`;
    };
    const pct = (v: number) => `${Math.round(v)}`;
    const lines = [
      `Data: ${data.opportunities.toLocaleString('en')} opportunities, ${data.activities.toLocaleString('en')} activities, ${data.contacts.toLocaleString('en')} contacts (${path.basename(source)}, bench/seed-firm.ts); loaded into PostgreSQL ${pgVersion} in ${loaded.seconds.toFixed(0)} s (bench/postgres-load.ts; ${loaded.tables
        .map((t) => `${t.table} ${t.seconds.toFixed(0)} s`)
        .filter((t) => !t.endsWith(' 0 s'))
        .join(', ')}).`,
      `PostgreSQL: a throwaway cluster on this machine (scripts/test-postgres.ts), fsync, synchronous_commit and full_page_writes on, shared_buffers ${SHARED_BUFFERS}, otherwise defaults; each instance's pool ${process.env.DATABASE_POOL_SIZE ?? 10} connections. SQLite: WAL, synchronous=FULL.`,
      `Load: autocannon in this process, ${CONNECTIONS} connections (set regarding: ${WRITERS}); with 2 instances one autocannon with both URLs, connection i to instance i mod 2 (half the connections each, baseline included). ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}, load average at the start ${os.loadavg()[0].toFixed(1)}.`,
      `Each scenario: ${WARM_UP_SECONDS} s warm-up, then ${ROUNDS} rounds of ${ROUND_SECONDS} s of the baseline followed by ${ROUND_SECONDS} s of the scenario; × baseline is min / **median** / max of the rounds' ratios; latencies are medians over the rounds. CPU: % of one core during the scenario's rounds (the machine has ${os.cpus().length * 100} %), from /proc: each server process, PostgreSQL (postmaster and all its processes), and this process (autocannon).`,
      '',
      '| scenario | ' + results.map((r) => `${r.config.name}: × baseline, p99 ms`).join(' | ') + ' |',
      '| --- |' + results.map(() => ' ---: |').join(''),
      `| baseline req/s (static JSON) | ${results.map((r) => `${r.baselineRps}`).join(' | ')} |`,
      ...results[0].rows.map(
        (row, i) =>
          `| ${row.scenario} | ${results
            .map((r) => `**${median(r.rows[i].ratios).toFixed(2)}**, ${r.rows[i].p99}`)
            .join(' | ')} |`,
      ),
    ];
    for (const r of results) {
      lines.push(
        '',
        `#### ${r.config.name}`,
        '',
        `| scenario | conn. | req/s | baseline req/s | × baseline (min / median / max) | p50 ms | p99 ms (rounds) | max ms | non-2xx | CPU %: ${r.config.instances > 1 ? 'servers' : 'server'} | PostgreSQL | autocannon |`,
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...r.rows.map(
          (row) =>
            `| ${row.scenario} | ${row.connections} | ${row.rps} | ${row.baselineRps} | ${ratio(row)} | ${row.p50} | ${row.p99} (${row.p99s.join(', ')}) | ${row.max} | ${row.non2xx} | ${row.cpu.servers.map(pct).join(' + ')} | ${r.config.env.DATABASE_URL ? pct(row.cpu.postgres) : '–'} | ${pct(row.cpu.generator)} |`,
        ),
        '',
        ...r.checks.map((check) => `- ${check}`),
      );
    }
    lines.push('', `Whole run: ${((Date.now() - began) / 60_000).toFixed(1)} minutes.`);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    for (const p of pool) await p.end();
    stopTestCluster(cluster.dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What must hold however the requests are shared between instances, each tried through the first and the last
 * instance (the same one when there is one): a change read back at once through the other; two edits with the same
 * If-Match at once, one through each, of which exactly one wins; one item linked twice at once, one activity; one
 * Idempotency-Key sent twice at once, one opportunity.
 */
async function acrossInstances(
  urls: string[],
  token: string,
  editIds: number[],
  regardingIds: number[],
  contactIds: number[],
  config: Config,
  tag: string,
): Promise<string[]> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const [a, b] = [urls[0], urls[urls.length - 1]];
  const TRIES = 20;
  const detail = async (base: string, id: number) =>
    (
      (await (await fetch(`${base}/api/v1/opportunities/${id}`, { headers })).json()) as {
        opportunity: { version: number; estimatedValue: number | null };
      }
    ).opportunity;
  const patch = (base: string, id: number, version: number, value: number) =>
    fetch(`${base}/api/v1/opportunities/${id}`, {
      method: 'PATCH',
      headers: { ...headers, 'if-match': `"${version}"` },
      body: JSON.stringify({ estimatedValue: value }),
    });

  let seen = 0;
  let oneWinner = 0;
  const losers = new Map<number, number>();
  for (let t = 0; t < TRIES; t++) {
    const id = editIds[t];
    const value = 50_000 + t;
    const start = await detail(a, id);
    const answer = await patch(a, id, start.version, value);
    await answer.arrayBuffer();
    const read = await detail(b, id);
    if (answer.status === 200 && read.version === start.version + 1 && read.estimatedValue === value) seen++;
    const [x, y] = await Promise.all([patch(a, id, read.version, value + 1), patch(b, id, read.version, value + 2)]);
    await Promise.all([x.arrayBuffer(), y.arrayBuffer()]);
    const statuses = [x.status, y.status];
    const loser = statuses.find((s) => s !== 200);
    if (loser) losers.set(loser, (losers.get(loser) ?? 0) + 1);
    const after = await detail(b, id);
    if (statuses.filter((s) => s === 200).length === 1 && after.version === read.version + 1) oneWinner++;
  }

  let oneRow = 0;
  let linkedOk = 0;
  for (let t = 0; t < TRIES; t++) {
    const messageId = `<pgbench-twice-${tag}-${t}@mail.example>`;
    const body = JSON.stringify({
      opportunityId: regardingIds[t],
      item: {
        kind: 'email',
        internetMessageId: messageId,
        subject: 'Twice',
        participants: [{ email: 'client@example.org', role: 'from' }],
      },
    });
    const answers = await Promise.all(
      [a, b].map((base) => fetch(`${base}/api/v1/activities/regarding`, { method: 'POST', headers, body })),
    );
    await Promise.all(answers.map((r) => r.arrayBuffer()));
    if (answers.every((r) => r.ok)) linkedOk++;
    const rows = Number(
      (await config.values(`SELECT count(*) AS n FROM activities WHERE internet_message_id = '${messageId}'`))[0],
    );
    if (rows === 1) oneRow++;
  }

  let oneOpportunity = 0;
  for (let t = 0; t < TRIES; t++) {
    const key = `pgbench-${tag}-${t}`;
    const body = JSON.stringify({ topic: `Pgbench key ${key}`, customer: { contactId: contactIds[t] } });
    const answers = await Promise.all(
      [a, b].map((base) =>
        fetch(`${base}/api/v1/opportunities`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': key },
          body,
        }),
      ),
    );
    const ids = await Promise.all(
      answers.map(async (r) => (r.ok ? ((await r.json()) as { opportunity: { id: number } }).opportunity.id : -1)),
    );
    const rows = Number(
      (await config.values(`SELECT count(*) AS n FROM opportunities WHERE topic = 'Pgbench key ${key}'`))[0],
    );
    if (ids[0] > 0 && ids[0] === ids[1] && rows === 1) oneOpportunity++;
  }
  const through = urls.length > 1 ? 'through the other instance' : 'through the same instance';
  return [
    `an edit read back at once ${through}: ${seen} of ${TRIES}`,
    `two edits with the same If-Match at once${urls.length > 1 ? ', one through each instance' : ''}: exactly one 200 and one more version in ${oneWinner} of ${TRIES} (the other answered ${[...losers].map(([s, k]) => `${s} × ${k}`).join(', ') || 'nothing else'})`,
    `one email linked twice at once${urls.length > 1 ? ', once through each instance' : ''}: both answered 2xx in ${linkedOk} of ${TRIES}, one activity in ${oneRow} of ${TRIES}`,
    `one Idempotency-Key sent twice at once${urls.length > 1 ? ', once through each instance' : ''}: the same opportunity and one row in ${oneOpportunity} of ${TRIES}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
