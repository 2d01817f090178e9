import type { Advisor, Role, Team } from '../../../shared/schemas/advisors';
import { transaction, type Postgres } from '../../db/postgres/connection';
import { ConflictError } from '../../errors';
import type {
  AdvisorChanges,
  AdvisorPreferences,
  AdvisorRecord,
  AdvisorStore,
  AuditActor,
  EntraBinding,
  EntraIdentity,
  TeamStore,
} from '../repository';
import type { PostgresChangeStamps } from './change-stamp';
import { bumpTeamsVersion, isUniqueViolation, likePrefix, writeAudit, type Queryable } from './support';

/** An advisor with their teams (sorted by name, whatever its case), in one query, as the SQLite backend reads it. */
export const ADVISOR_COLUMNS = `a.id, a.email, a.display_name, a.role, a.active, a.entra_tid, a.entra_oid, a.work_seen_at,
  a.work_scope, a.time_zone, a.digest_opt_out, a.monthly_quota,
  coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY lower(t.name) COLLATE "C", t.id)
            FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.advisor_id = a.id), '[]') AS teams`;

export interface AdvisorRow {
  id: number;
  email: string;
  display_name: string;
  role: Role;
  active: boolean;
  entra_tid: string | null;
  entra_oid: string | null;
  work_seen_at: string | null;
  work_scope: AdvisorRecord['workScope'];
  time_zone: string;
  digest_opt_out: boolean;
  monthly_quota: number | null;
  teams: AdvisorRecord['teams'];
}

export function toAdvisor(row: AdvisorRow): AdvisorRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    active: row.active,
    teams: row.teams,
    workSeenAt: row.work_seen_at,
    workScope: row.work_scope,
    timeZone: row.time_zone,
    digestOptOut: row.digest_opt_out,
    monthlyQuota: row.monthly_quota,
    entraTid: row.entra_tid,
    entraOid: row.entra_oid,
  };
}

/** Each write ends with `stamps.after`: a token found with its advisor (PostgresTokenStore) is read again. */
export class PostgresAdvisorStore implements AdvisorStore {
  constructor(
    private readonly db: Postgres,
    private readonly stamps: PostgresChangeStamps,
  ) {}

  private async one(where: string, values: unknown[], db: Queryable = this.db): Promise<AdvisorRecord | null> {
    const { rows } = await db.query<AdvisorRow>(`SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE ${where}`, values);
    return rows[0] ? toAdvisor(rows[0]) : null;
  }

  async count() {
    return (await this.db.query<{ n: number }>('SELECT count(*) AS n FROM advisors')).rows[0].n;
  }
  findById(id: number) {
    return this.one('a.id = $1', [id]);
  }
  findByEmail(email: string) {
    return this.one('lower(a.email) = lower($1)', [email]);
  }
  findByEntraIdentity({ tid, oid }: EntraIdentity) {
    return this.one('a.entra_tid = $1 AND a.entra_oid = $2', [tid, oid]);
  }
  findByLegacyEntraOid(oid: string) {
    return this.one('a.entra_tid IS NULL AND a.entra_oid = $1', [oid]);
  }

  async setEntraIdentity(id: number, identity: EntraIdentity | null, expected: EntraBinding, actor: AuditActor) {
    try {
      return await this.stamps.after(
        transaction(this.db, async (db): Promise<'bound' | 'missing' | 'changed' | 'taken'> => {
          // The row stays locked until the end: a second binding of the same advisor waits, then sees this one.
          const { rows } = await db.query<{ entra_tid: string | null; entra_oid: string | null }>(
            'SELECT entra_tid, entra_oid FROM advisors WHERE id = $1 FOR NO KEY UPDATE',
            [id],
          );
          const current = rows[0];
          if (!current) return 'missing';
          if (current.entra_tid !== expected.entraTid || current.entra_oid !== expected.entraOid) return 'changed';
          if (
            identity &&
            (await db.query('SELECT 1 FROM advisors WHERE entra_oid = $1 AND id <> $2', [identity.oid, id])).rowCount
          )
            return 'taken';
          await db.query('UPDATE advisors SET entra_tid = $1, entra_oid = $2 WHERE id = $3', [
            identity?.tid ?? null,
            identity?.oid ?? null,
            id,
          ]);
          await writeAudit(db, actor, 'advisor', id, identity ? 'bind-entra' : 'unbind-entra', identity ?? expected);
          return 'bound';
        }),
      );
    } catch (error) {
      // Another advisor was bound to the same account at the same moment: its unique index decided.
      if (isUniqueViolation(error)) return 'taken';
      throw error;
    }
  }

  async search(
    q: string | undefined,
    limit: number,
    offset: number,
    { includeInactive = false }: { includeInactive?: boolean } = {},
  ): Promise<Advisor[]> {
    const { rows } = await this.db.query<AdvisorRow>(
      `SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE (a.active OR $1)
         AND ($2::text IS NULL OR lower(a.display_name) LIKE lower($3) OR lower(a.email) LIKE lower($3)
              OR lower(a.display_name) LIKE '% ' || lower($3))
       ORDER BY lower(a.display_name) COLLATE "C", a.id LIMIT $4 OFFSET $5`,
      [includeInactive, q || null, likePrefix(q ?? ''), limit, offset],
    );
    return rows.map((row) => {
      const { id, email, displayName, role, active, teams } = toAdvisor(row);
      return { id, email, displayName, role, active, teams };
    });
  }

  async create(fields: { email: string; displayName: string; role: Role }, actor: AuditActor | null) {
    let id: number;
    try {
      id = await this.stamps.after(
        transaction(this.db, async (db) => {
          const { rows } = await db.query<{ id: number }>(
            'INSERT INTO advisors (email, display_name, role, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
            [fields.email, fields.displayName, fields.role, actor?.at ?? new Date().toISOString()],
          );
          await writeAudit(db, actor, 'advisor', rows[0].id, 'create', fields);
          return rows[0].id;
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`An advisor with the email ${fields.email} already exists.`);
      throw error;
    }
    return (await this.findById(id))!;
  }

  async update(id: number, fields: AdvisorChanges, actor: AuditActor) {
    const outcome = await this.stamps.after(
      transaction(this.db, async (db): Promise<'missing' | 'last-admin' | 'updated'> => {
        // A change that can take an admin away (a role other than admin, a deactivation) first takes the firm's one
        // demotion lock: two of them at once take turns, and the second counts the admins after the first committed.
        // Other changes take no lock beyond their advisor's row, so they never wait for (or deadlock with) a demotion.
        if ((fields.role !== undefined && fields.role !== 'admin') || fields.active === false)
          await db.query("SELECT pg_advisory_xact_lock(hashtextextended('advisor demotions', 0))");
        const { rows } = await db.query<{ role: Role; active: boolean }>(
          'SELECT role, active FROM advisors WHERE id = $1 FOR NO KEY UPDATE',
          [id],
        );
        const before = rows[0];
        if (!before) return 'missing';
        const wasAdmin = before.role === 'admin' && before.active;
        const staysAdmin = (fields.role ?? before.role) === 'admin' && (fields.active ?? before.active);
        if (wasAdmin && !staysAdmin) {
          const others = await db.query("SELECT 1 FROM advisors WHERE role = 'admin' AND active AND id <> $1", [id]);
          if (!others.rowCount) return 'last-admin';
        }
        await db.query(
          `UPDATE advisors SET display_name = coalesce($1, display_name), role = coalesce($2, role),
           active = coalesce($3, active), time_zone = coalesce($4, time_zone),
           monthly_quota = CASE WHEN $5 THEN $6 ELSE monthly_quota END WHERE id = $7`,
          [
            fields.displayName ?? null,
            fields.role ?? null,
            fields.active ?? null,
            fields.timeZone ?? null,
            fields.monthlyQuota !== undefined,
            fields.monthlyQuota ?? null,
            id,
          ],
        );
        await writeAudit(db, actor, 'advisor', id, 'update', fields);
        return 'updated';
      }),
    );
    if (outcome === 'missing') return null;
    if (outcome === 'last-admin') return outcome;
    return this.findById(id);
  }

  async markWorkSeen(id: number, at: string) {
    await this.stamps.after(this.db.query('UPDATE advisors SET work_seen_at = $1 WHERE id = $2', [at, id]));
  }

  async setPreferences(id: number, { workScope, timeZone, digestOptOut }: AdvisorPreferences) {
    await this.stamps.after(
      this.db.query(
        `UPDATE advisors SET work_scope = coalesce($1, work_scope), time_zone = coalesce($2, time_zone),
         digest_opt_out = coalesce($3, digest_opt_out) WHERE id = $4`,
        [workScope ?? null, timeZone ?? null, digestOptOut ?? null, id],
      ),
    );
  }

  async teammateIds(advisorId: number) {
    const { rows } = await this.db.query<{ id: number }>(
      `SELECT DISTINCT other.advisor_id AS id FROM team_members mine
         JOIN team_members other ON other.team_id = mine.team_id WHERE mine.advisor_id = $1`,
      [advisorId],
    );
    return [...new Set([advisorId, ...rows.map((row) => row.id)])];
  }

  async existingIds(ids: number[]) {
    const { rows } = await this.db.query<{ id: number }>(
      'SELECT id FROM advisors WHERE active AND id = ANY($1::bigint[])',
      [ids],
    );
    return rows.map((row) => row.id);
  }

  async listActive() {
    const { rows } = await this.db.query<AdvisorRow>(
      `SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE a.active ORDER BY a.id`,
    );
    return rows.map(toAdvisor);
  }
}

/** Each write ends with `stamps.after`, as the advisors' (an advisor's record names its teams). */
export class PostgresTeamStore implements TeamStore {
  constructor(
    private readonly db: Postgres,
    private readonly stamps: PostgresChangeStamps,
  ) {}

  private async toTeams(rows: { id: number; name: string }[]): Promise<Team[]> {
    const members = await this.db.query<{ team_id: number; id: number; display_name: string; email: string }>(
      `SELECT m.team_id, a.id, a.display_name, a.email FROM team_members m JOIN advisors a ON a.id = m.advisor_id
        WHERE m.team_id = ANY($1::bigint[]) ORDER BY lower(a.display_name) COLLATE "C", a.id`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      members: members.rows
        .filter((member) => member.team_id === row.id)
        .map((member) => ({ id: member.id, displayName: member.display_name, email: member.email })),
    }));
  }

  private async one(where: string, value: unknown) {
    const { rows } = await this.db.query<{ id: number; name: string }>(`SELECT id, name FROM teams WHERE ${where}`, [
      value,
    ]);
    return rows[0] ? (await this.toTeams(rows))[0] : null;
  }

  findById(id: number) {
    return this.one('id = $1', id);
  }

  findByName(name: string) {
    return this.one('lower(name) = lower($1)', name);
  }

  async search(q: string | undefined, limit: number, offset: number) {
    const { rows } = await this.db.query<{ id: number; name: string }>(
      `SELECT id, name FROM teams WHERE ($1::text IS NULL OR lower(name) LIKE lower($2))
        ORDER BY lower(name) COLLATE "C", id LIMIT $3 OFFSET $4`,
      [q || null, likePrefix(q ?? ''), limit, offset],
    );
    return this.toTeams(rows);
  }

  async create(name: string, memberIds: number[], actor: AuditActor | null) {
    let id: number;
    try {
      id = await this.stamps.after(
        transaction(this.db, async (db) => {
          const { rows } = await db.query<{ id: number }>(
            'INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id',
            [name, actor?.at ?? new Date().toISOString()],
          );
          await db.query(
            `INSERT INTO team_members (team_id, advisor_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`,
            [rows[0].id, memberIds],
          );
          await bumpTeamsVersion(db);
          await writeAudit(db, actor, 'team', rows[0].id, 'create', { name, memberIds });
          return rows[0].id;
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A team named ${name} already exists.`);
      throw error;
    }
    return (await this.findById(id))!;
  }

  async addMember(teamId: number, advisorId: number, actor: AuditActor | null) {
    await this.stamps.after(
      transaction(this.db, async (db) => {
        await db.query('INSERT INTO team_members (team_id, advisor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          teamId,
          advisorId,
        ]);
        await bumpTeamsVersion(db);
        await writeAudit(db, actor, 'team', teamId, 'add-member', { advisorId });
      }),
    );
  }

  async removeMember(teamId: number, advisorId: number, actor: AuditActor) {
    await this.stamps.after(
      transaction(this.db, async (db) => {
        await db.query('DELETE FROM team_members WHERE team_id = $1 AND advisor_id = $2', [teamId, advisorId]);
        await bumpTeamsVersion(db);
        await writeAudit(db, actor, 'team', teamId, 'remove-member', { advisorId });
      }),
    );
  }

  async changeVersion() {
    return (await this.db.query<{ version: number }>('SELECT version FROM team_changes WHERE id = 1')).rows[0].version;
  }

  async existingIds(ids: number[]) {
    const { rows } = await this.db.query<{ id: number }>('SELECT id FROM teams WHERE id = ANY($1::bigint[])', [ids]);
    return rows.map((row) => row.id);
  }
}
