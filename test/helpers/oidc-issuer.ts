import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const TENANT = '0b7c5a1e-4f2d-4c3b-9a8e-1d2c3b4a5f60';
/** Another Entra ID tenant: a firm's second tenant, or anyone's. */
export const OTHER_TENANT = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
/** Entra ID names each token's own tenant in its issuer. */
export const issuerOf = (tid: string) => `https://login.microsoftonline.test/${tid}/v2.0`;
export const ISSUER = issuerOf(TENANT);
export const AUDIENCE = 'api://regarding-test';

/**
 * A stand-in identity provider: serves its JWKS on loopback and signs tokens like Entra ID would, with
 * the issuer of the `tid` claim's tenant (of TENANT without one) unless told otherwise.
 */
export async function startOidcIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = http.createServer((req, res) => {
    if (req.url === '/keys') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;

  const sign = (
    claims: JWTPayload,
    options: { issuer?: string; audience?: string; expiresIn?: string | number; foreignKey?: boolean } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(options.issuer ?? issuerOf(typeof claims.tid === 'string' ? claims.tid : TENANT))
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(options.expiresIn ?? '1h')
      .sign(options.foreignKey ? stranger.privateKey : privateKey);

  return {
    jwksUri,
    sign,
    env: { AUTH_PROVIDERS: 'pat,oidc', OIDC_ISSUER: ISSUER, OIDC_AUDIENCE: AUDIENCE, OIDC_JWKS_URI: jwksUri },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
