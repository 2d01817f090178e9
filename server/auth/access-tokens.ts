import { hash, randomBytes } from 'node:crypto';
import type { Repository, TokenRecord } from '../repository/repository';

const PREFIX = 'rgd_';

/** A personal access token: 256 random bits. Only its SHA-256 is stored, so a database leak reveals no token. */
export function newAccessToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** The token's SHA-256 in hex: what the database stores, and what the failed sign-ins count a token by. */
export function hashAccessToken(token: string): string {
  return hash('sha256', token, 'hex'); // one-shot: cheaper than a Hash object
}

export function looksLikeAccessToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

export async function issueAccessToken(
  repo: Repository,
  advisorId: number,
  name: string,
  now: Date,
  expiresAt: Date | null = null,
): Promise<{ token: string; record: TokenRecord }> {
  const token = newAccessToken();
  const record = await repo.tokens.create(
    advisorId,
    name,
    hashAccessToken(token),
    now.toISOString(),
    expiresAt?.toISOString() ?? null,
  );
  return { token, record };
}
