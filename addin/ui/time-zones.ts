/** The most zones a picker lists at once: typing narrows it. */
const SHOWN_MAX = 50;

/** Every IANA zone the browser knows, with the extra ones given (a zone already set, the browser's own), sorted. */
export function zoneList(...extra: (string | undefined)[]): string[] {
  // Older browsers lack supportedValuesOf; the extra zones are still offered.
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  const all = new Set(intl.supportedValuesOf?.('timeZone') ?? []);
  for (const zone of extra) if (zone) all.add(zone);
  return [...all].sort();
}

/** The zones whose name contains what was typed ("new york" finds America/New_York), at most SHOWN_MAX. */
export function zonesMatching(zones: string[], typed: string): string[] {
  const wanted = typed.trim().toLowerCase().replace(/\s+/g, '_');
  return zones.filter((zone) => zone.toLowerCase().includes(wanted)).slice(0, SHOWN_MAX);
}
