/** `npm run migrate`: applies pending schema migrations to the configured database. */
import { openConfiguredStorage } from './database';

const { where, applied, schemaVersion, repo } = await openConfiguredStorage();
console.log(
  applied.length
    ? `Applied ${applied.map((m) => `${m.version} (${m.name})`).join(', ')} to ${where}.`
    : `${where} is up to date.`,
);
console.log(`Schema version: ${await schemaVersion()}`);
await repo.close();
