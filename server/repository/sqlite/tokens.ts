import type { Db } from '../../db/connection';
import type { AuditActor, TokenStore } from '../repository';
import { toTokenRecord as toRecord, type TokenRow } from '../rows/token-rows';
import { FoundTokens, type FoundToken } from '../stamped/found-tokens';
import { changeStamp } from './change-stamp';
import { ADVISOR_COLUMNS, toAdvisor, type AdvisorRow } from './people';
import { sql, sqlArrays, writeAudit } from './support';
import { write, writeIfFree } from './writes';

export class SqliteTokenStore implements TokenStore {
  /** Reused while the file's change stamp holds: any write at all, by this process or another, reads again. */
  private readonly found = new FoundTokens();

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
  findByHash(tokenHash: string, stamp = changeStamp(this.db)): Promise<FoundToken | null> {
    return this.found.find(tokenHash, stamp, (hash) => this.read(hash));
  }
  private read(tokenHash: string): FoundToken | null {
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
