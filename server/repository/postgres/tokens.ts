import { transaction, type Postgres } from '../../db/postgres/connection';
import type { AuditActor, ChangeStamp, TokenStore } from '../repository';
import { toTokenRecord as toRecord, type TokenRow } from '../rows/token-rows';
import { FoundTokens, type FoundToken } from '../stamped/found-tokens';
import type { PostgresChangeStamps } from './change-stamp';
import { ADVISOR_COLUMNS, toAdvisor, type AdvisorRow } from './people';
import { writeAudit } from './support';

const TOKEN_COLUMNS = 'id, advisor_id, name, created_at, expires_at, last_used_at, revoked_at';

/**
 * Access tokens on PostgreSQL. A token found with its advisor is reused while the request's change stamp holds
 * (PostgresChangeStamps): this instance's new tokens, revocations and changes of advisors and teams change it at once,
 * another instance's show within its bound.
 */
export class PostgresTokenStore implements TokenStore {
  private readonly found = new FoundTokens();

  constructor(
    private readonly db: Postgres,
    private readonly stamps: PostgresChangeStamps,
  ) {}

  create(
    advisorId: number,
    name: string,
    tokenHash: string,
    createdAt: string,
    expiresAt: string | null,
    actor: AuditActor | null = null,
  ) {
    const created = transaction(this.db, async (db) => {
      const { rows } = await db.query<TokenRow>(
        `INSERT INTO access_tokens (advisor_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         RETURNING ${TOKEN_COLUMNS}`,
        [advisorId, name, tokenHash, createdAt, expiresAt],
      );
      await writeAudit(db, actor ?? { kind: 'system', at: createdAt }, 'access_token', rows[0].id, 'create', {
        advisorId,
        name,
        expiresAt,
      });
      return toRecord(rows[0]);
    });
    return this.stamps.after(created);
  }

  /** Without a stamp (one read outside a request), the token as stored now. */
  findByHash(tokenHash: string, stamp?: ChangeStamp): Promise<FoundToken | null> {
    return stamp ? this.found.find(tokenHash, stamp, (hash) => this.read(hash)) : this.read(tokenHash);
  }

  private async read(tokenHash: string): Promise<FoundToken | null> {
    // Named, so each connection parses it once: it runs on every change and whenever the instance's stamp moved on.
    const { rows } = await this.db.query<TokenRow & { advisor: AdvisorRow }>({
      name: 'token-by-hash',
      text: `SELECT t.id, t.advisor_id, t.name, t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
              (SELECT row_to_json(x) FROM (SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE a.id = t.advisor_id) x) AS advisor
         FROM access_tokens t WHERE t.token_hash = $1`,
      values: [tokenHash],
    });
    const row = rows[0];
    if (!row) return null;
    // Inside JSON a time is PostgreSQL's text, not the ISO text the pool's parser makes of a column.
    const advisor = toAdvisor({
      ...row.advisor,
      work_seen_at: row.advisor.work_seen_at && new Date(row.advisor.work_seen_at).toISOString(),
    });
    return { ...toRecord(row), advisor };
  }

  async listFor(advisorId: number) {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM access_tokens WHERE advisor_id = $1 ORDER BY id`,
      [advisorId],
    );
    return rows.map(toRecord);
  }

  revoke(id: number, at: string, actor: AuditActor | null = null) {
    const revoking = transaction(this.db, async (db) => {
      const revoked = await db.query('UPDATE access_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
        at,
        id,
      ]);
      if (!revoked.rowCount) return false;
      await writeAudit(db, actor ?? { kind: 'system', at }, 'access_token', id, 'revoke');
      return true;
    });
    return this.stamps.after(revoking);
  }

  async touch(id: number, at: string) {
    // Not a change of the stamp: every token kept on this instance would be read again once a minute per token.
    await this.db.query('UPDATE access_tokens SET last_used_at = $1 WHERE id = $2', [at, id]);
    this.found.touched(id, at);
  }
}
