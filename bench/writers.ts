/**
 * Set Regarding under 50 concurrent writers, this checkout against another one (the code before a change),
 * in one run with alternating rounds: `npx tsx bench/writers.ts --before /path/to/old/checkout --db /tmp/copy.db`.
 * --db is a firm database (bench/seed-firm.ts, e.g. a copy of the service benchmark's) that the run writes to:
 * pass a copy. Both servers run at once, each its own process on loopback, on that one file (only one is loaded
 * at a time, so neither waits for the other's lock), as the big-book advisor of the service benchmark on their
 * open opportunities; autocannon keeps 50 connections each sending one write after another. A round of each is
 * also run under `strace -c` (not timed) to count the disk syncs (fdatasync/fsync) per second.
 * Without --db, a 100k database is seeded with bench/seed-volume.ts into /tmp/writes-100k.db once and copied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { findPersonas, issuePersonaTokens } from './seed-firm';
import { seedVolume } from './seed-volume';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    db: { type: 'string' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    /** A folder: each server writes a V8 CPU profile there when it stops (node --cpu-prof). */
    profile: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const HERE = path.resolve(import.meta.dirname, '..');

interface Server {
  name: string;
  url: string;
  child: ChildProcess;
}

/** The firm's big-book advisor: a token and their open opportunities. */
async function firm(file: string): Promise<{ token: string; opportunityIds: number[] }> {
  const db = openDatabase(file);
  try {
    const personas = findPersonas(db);
    const tokens = await issuePersonaTokens(db, personas);
    return { token: tokens.bigOwner, opportunityIds: personas.openOpportunityIds };
  } finally {
    db.close();
  }
}

async function seeded(file: string): Promise<{ token: string; opportunityIds: number[] }> {
  const meta = `${file}.json`;
  if (!fs.existsSync(file) || !fs.existsSync(meta)) {
    const db = openDatabase(file);
    migrate(db);
    const seed = await seedVolume(db, {
      advisors: 50,
      contacts: 20_000,
      opportunities: 100_000,
      activities: 1_000_000,
    });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    fs.writeFileSync(meta, JSON.stringify({ token: seed.token, opportunityIds: seed.openOpportunityIds }));
  }
  return JSON.parse(fs.readFileSync(meta, 'utf8')) as { token: string; opportunityIds: number[] };
}

async function start(name: string, root: string, databaseFile: string): Promise<Server> {
  // One profile per thread (the main one is the biggest), in a folder per variant.
  const profile = values.profile
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(path.resolve(values.profile), name.split(' ')[0])]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      TLS: 'off',
      DEMO_DATA: 'off',
      LOG_LEVEL: 'silent',
      DATABASE_FILE: databaseFile,
      ADDIN_DIR: path.join(root, 'dist/addin'),
      RATE_LIMIT_WRITES: '100000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Regarding is running at (https?):\/\/localhost:(\d+)/.exec(output);
      if (match) resolve(`${match[1]}://127.0.0.1:${match[2]}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output}`)));
  });
  return { name, url, child };
}

let sequence = 0;
function cannon(server: Server, token: string, opportunityIds: number[], seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(
      {
        url: server.url,
        duration: seconds,
        connections: CONNECTIONS,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => {
              const i = sequence++;
              return {
                ...req,
                path: '/api/v1/activities/regarding',
                body: JSON.stringify({
                  opportunityId: opportunityIds[i % opportunityIds.length],
                  item: {
                    kind: 'email',
                    internetMessageId: `<writers-${process.pid}-${i}@mail.example>`,
                    subject: 'Bench',
                    participants: [{ email: 'client@example.org', role: 'from' }],
                  },
                }),
              };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)),
    ),
  );
}

/** Disk syncs the server makes while a round runs (strace attached, so this round is not timed). */
async function syncsDuring(
  server: Server,
  round: () => Promise<autocannon.Result>,
): Promise<{ syncs: number; requests: number }> {
  const tracer = spawn('strace', ['-f', '-c', '-e', 'trace=fsync,fdatasync', '-p', String(server.child.pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let report = '';
  tracer.stderr.on('data', (chunk: Buffer) => (report += chunk.toString()));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = await round();
  const ended = new Promise((resolve) => tracer.on('exit', resolve));
  tracer.kill('SIGINT');
  await ended;
  const syncs = [...report.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?f(?:data)?sync$/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
  return { syncs, requests: result.requests.total };
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function main() {
  const seed = '/tmp/writes-100k.db';
  const { token, opportunityIds } = values.db ? await firm(values.db) : await seeded(seed);
  const variants: [string, string][] = [['after (this checkout)', HERE]];
  if (values.before) variants.unshift(['before', path.resolve(values.before)]);
  const servers: Server[] = [];
  const copies: string[] = [];
  for (const [name, root] of variants) {
    let file = values.db!;
    if (!values.db) {
      file = `/tmp/writers-${servers.length}-${process.pid}.db`;
      fs.copyFileSync(seed, file);
      copies.push(file);
    }
    servers.push(await start(name, root, file));
  }
  const results = new Map<string, autocannon.Result[]>(servers.map((s) => [s.name, []]));
  const cpu = new Map<string, number>(servers.map((s) => [s.name, 0]));
  try {
    for (const server of servers) await cannon(server, token, opportunityIds, 2);
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) {
        const used = cpuSeconds(server.child.pid!);
        results.get(server.name)!.push(await cannon(server, token, opportunityIds, SECONDS));
        cpu.set(server.name, cpu.get(server.name)! + cpuSeconds(server.child.pid!) - used);
      }
    }
    console.log(
      `Set Regarding, ${CONNECTIONS} concurrent writers (autocannon connections), ${ROUNDS} alternating rounds of ${SECONDS} s, ${values.db ? `firm database ${values.db}` : '100k opportunities / 1M activities (seed-volume)'}, synchronous=FULL.`,
    );
    console.log(
      '| variant | req/s (median) | p50 ms | p90 ms | p99 ms (median; min–max) | non-2xx | server CPU ms per write | syncs/s | writes per sync |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const server of servers) {
      const runs = results.get(server.name)!;
      const traced = await syncsDuring(server, () => cannon(server, token, opportunityIds, SECONDS));
      const p99s = runs.map((r) => r.latency.p99);
      console.log(
        `| ${server.name} | ${Math.round(median(runs.map((r) => r.requests.average)))} | ${median(runs.map((r) => r.latency.p50))} | ${median(runs.map((r) => r.latency.p90))} | ${median(p99s)} (${Math.min(...p99s)}–${Math.max(...p99s)}) | ${runs.reduce((sum, r) => sum + r.non2xx + r.errors, 0)} | ${((cpu.get(server.name)! * 1000) / runs.reduce((sum, r) => sum + r.requests.total, 0)).toFixed(2)} | ${Math.round(traced.syncs / SECONDS)} | ${(traced.requests / Math.max(1, traced.syncs)).toFixed(1)} |`,
      );
    }
  } finally {
    await Promise.all(
      servers.map((server) => {
        const exited = new Promise((resolve) => server.child.once('exit', resolve));
        server.child.kill('SIGTERM');
        return exited;
      }),
    );
    for (const copy of copies) for (const part of ['', '-wal', '-shm']) fs.rmSync(`${copy}${part}`, { force: true });
  }
}

await main();
