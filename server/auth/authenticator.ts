import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { UnauthorizedError } from '../errors';
import type { AdvisorRecord, ChangeStamp, EntraBinding, EntraIdentity, Repository } from '../repository/repository';
import { hashAccessToken, looksLikeAccessToken } from './access-tokens';

type Jwks = ReturnType<typeof createRemoteJWKSet>;

const TOUCH_INTERVAL_MS = 60_000;
/** The clock tolerance for a JWT's expiry and not-before, in seconds. */
const CLOCK_TOLERANCE_S = 60;
/**
 * How long a JWT's verified signature is reused at most, and how long the issuer's key set is kept (jose's
 * `cacheMaxAge`, 10 minutes by default): half of that each, so a key the issuer withdraws stops working within the
 * 10 minutes it did without the reuse (a token checked against keys fetched just before the withdrawal is reused for
 * at most the other half).
 */
const VERIFIED_MAX_MS = 5 * 60_000;
const KEY_SET_MAX_AGE_MS = 5 * 60_000;
/** Verified tokens kept at most (the oldest goes first): each is one signed-in client's current token. */
const VERIFIED_MAX_ENTRIES = 10_000;

/**
 * Turns a bearer token into the advisor it belongs to, with the providers the configuration enables:
 * personal access tokens (`rgd_...`, stored hashed, revocable) and OIDC JWTs (Microsoft Entra ID:
 * tenant, issuer, audience and signature checked against the issuer's JWKS). An inactive advisor is refused.
 */
export class Authenticator {
  private jwks: Promise<Jwks> | undefined;
  /**
   * The claims of JWTs whose signature, issuer and audience were verified, keyed by the exact token string, until
   * it expires (with the tolerance) or VERIFIED_MAX_MS has passed. Only the signature check is reused: every request
   * still reads its advisor, so a deactivation or a role change applies at once. A refused token is never kept.
   */
  private readonly verified = new Map<string, { payload: JWTPayload; at: number; until: number }>();

  constructor(
    private readonly repo: Repository,
    private readonly auth: Config['auth'],
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  /**
   * `tokenHash`: the bearer token's SHA-256 when the caller has it already (the sign-in guard worked it out).
   * `stamp`: the request's change stamp, read by the guard just before: the token found earlier is reused only while
   * nothing was written since (see Repository.changeStamp).
   */
  async authenticate(
    authorization: string | undefined,
    tokenHash?: string,
    stamp?: ChangeStamp,
  ): Promise<AdvisorRecord> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('Send an Authorization: Bearer token.');
    const token = match[1];
    const advisor =
      looksLikeAccessToken(token) && this.auth.providers.includes('pat')
        ? await this.fromAccessToken(token, tokenHash, stamp)
        : this.auth.providers.includes('oidc') && token.split('.').length === 3
          ? await this.fromJwt(token)
          : null;
    if (!advisor) throw new UnauthorizedError('The token is not valid.');
    if (!advisor.active) throw new UnauthorizedError('This advisor account is deactivated.');
    return advisor;
  }

  private async fromAccessToken(
    token: string,
    tokenHash = hashAccessToken(token),
    stamp?: ChangeStamp,
  ): Promise<AdvisorRecord | null> {
    const record = await this.repo.tokens.findByHash(tokenHash, stamp);
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
      return createRemoteJWKSet(new URL(uri), { cacheMaxAge: KEY_SET_MAX_AGE_MS });
    })().catch((error) => {
      this.jwks = undefined; // try discovery again on the next request
      throw error;
    });
    return this.jwks;
  }

  /**
   * An Entra ID account is its tenant and object id (`tid`, `oid`), from a tenant this service accepts
   * and with the issuer of that tenant. The first sign-in of an active, unbound advisor binds them, by
   * `preferred_username` or `upn` only: within a tenant those are the administrator's, while `email`
   * is not proof of anything. A bound advisor is never rebound by a claim.
   */
  private async fromJwt(token: string): Promise<AdvisorRecord | null> {
    const oidc = this.auth.oidc!;
    const payload = await this.verify(token);
    if (!payload) return null;
    const tid = claim(payload, 'tid')?.toLowerCase();
    const oid = claim(payload, 'oid');
    if (!tid || !oid) return null;
    // Each tenant's tokens name their own issuer: a token of one accepted tenant cannot pass as another's.
    if (oidc.tenants.find((tenant) => tenant.id === tid)?.issuer !== payload.iss) return null;
    const identity = { tid, oid };
    const bound = await this.repo.advisors.findByEntraIdentity(identity);
    if (bound) return bound;
    if (tid === oidc.issuerTenant) {
      const legacy = await this.repo.advisors.findByLegacyEntraOid(oid);
      if (legacy) return this.bind(legacy, identity, { entraTid: null, entraOid: oid });
    }
    const username = claim(payload, 'preferred_username') ?? claim(payload, 'upn');
    if (!username) return null;
    const advisor = await this.repo.advisors.findByEmail(username.toLowerCase());
    if (!advisor?.active) return null;
    if (advisor.entraOid !== null) {
      this.logger.warn(
        { advisorId: advisor.id, tid, oid },
        'Entra sign-in refused: the username belongs to an advisor bound to another Entra account',
      );
      return null;
    }
    return this.bind(advisor, identity, { entraTid: null, entraOid: null });
  }

  /** The token's claims if its signature, issuer, audience and times are valid now, reusing an earlier check. */
  private async verify(token: string): Promise<JWTPayload | null> {
    const now = this.clock.now().getTime();
    const known = this.verified.get(token);
    // A clock set back before the check is a miss: the times are checked again.
    if (known && known.at <= now && now < known.until) return known.payload;
    if (known) this.verified.delete(token);
    const oidc = this.auth.oidc!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: oidc.tenants.map((tenant) => tenant.issuer),
        audience: oidc.audience,
        currentDate: new Date(now),
        clockTolerance: CLOCK_TOLERANCE_S,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
    const expires = typeof payload.exp === 'number' ? (payload.exp + CLOCK_TOLERANCE_S) * 1000 : Infinity;
    if (this.verified.size >= VERIFIED_MAX_ENTRIES) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { payload, at: now, until: Math.min(expires, now + VERIFIED_MAX_MS) });
    return payload;
  }

  /** Binds in one transaction with the check that the advisor is still as read: two first sign-ins cannot both bind. */
  private async bind(advisor: AdvisorRecord, identity: EntraIdentity, expected: EntraBinding) {
    const outcome = await this.repo.advisors.setEntraIdentity(advisor.id, identity, expected, {
      advisorId: advisor.id,
      at: this.clock.now().toISOString(),
    });
    if (outcome === 'bound') return { ...advisor, entraTid: identity.tid, entraOid: identity.oid };
    this.logger.warn(
      { advisorId: advisor.id, ...identity, outcome },
      'Entra sign-in refused: the advisor was bound to another Entra account meanwhile',
    );
    return null;
  }
}

function claim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
