/** What the sign-in dialog page (dialog.ts) sends the pane with messageParent: a token, or why there is none. */
export type DialogResult = { accessToken: string; expiresOn?: number } | { error: string };

/** Reads a dialog message; anything that is not one of ours counts as an error, never as a token. */
export function parseDialogResult(message: string): DialogResult {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value.accessToken === 'string' && value.accessToken)
      return {
        accessToken: value.accessToken,
        expiresOn: typeof value.expiresOn === 'number' ? value.expiresOn : undefined,
      };
    if (typeof value.error === 'string') return { error: value.error };
  } catch {
    /* not JSON: below */
  }
  return { error: 'unreadable_answer' };
}
