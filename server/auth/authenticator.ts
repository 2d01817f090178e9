import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { UnauthorizedError } from '../errors';
import type { AdvisorRecord, Repository } from '../repository/repository';
import { hashAccessToken, looksLikeAccessToken } from './access-tokens';

type Jwks = ReturnType<typeof createRemoteJWKSet>;

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Turns a bearer token into the advisor it belongs to, with the providers the configuration enables:
 * personal access tokens (`rgd_...`, stored hashed, revocable) and OIDC JWTs (Microsoft Entra ID:
 * issuer, audience and signature checked against the issuer's JWKS). An inactive advisor is refused.
 */
export class Authenticator {
  private jwks: Promise<Jwks> | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly auth: Config['auth'],
    private readonly clock: Clock,
  ) {}

  async authenticate(authorization: string | undefined): Promise<AdvisorRecord> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('Send an Authorization: Bearer token.');
    const token = match[1];
    const advisor =
      looksLikeAccessToken(token) && this.auth.providers.includes('pat')
        ? await this.fromAccessToken(token)
        : this.auth.providers.includes('oidc') && token.split('.').length === 3
          ? await this.fromJwt(token)
          : null;
    if (!advisor) throw new UnauthorizedError('The token is not valid.');
    if (!advisor.active) throw new UnauthorizedError('This advisor account is deactivated.');
    return advisor;
  }

  private async fromAccessToken(token: string): Promise<AdvisorRecord | null> {
    const record = await this.repo.tokens.findByHash(hashAccessToken(token));
    const now = this.clock.now();
    if (!record || record.revokedAt) return null;
    if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return null;
    if (!record.lastUsedAt || now.getTime() - Date.parse(record.lastUsedAt) > TOUCH_INTERVAL_MS) {
      await this.repo.tokens.touch(record.id, now.toISOString());
    }
    return record.advisor;
  }

  private keySet(): Promise<Jwks> {
    const oidc = this.auth.oidc!;
    this.jwks ??= (async () => {
      let uri = oidc.jwksUri;
      if (!uri) {
        const response = await fetch(`${oidc.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
        if (!response.ok) throw new Error(`OIDC discovery failed: ${response.status}`);
        uri = ((await response.json()) as { jwks_uri: string }).jwks_uri;
      }
      return createRemoteJWKSet(new URL(uri));
    })().catch((error) => {
      this.jwks = undefined; // try discovery again on the next request
      throw error;
    });
    return this.jwks;
  }

  private async fromJwt(token: string): Promise<AdvisorRecord | null> {
    const oidc = this.auth.oidc!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: oidc.issuer,
        audience: oidc.audience,
        currentDate: this.clock.now(),
        clockTolerance: 60,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
    const oid = typeof payload.oid === 'string' ? payload.oid : null;
    if (oid) {
      const byOid = await this.repo.advisors.findByEntraOid(oid);
      if (byOid) return byOid;
    }
    const email = [payload.preferred_username, payload.email, payload.upn].find(
      (value): value is string => typeof value === 'string',
    );
    if (!email) return null;
    const byEmail = await this.repo.advisors.findByEmail(email.toLowerCase());
    if (byEmail && oid && byEmail.entraOid === null) await this.repo.advisors.setEntraOid(byEmail.id, oid);
    return byEmail && (byEmail.entraOid === null || byEmail.entraOid === oid) ? byEmail : null;
  }
}
