import type { TokenRecord } from '../repository';

/** An access token's columns. */
export interface TokenRow {
  id: number;
  advisor_id: number;
  name: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export const toTokenRecord = (row: TokenRow): TokenRecord => ({
  id: row.id,
  advisorId: row.advisor_id,
  name: row.name,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});
