import type { Db } from '../../db/connection';
import type { AdvisorRecord, AuditActor, TokenRecord, TokenStore } from '../repository';
import { toTokenRecord as toRecord, type TokenRow } from '../rows/token-rows';
import { changeStamp } from './change-stamp';
import { ADVISOR_COLUMNS, toAdvisor, type AdvisorRow } from './people';
import { sql, sqlArrays, writeAudit } from './support';
import { write, writeIfFree } from './writes';

type Found = TokenRecord & { advisor: AdvisorRecord };

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Tokens remembered at most (all are dropped when full): each is one signed-in client's current token. */
const FOUND_MAX_ENTRIES = 10_000;

export class SqliteTokenStore implements TokenStore {
  /**
   * Tokens found, with their advisor, by hash: reused while the database's change stamp is the one they were read
   * at, so nothing anyone wrote since (a revocation, a deactivation, a role or team change, from this process or
   * another) can be missed; any write at all makes the next lookup read again.
   */
  private readonly found = new Map<string, { stamp: string; record: Found }>();

  constructor(private readonly db: Db) {}

  async create(
    advisorId: number,
    name: string,
    tokenHash: string,
    createdAt: string,
    expiresAt: string | null,
    actor: AuditActor | null = null,
  ) {
    return write(this.db, () => {
      const id = Number(
        sql(
          this.db,
          'INSERT INTO access_tokens (advisor_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        ).run(advisorId, name, tokenHash, createdAt, expiresAt).lastInsertRowid,
      );
      writeAudit(this.db, actor ?? { kind: 'system', at: createdAt }, 'access_token', id, 'create', {
        advisorId,
        name,
        expiresAt,
      });
      return toRecord(sql(this.db, 'SELECT * FROM access_tokens WHERE id = ?').get(id) as TokenRow);
    });
  }
  async findByHash(tokenHash: string, stamp = changeStamp(this.db)): Promise<Found | null> {
    const known = this.found.get(tokenHash);
    if (known?.stamp === stamp) return known.record;
    const record = this.read(tokenHash);
    if (!record) {
      this.found.delete(tokenHash);
      return null;
    }
    if (this.found.size >= FOUND_MAX_ENTRIES) this.found.clear();
    // Frozen to the last team: it is who the next requests are, so nothing may change it in place.
    const frozen = deepFreeze(record);
    this.found.set(tokenHash, { stamp, record: frozen });
    return frozen;
  }
  private read(tokenHash: string): Found | null {
    // One query for the token and its advisor.
    const row = sqlArrays(
      this.db,
      `SELECT t.id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, ${ADVISOR_COLUMNS}
       FROM access_tokens t JOIN advisors a ON a.id = t.advisor_id WHERE t.token_hash = ?`,
    ).get(tokenHash) as
      [number, string, string, string | null, string | null, string | null, ...AdvisorRow] | undefined;
    if (!row) return null;
    const [id, name, createdAt, expiresAt, lastUsedAt, revokedAt, ...advisorRow] = row;
    const advisor = toAdvisor(advisorRow);
    return { id, advisorId: advisor.id, name, createdAt, expiresAt, lastUsedAt, revokedAt, advisor };
  }
  async listFor(advisorId: number) {
    return (
      sql(this.db, 'SELECT * FROM access_tokens WHERE advisor_id = ? ORDER BY id').all(advisorId) as TokenRow[]
    ).map(toRecord);
  }
  async revoke(id: number, at: string, actor: AuditActor | null = null) {
    return write(this.db, () => {
      const revoked =
        sql(this.db, 'UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
          .changes > 0;
      if (revoked) writeAudit(this.db, actor ?? { kind: 'system', at }, 'access_token', id, 'revoke');
      return revoked;
    });
  }
  async touch(id: number, at: string) {
    writeIfFree(this.db, () => sql(this.db, 'UPDATE access_tokens SET last_used_at = ? WHERE id = ?').run(at, id));
  }
}
