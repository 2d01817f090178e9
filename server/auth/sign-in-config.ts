import type { Config } from '../config';

/** How the pane may sign in: what GET /api/v1/auth/config answers, and what taskpane.html carries inline. */
export interface SignInConfig {
  providers: Config['auth']['providers'];
  oidc: { clientId: string; authority: string; scopes: string[] } | null;
}

export function signInConfig(config: Config): SignInConfig {
  return {
    providers: config.auth.providers,
    oidc: config.auth.oidc?.clientId
      ? {
          clientId: config.auth.oidc.clientId,
          authority: config.auth.oidc.issuer.replace(/\/v2\.0\/?$/, ''),
          scopes: config.auth.oidc.scopes,
        }
      : null,
  };
}
