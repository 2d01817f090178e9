/** `npm run migrate`: applies pending schema migrations to the configured database. */
import { openConfiguredDatabase } from './database';

const { config, db, applied } = openConfiguredDatabase();
const current = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
console.log(
  applied.length
    ? `Applied ${applied.map((m) => `${m.version} (${m.name})`).join(', ')} to ${config.databaseFile}.`
    : `${config.databaseFile} is up to date.`,
);
console.log(`Schema version: ${current}`);
db.close();
