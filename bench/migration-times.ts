/**
 * Times each migration on a database seeded as release 1 left it (bench/seed-volume.ts at schema version 1):
 * `npx tsx bench/migration-times.ts --size 100k|1m [--file /tmp/x.db] [--activities N]` (10 per opportunity by
 * default). The seeded file is kept and copied, so a second run skips the seeding.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { migrations } from '../server/db/migrations';
import { seedVolume } from './seed-volume';

const { values } = parseArgs({
  options: { size: { type: 'string', default: '100k' }, file: { type: 'string' }, activities: { type: 'string' } },
});
const opportunities = values.size === '1m' ? 1_000_000 : values.size === '10k' ? 10_000 : 100_000;
const seeded = values.file ?? `/tmp/writes-${values.size}-v1.db`;

if (!fs.existsSync(seeded)) {
  const db = openDatabase(seeded);
  migrate(db, { to: 1 });
  const started = performance.now();
  // The token the seed issues needs a later schema: the rows are committed before it fails.
  await seedVolume(db, {
    advisors: 50,
    contacts: opportunities / 5,
    opportunities,
    activities: values.activities === undefined ? opportunities * 10 : Number(values.activities),
  }).catch(() => undefined);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  process.stderr.write(`seeded ${seeded} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const work = `${seeded}.migrating`;
fs.copyFileSync(seeded, work);
const db = openDatabase(work);
for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
  const started = performance.now();
  const { applied } = migrate(db, { to: migration.version });
  const seconds = (performance.now() - started) / 1000;
  if (applied.length) {
    const per100k = (seconds * 100_000) / opportunities;
    console.log(
      `${String(migration.version).padStart(3, '0')} ${migration.name}: ${seconds.toFixed(2)} s (${per100k.toFixed(2)} s per 100k opportunities)`,
    );
  }
}
db.close();
for (const part of ['', '-wal', '-shm']) fs.rmSync(work + part, { force: true });
