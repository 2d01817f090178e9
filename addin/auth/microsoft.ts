/**
 * Entra ID sign-in through nested app authentication (NAA): the add-in gets a token for the
 * Regarding API from the account already signed in to Outlook. MSAL is loaded only when the
 * service is configured for it, so the pane stays small otherwise.
 */
export interface MicrosoftSignIn {
  token(interactive: boolean): Promise<string | null>;
}

export function createMicrosoftSignIn(config: {
  clientId: string;
  authority: string;
  scopes: string[];
}): MicrosoftSignIn {
  let app: Promise<import('@azure/msal-browser').IPublicClientApplication> | null = null;
  const load = () =>
    (app ??= import('@azure/msal-browser').then(({ createNestablePublicClientApplication }) =>
      createNestablePublicClientApplication({ auth: { clientId: config.clientId, authority: config.authority } }),
    ));
  return {
    async token(interactive) {
      const client = await load();
      const request = { scopes: config.scopes };
      try {
        return (await client.acquireTokenSilent(request)).accessToken;
      } catch (error) {
        if (!interactive) return null;
        return (await client.acquireTokenPopup(request)).accessToken;
      }
    },
  };
}
