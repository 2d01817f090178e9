import fs from 'node:fs';
import path from 'node:path';

const MANIFEST_FILE = path.resolve(import.meta.dirname, '../manifest.xml');
/** The one origin manifest.xml is written for; every URL in it starts with this. */
export const MANIFEST_DEFAULT_ORIGIN = 'https://localhost:3000';

/** manifest.xml with every URL pointing at `origin` (e.g. https://regarding.example.com). */
export function manifestFor(origin: string): string {
  const url = new URL(origin);
  if (url.protocol !== 'https:') throw new Error(`Outlook loads add-ins over HTTPS only; ${origin} is not https.`);
  return fs.readFileSync(MANIFEST_FILE, 'utf8').replaceAll(MANIFEST_DEFAULT_ORIGIN, url.origin);
}
