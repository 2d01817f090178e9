import { outlookAccount, isConsumerAccount } from '../office/account';
import { capabilities } from '../office/capabilities';
import { dialogMessage } from '../office/dialog';
import { hasMailbox } from '../office/host';
import { parseDialogResult } from './dialog-result';

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
 * Outside Outlook (a browser tab) the nestable client is MSAL's standard one, with its pop-up.
 * MSAL is loaded only when the service is configured for Entra ID, so the pane stays small otherwise.
 */
export interface MicrosoftSignIn {
  /** A token for the Regarding API, or null when none comes without asking; interactive may ask, and throws with words on a refusal. */
  token(interactive: boolean): Promise<string | null>;
  /** Sign-out: drops a token the dialog gave (Outlook's own account stays signed in to Outlook). */
  forget(): void;
}

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
      if (!hasMailbox()) return nestedToken(interactive);
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
    },
  };
}
