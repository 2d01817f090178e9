import type { Me } from '../../shared/schemas/advisors';
import { ApiClient, type TokenSource } from '../api/client';
import { ApiError } from '../api/errors';
import { originStorage, roaming } from '../office/mailbox';
import type { MicrosoftSignIn } from './microsoft';

const TOKEN_SETTING = 'regarding.accessToken';

export type SessionState =
  | { status: 'starting' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; me: Me; method: 'token' | 'microsoft' };

export interface AuthConfig {
  providers: ('pat' | 'oidc')[];
  oidc: { clientId: string; authority: string; scopes: string[] } | null;
}

/**
 * Moves a token an earlier version kept in the mailbox's roaming settings into the origin's storage, and
 * deletes it from roaming settings: they "shouldn't be used to store credentials or security tokens"
 * (metadata-for-an-outlook-add-in.md; other services such as Microsoft Graph can read them). The roaming copy
 * is the most recent sign-in that still used them, so it replaces a local one. It leaves roaming settings
 * even where the browser refuses storage: the token then lasts for this pane only.
 * Returns the token to use, if any.
 */
async function moveTokenOutOfRoaming(): Promise<string | null> {
  if (!roaming.has(TOKEN_SETTING)) return originStorage.get(TOKEN_SETTING);
  const token = roaming.get(TOKEN_SETTING);
  originStorage.set(TOKEN_SETTING, token);
  try {
    await roaming.set(TOKEN_SETTING, null);
  } catch {
    /* the save failed (Outlook under load, #3983): the next start tries again */
  }
  return token;
}

/**
 * Who the pane acts for. A personal access token is pasted once and kept in the add-in origin's own
 * storage (localStorage inside Outlook, this tab only outside: see `originStorage`), never in roaming
 * settings; with Entra ID configured, Microsoft sign-in (microsoft.ts) signs in with the Outlook account.
 * When the service answers 401, every waiting request pauses until the advisor signs in again,
 * then continues: nothing the advisor was doing is lost.
 */
export class Session implements TokenSource {
  private state: SessionState = { status: 'starting' };
  private listeners = new Set<() => void>();
  private signedIn: { promise: Promise<void>; resolve: () => void } | null = null;
  private accessToken: string | null = null;
  // Loaded only when the service is configured for Entra ID, so the first view stays small for token sign-in.
  private microsoft: Promise<MicrosoftSignIn | null> | null = null;
  readonly api: ApiClient;

  constructor(private readonly config: AuthConfig) {
    this.api = new ApiClient(this);
    const oidc = config.oidc;
    if (oidc)
      this.microsoft = import('./microsoft').then(
        (m) => m.createMicrosoftSignIn(oidc),
        () => null,
      );
  }

  get canUseMicrosoft(): boolean {
    return this.microsoft !== null;
  }
  /** A saved token that could not be checked because the service was unreachable at start-up. */
  get hasUncheckedToken(): boolean {
    return this.state.status === 'signed-out' && this.accessToken !== null;
  }

  get canUseToken(): boolean {
    return this.config.providers.includes('pat');
  }

  snapshot = (): SessionState => this.state;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
    if (state.status === 'signed-in') {
      this.signedIn?.resolve();
      this.signedIn = null;
    }
  }

  /**
   * In a browser tab back from Microsoft's redirect sign-in: completes it and returns the pane link it kept (MSAL's
   * `state`, unchecked: deep-link.ts reads it), or null. A refusal becomes the sign-in page's reason.
   */
  async finishRedirect(): Promise<string | null> {
    if (!this.microsoft) return null;
    try {
      return (await (await this.microsoft)?.finishRedirect()) ?? null;
    } catch (error) {
      this.redirectProblem = `Microsoft sign-in did not complete${error instanceof Error && error.message ? ` (${error.message})` : ''}. Try again, or use an access token.`;
      return null;
    }
  }
  private redirectProblem: string | undefined;

  /**
   * Signs in with the saved token, else Microsoft's silently, else asks. `check`: how the saved token is checked
   * (by default GET /me); the pane opening on an item checks it with the request that also loads the item.
   */
  async start(check?: (token: string) => Promise<Me>): Promise<void> {
    const saved = await moveTokenOutOfRoaming();
    if (saved && (await this.tryToken(saved, false, check))) return;
    if (this.microsoft && (await this.tryMicrosoft(false)) === null) return;
    this.set({ status: 'signed-out', reason: this.redirectProblem });
  }

  async token(): Promise<string | null> {
    if (this.state.status === 'signed-in' && this.state.method === 'microsoft' && this.microsoft) {
      return (await (await this.microsoft)?.token(false)) ?? null;
    }
    return this.accessToken;
  }

  reauthenticate(): Promise<void> {
    if (this.state.status !== 'signed-out')
      this.set({
        status: 'signed-out',
        reason:
          'Your sign-in has expired or was revoked. Sign in again to continue; what you were doing will carry on.',
      });
    if (!this.signedIn) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.signedIn = { promise, resolve };
    }
    return this.signedIn.promise;
  }

  /** Checks a pasted token with the service, then keeps it. Returns an error message, or null on success. */
  async signInWithToken(token: string): Promise<string | null> {
    const trimmed = token.trim();
    if (!/^rgd_[\w-]{20,}$/.test(trimmed))
      return 'That does not look like a Regarding access token (it starts with rgd_).';
    try {
      return (await this.tryToken(trimmed, true))
        ? null
        : 'That token was not accepted. Ask your administrator for a new one.';
    } catch (error) {
      return error instanceof ApiError ? error.message : 'Signing in failed.';
    }
  }

  private async tryToken(
    token: string,
    save: boolean,
    check = (token: string) => this.api.send('getMe', {}, token),
  ): Promise<boolean> {
    try {
      const me = await check(token);
      this.accessToken = token;
      if (save) originStorage.set(TOKEN_SETTING, token);
      this.set({ status: 'signed-in', me, method: 'token' });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return false;
      if (!save) {
        // The service is unreachable at start-up: keep the token and let requests report the outage.
        this.accessToken = token;
        this.set({ status: 'signed-out', reason: error instanceof Error ? error.message : undefined });
        return true;
      }
      throw error;
    }
  }

  async signInWithMicrosoft(): Promise<string | null> {
    try {
      return await this.tryMicrosoft(true);
    } catch (error) {
      return error instanceof Error ? error.message : 'Signing in with Microsoft failed.';
    }
  }

  /**
   * Signs in with a Microsoft token. Returns null when signed in, else what went wrong; without `interactive`
   * nothing is asked of the advisor and nothing throws.
   */
  private async tryMicrosoft(interactive: boolean): Promise<string | null> {
    const failed = 'Microsoft sign-in did not complete. Try again, or use an access token.';
    const microsoft = await this.microsoft;
    if (!microsoft) return failed;
    const token = interactive ? await microsoft.token(true) : await microsoft.token(false).catch(() => null);
    if (!token) return failed;
    try {
      const me = await this.api.send('getMe', {}, token);
      this.set({ status: 'signed-in', me, method: 'microsoft' });
      return null;
    } catch {
      return 'Your Microsoft account is not set up in Regarding. Ask your administrator.';
    }
  }

  signOut(): Promise<void> {
    this.accessToken = null;
    originStorage.set(TOKEN_SETTING, null);
    void this.microsoft?.then((microsoft) => microsoft?.forget());
    this.set({ status: 'signed-out' });
    return Promise.resolve();
  }

  /** After marking "New for me" as seen. */
  update(me: Me): void {
    if (this.state.status === 'signed-in') this.set({ ...this.state, me });
  }
}
