/**
 * The sign-in page the Office dialog opens where nested app authentication is missing (microsoft.ts), as
 * Microsoft's sample's fallback dialog does (Office-Add-in-samples, Outlook-Add-in-SSO-NAA,
 * src/taskpane/fallback/fallbackauthdialog.ts): MSAL's standard client runs the redirect flow in the dialog
 * (login.microsoftonline.com), then the token goes back to the pane with messageParent. Register this page's
 * address as a single-page application redirect URI (README, "Sign-in: Microsoft Entra ID").
 */
import { createStandardPublicClientApplication, type AuthenticationResult } from '@azure/msal-browser';
import type { AuthConfig } from './session';
import type { DialogResult } from './dialog-result';

async function tell(result: DialogResult): Promise<void> {
  await Office.onReady();
  Office.context.ui.messageParent(JSON.stringify(result));
}

const answer = (result: AuthenticationResult) =>
  tell({ accessToken: result.accessToken, expiresOn: result.expiresOn?.getTime() });

async function signIn(): Promise<void> {
  const config = (await (await fetch('/api/v1/auth/config')).json()) as AuthConfig;
  if (!config.oidc) return tell({ error: 'not_configured' });
  const { clientId, authority, scopes } = config.oidc;
  const redirectUri = new URL(window.location.pathname, window.location.origin).href;
  const client = await createStandardPublicClientApplication({
    auth: { clientId, authority, redirectUri },
    cache: { cacheLocation: 'localStorage' },
  });
  const returned = await client.handleRedirectPromise();
  if (returned) {
    client.setActiveAccount(returned.account);
    return answer(returned);
  }
  const account = client.getActiveAccount();
  if (account) {
    try {
      return await answer(await client.acquireTokenSilent({ scopes, account }));
    } catch {
      /* Entra ID needs the advisor: the redirect below */
    }
  }
  const loginHint = new URLSearchParams(window.location.search).get('loginHint') ?? undefined;
  await client.acquireTokenRedirect({ scopes, loginHint, redirectUri });
}

signIn().catch((error: unknown) =>
  tell({ error: error instanceof Error ? error.name || 'sign_in_failed' : 'sign_in_failed' }),
);
