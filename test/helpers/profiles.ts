import { PROFILE_NAMES, PROFILES, type ProfileName, type Surface } from '../office-simulator/profiles';

export { PROFILE_NAMES, PROFILES, type ProfileName, type Surface };

/** The simulated clients on which every one of `surfaces` exists (mobile: read email only). */
export function profilesWith(surfaces: Surface[]): ProfileName[] {
  return PROFILE_NAMES.filter((name) => surfaces.every((surface) => PROFILES[name].surfaces.includes(surface)));
}

/**
 * Defines a scenario once per simulated Outlook client where all its surfaces exist, e.g.
 * `forEachProfile(['read-email'], (profile) => it(`links a received email (${profile})`, ...))`.
 * Pass the profile on to `openPane(context, url, { ...setup, profile })`.
 */
export function forEachProfile(surfaces: Surface[], define: (profile: ProfileName) => void): void {
  for (const profile of profilesWith(surfaces)) define(profile);
}
