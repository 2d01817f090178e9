import { outlookAccount, isConsumerAccount } from '../office/account';
import { capabilities } from '../office/capabilities';
import { dialogMessage } from '../office/dialog';
import { hasMailbox } from '../office/host';
import { parseDialogResult } from './dialog-result';
import { deepLinkFrom, paneLink } from '../app/deep-link';

/** What the pane says to an Outlook.com or Gmail mailbox, which cannot sign in with Microsoft. */
export const CONSUMER_ACCOUNT_MESSAGE =
  'Sign in with your work account (Microsoft 365); Outlook.com and Gmail accounts cannot sign in to Regarding; use an access token instead.';
export const NO_MICROSOFT_SIGN_IN_MESSAGE =
  'This Outlook cannot sign in with Microsoft (it has neither nested app authentication nor the Office dialog). Use an access token instead.';

/** The page the Office dialog opens for Microsoft sign-in where nested app authentication is missing (addin/auth/dialog.ts). */
export const SIGN_IN_DIALOG_PAGE = '/auth-dialog.html';

/**
 * Entra ID sign-in, as Microsoft's Outlook nested app authentication sample does it
 * (Office-Add-in-samples, Samples/auth/Outlook-Add-in-SSO-NAA; enable-nested-app-authentication-in-your-add-in.md):
 * - where Outlook supports NestedAppAuth 1.1 (checked at run time: an Outlook manifest cannot declare it), MSAL's
 *   nestable client gets a token from the account signed in to Outlook: the active account silently, else
 *   `ssoSilent` with the mailbox's address as the login hint; a pop-up only when Entra ID needs the advisor;
 * - where it is missing (classic Windows before Version 2409, older Mac builds), the Office dialog API opens our
 *   own page (SIGN_IN_DIALOG_PAGE), which runs MSAL's redirect flow and sends the token back with messageParent;
 * - an Outlook.com or Gmail mailbox gets CONSUMER_ACCOUNT_MESSAGE: NAA does not serve them and the app is for
 *   work accounts.
 * Outside Outlook (a browser tab, opened from a link in an email) there is neither nested app authentication nor the
 * Office dialog: MSAL's standard client signs in by redirecting the tab to Entra ID and back to TAB_REDIRECT_PAGE,
 * with the pane link to return to in MSAL's `state` (deep-link.ts reads it back, never follows it). Its cache is
 * the tab's sessionStorage, like a personal token in a tab (docs/SECURITY.md).
 * MSAL is loaded only when the service is configured for Entra ID, so the pane stays small otherwise.
 */
export interface MicrosoftSignIn {
  /** A token for the Regarding API, or null when none comes without asking; interactive may ask, and throws with words on a refusal. */
  token(interactive: boolean): Promise<string | null>;
  /** Sign-out: drops a token the dialog gave (Outlook's own account stays signed in to Outlook). */
  forget(): void;
  /**
   * In a browser tab, handles Entra ID's answer when the tab comes back from a redirect sign-in, and returns the
   * `state` the sign-in kept (the pane link it started from); null otherwise. Throws with words on a refusal.
   */
  finishRedirect(): Promise<string | null>;
}

/** Where Entra ID sends a browser tab back after a redirect sign-in (a SPA redirect URI: README, Entra setup). */
export const TAB_REDIRECT_PAGE = '/taskpane.html';

export interface MicrosoftConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

/** A minute's margin, so a token is not sent in its last seconds. */
const EXPIRY_MARGIN_MS = 60_000;

export function createMicrosoftSignIn(config: MicrosoftConfig): MicrosoftSignIn {
  let nested: Promise<{
    msal: typeof import('@azure/msal-browser');
    client: import('@azure/msal-browser').IPublicClientApplication;
  }> | null = null;
  const load = () =>
    (nested ??= import('@azure/msal-browser').then(async (msal) => ({
      msal,
      client: await msal.createNestablePublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority },
      }),
    })));
  let fromDialog: { token: string; expiresAt: number } | null = null;

  const redirectUri = new URL(TAB_REDIRECT_PAGE, window.location.origin).href;
  // MSAL asks for handleRedirectPromise on every load of the redirect page: it completes a sign-in coming back, and
  // clears one the advisor abandoned (else the next redirect would fail with interaction_in_progress).
  let tab: Promise<{
    client: import('@azure/msal-browser').IPublicClientApplication;
    returned: Promise<import('@azure/msal-browser').AuthenticationResult | null>;
  }> | null = null;
  const loadTab = () =>
    (tab ??= import('@azure/msal-browser').then(async (msal) => {
      const client = await msal.createStandardPublicClientApplication({
        // The link's own page is taken from `state`, not from where MSAL started: see finishRedirect.
        auth: { clientId: config.clientId, authority: config.authority, redirectUri, navigateToLoginRequestUrl: false },
        cache: { cacheLocation: 'sessionStorage' },
      });
      const returned = client.handleRedirectPromise().then((result) => {
        if (result) client.setActiveAccount(result.account);
        return result;
      });
      // Read by finishRedirect; a silent sign-in meanwhile must not fail on it.
      returned.catch(() => undefined);
      return { client, returned };
    }));

  async function tabToken(interactive: boolean): Promise<string | null> {
    const { client, returned } = await loadTab();
    await returned.catch(() => null);
    const account = client.getActiveAccount() ?? client.getAllAccounts()[0] ?? null;
    if (account) {
      try {
        const result = await client.acquireTokenSilent({ scopes: config.scopes, account });
        client.setActiveAccount(result.account);
        return result.accessToken;
      } catch {
        /* Entra ID needs the advisor: a redirect, when asked */
      }
    }
    if (!interactive) return null;
    // The link this tab was opened with, as a pane link: the tab returns to it (deep-link.ts checks it on return).
    const state = paneLink(deepLinkFrom(window.location.search));
    await client.acquireTokenRedirect({ scopes: config.scopes, redirectUri, state, account: account ?? undefined });
    // The tab is leaving for Entra ID's sign-in page: nothing more happens here.
    return new Promise<null>(() => {});
  }

  async function nestedToken(interactive: boolean): Promise<string | null> {
    const { msal, client } = await load();
    const loginHint = outlookAccount()?.email;
    const account = client.getActiveAccount() ?? (loginHint ? client.getAccount({ username: loginHint }) : null);
    try {
      const result = account
        ? await client.acquireTokenSilent({ scopes: config.scopes, account })
        : await client.ssoSilent({ scopes: config.scopes, loginHint });
      client.setActiveAccount(result.account);
      return result.accessToken;
    } catch (error) {
      // Only Entra ID's "interaction required" is worth a pop-up; anything else would fail there too.
      if (!interactive) return null;
      if (!(error instanceof msal.InteractionRequiredAuthError) && hasMailbox()) throw error;
      const result = await client.acquireTokenPopup({ scopes: config.scopes, loginHint });
      client.setActiveAccount(result.account);
      return result.accessToken;
    }
  }

  async function dialogToken(): Promise<string> {
    const hint = outlookAccount()?.email;
    const url = new URL(SIGN_IN_DIALOG_PAGE, window.location.origin);
    if (hint) url.searchParams.set('loginHint', hint);
    const result = parseDialogResult(await dialogMessage(url.href));
    if ('error' in result) throw new Error(`Microsoft sign-in did not complete (${result.error}).`);
    fromDialog = { token: result.accessToken, expiresAt: result.expiresOn ?? Date.now() + 50 * 60_000 };
    return result.accessToken;
  }

  return {
    async token(interactive) {
      if (!hasMailbox()) return tabToken(interactive);
      if (isConsumerAccount()) {
        if (interactive) throw new Error(CONSUMER_ACCOUNT_MESSAGE);
        return null;
      }
      const can = capabilities();
      if (can.nestedAppAuth) return nestedToken(interactive);
      if (fromDialog && fromDialog.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return fromDialog.token;
      fromDialog = null;
      // Without a user's click Outlook may block the dialog, and a window popping up at start-up would surprise.
      if (!interactive) return null;
      if (can.dialog) return dialogToken();
      throw new Error(NO_MICROSOFT_SIGN_IN_MESSAGE);
    },
    forget() {
      fromDialog = null;
      // In a tab, forget the account MSAL keeps for it, without signing out of Microsoft elsewhere.
      if (!hasMailbox() && tab)
        void tab.then(({ client }) => client.clearCache().catch(() => undefined)).catch(() => undefined);
    },
    async finishRedirect() {
      if (hasMailbox()) return null;
      const result = await (await loadTab()).returned;
      return result?.state ?? null;
    },
  };
}
