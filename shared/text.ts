/** How the server and the pane read people's text beyond what a trim does (no zod here, as in constants.ts). */

// Spaces, zero-width and other format characters, control characters, marks with nothing to sit on, and the
// fillers and blanks that are letters or symbols to Unicode but print nothing.
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{M}\u115f\u1160\u3164\uffa0\u2800]/gu;

/** Whether the text shows anything: "\u200b" or "\u00a0\u200b" does not. */
export function hasVisibleCharacter(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}

/**
 * The form two names are compared in, case-insensitively beyond ASCII and whatever their Unicode form:
 * "Réunion", "RÉUNION" and "Re\u0301union" are the same name, "Straße" and "STRASSE" too.
 */
export function caselessName(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFC');
}

/** Text without its NUL characters (U+0000): what a malformed message's subject or name has, and no field means. */
export function dropNul(text: string): string {
  return text.replaceAll('\u0000', '');
}
