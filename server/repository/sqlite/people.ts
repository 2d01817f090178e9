import type { Db } from '../../db/connection';
import type { Advisor, MyWorkScope, Role, Team } from '../../../shared/schemas/advisors';
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
import { checkedLimit } from '../rows/page-size';
import { bumpTeamsVersion, isUniqueViolation, likePrefix, list, writeAudit, sql, sqlArrays } from './support';
import { write } from './writes';

/** An advisor with their teams (as a JSON array, sorted by name), read in one query. */
export const ADVISOR_COLUMNS = `a.id, a.email, a.display_name, a.role, a.active, a.entra_tid, a.entra_oid, a.work_seen_at, a.work_scope,
  a.time_zone, a.digest_opt_out, a.monthly_quota,
  (SELECT json_group_array(json_object('id', t.id, 'name', t.name) ORDER BY t.name COLLATE NOCASE)
   FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.advisor_id = a.id)`;

/** One row of `ADVISOR_COLUMNS`, read as an array (see `sqlArrays`). */
export type AdvisorRow = [
  id: number,
  email: string,
  displayName: string,
  role: Role,
  active: number,
  entraTid: string | null,
  entraOid: string | null,
  workSeenAt: string | null,
  workScope: MyWorkScope | null,
  timeZone: string,
  digestOptOut: number,
  monthlyQuota: number | null,
  teams: string,
];

export function toAdvisor([
  id,
  email,
  displayName,
  role,
  active,
  entraTid,
  entraOid,
  workSeenAt,
  workScope,
  timeZone,
  digestOptOut,
  monthlyQuota,
  teams,
]: AdvisorRow): AdvisorRecord {
  return {
    id,
    email,
    displayName,
    role,
    active: active === 1,
    teams: JSON.parse(teams) as AdvisorRecord['teams'],
    workSeenAt,
    workScope,
    timeZone,
    digestOptOut: digestOptOut === 1,
    monthlyQuota,
    entraTid,
    entraOid,
  };
}

export class SqliteAdvisorStore implements AdvisorStore {
  constructor(private readonly db: Db) {}

  private one(where: string, ...values: unknown[]): AdvisorRecord | null {
    const row = sqlArrays(this.db, `SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE ${where}`).get(...values) as
      AdvisorRow | undefined;
    return row ? toAdvisor(row) : null;
  }

  async count() {
    return sql(this.db, 'SELECT count(*) FROM advisors').pluck().get() as number;
  }
  async findById(id: number) {
    return this.one('a.id = ?', id);
  }
  async findByEmail(email: string) {
    return this.one('a.email = ?', email);
  }
  async findByEntraIdentity({ tid, oid }: EntraIdentity) {
    return this.one('a.entra_tid = ? AND a.entra_oid = ?', tid, oid);
  }
  async findByLegacyEntraOid(oid: string) {
    return this.one('a.entra_tid IS NULL AND a.entra_oid = ?', oid);
  }

  async setEntraIdentity(id: number, identity: EntraIdentity | null, expected: EntraBinding, actor: AuditActor) {
    return write(this.db, (): 'bound' | 'missing' | 'changed' | 'taken' => {
      const current = sql(this.db, 'SELECT entra_tid, entra_oid FROM advisors WHERE id = ?').get(id) as
        { entra_tid: string | null; entra_oid: string | null } | undefined;
      if (!current) return 'missing';
      if (current.entra_tid !== expected.entraTid || current.entra_oid !== expected.entraOid) return 'changed';
      // entra_oid alone is still UNIQUE (migration 6 could not drop it): an object id bound in any tenant is taken.
      if (identity && sql(this.db, 'SELECT 1 FROM advisors WHERE entra_oid = ? AND id <> ?').get(identity.oid, id))
        return 'taken';
      sql(this.db, 'UPDATE advisors SET entra_tid = ?, entra_oid = ? WHERE id = ?').run(
        identity?.tid ?? null,
        identity?.oid ?? null,
        id,
      );
      writeAudit(this.db, actor, 'advisor', id, identity ? 'bind-entra' : 'unbind-entra', identity ?? expected);
      return 'bound';
    });
  }

  async search(
    q: string | undefined,
    limit: number,
    offset: number,
    { includeInactive = false }: { includeInactive?: boolean } = {},
  ): Promise<Advisor[]> {
    const rows = sqlArrays(
      this.db,
      `SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE (a.active = 1 OR :includeInactive)
           AND (:q IS NULL OR a.display_name LIKE :prefix ESCAPE '\\' OR a.email LIKE :prefix ESCAPE '\\'
                OR a.display_name LIKE '% ' || :prefix ESCAPE '\\')
         ORDER BY a.display_name COLLATE NOCASE, a.id LIMIT ${checkedLimit(limit)} OFFSET :offset`,
    ).all({
      q: q || null,
      prefix: likePrefix(q ?? ''),
      includeInactive: Number(includeInactive),
      offset,
    }) as AdvisorRow[];
    return rows
      .map(toAdvisor)
      .map(
        ({
          workSeenAt: _seen,
          workScope: _scope,
          timeZone: _zone,
          digestOptOut: _optOut,
          monthlyQuota: _quota,
          entraTid: _tid,
          entraOid: _oid,
          ...advisor
        }) => advisor,
      );
  }

  async create(fields: { email: string; displayName: string; role: Role }, actor: AuditActor | null) {
    const insert = () =>
      write(this.db, () => {
        const id = Number(
          sql(this.db, 'INSERT INTO advisors (email, display_name, role, created_at) VALUES (?, ?, ?, ?)').run(
            fields.email,
            fields.displayName,
            fields.role,
            actor?.at ?? new Date().toISOString(),
          ).lastInsertRowid,
        );
        writeAudit(this.db, actor, 'advisor', id, 'create', fields);
        return id;
      });
    try {
      return (await this.findById(await insert()))!;
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`An advisor with the email ${fields.email} already exists.`);
      throw error;
    }
  }

  async update(id: number, fields: AdvisorChanges, actor: AuditActor) {
    // IMMEDIATE: the admin count is read under the write lock, so no other connection (another
    // request's, or the admin CLI's) can demote the other admin between the check and the write.
    const outcome = await write(this.db, (): 'missing' | 'last-admin' | 'updated' => {
      const before = sql(this.db, 'SELECT role, active FROM advisors WHERE id = ?').get(id) as
        { role: Role; active: number } | undefined;
      if (!before) return 'missing';
      const wasAdmin = before.role === 'admin' && before.active === 1;
      const staysAdmin = (fields.role ?? before.role) === 'admin' && (fields.active ?? before.active === 1);
      if (wasAdmin && !staysAdmin) {
        const others = sql(this.db, "SELECT count(*) FROM advisors WHERE role = 'admin' AND active = 1 AND id <> ?")
          .pluck()
          .get(id) as number;
        if (others === 0) return 'last-admin';
      }
      sql(
        this.db,
        `UPDATE advisors SET display_name = coalesce(?, display_name), role = coalesce(?, role),
             active = coalesce(?, active), time_zone = coalesce(?, time_zone),
             monthly_quota = CASE WHEN ? THEN ? ELSE monthly_quota END WHERE id = ?`,
      ).run(
        fields.displayName ?? null,
        fields.role ?? null,
        fields.active === undefined ? null : Number(fields.active),
        fields.timeZone ?? null,
        Number(fields.monthlyQuota !== undefined),
        fields.monthlyQuota ?? null,
        id,
      );
      writeAudit(this.db, actor, 'advisor', id, 'update', fields);
      return 'updated';
    });
    if (outcome === 'missing') return null;
    if (outcome === 'last-admin') return outcome;
    return this.findById(id);
  }

  async markWorkSeen(id: number, at: string) {
    await write(this.db, () => sql(this.db, 'UPDATE advisors SET work_seen_at = ? WHERE id = ?').run(at, id));
  }

  async setPreferences(id: number, { workScope, timeZone, digestOptOut }: AdvisorPreferences) {
    await write(this.db, () =>
      sql(
        this.db,
        `UPDATE advisors SET work_scope = coalesce(?, work_scope), time_zone = coalesce(?, time_zone),
           digest_opt_out = coalesce(?, digest_opt_out) WHERE id = ?`,
      ).run(workScope ?? null, timeZone ?? null, digestOptOut === undefined ? null : Number(digestOptOut), id),
    );
  }

  async teammateIds(advisorId: number) {
    const ids = sql(
      this.db,
      `SELECT DISTINCT other.advisor_id FROM team_members mine
         JOIN team_members other ON other.team_id = mine.team_id WHERE mine.advisor_id = ?`,
    )
      .pluck()
      .all(advisorId) as number[];
    return [...new Set([advisorId, ...ids])];
  }

  async existingIds(ids: number[]) {
    return sql(this.db, 'SELECT id FROM advisors WHERE active = 1 AND id IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(list(ids)) as number[];
  }

  async listActive() {
    const rows = sqlArrays(
      this.db,
      `SELECT ${ADVISOR_COLUMNS} FROM advisors a WHERE a.active = 1 ORDER BY a.id`,
    ).all() as AdvisorRow[];
    return rows.map(toAdvisor);
  }
}

export class SqliteTeamStore implements TeamStore {
  constructor(private readonly db: Db) {}

  private toTeams(rows: { id: number; name: string }[]): Team[] {
    const members = sql(
      this.db,
      `SELECT m.team_id, a.id, a.display_name, a.email FROM team_members m JOIN advisors a ON a.id = m.advisor_id
         WHERE m.team_id IN (SELECT value FROM json_each(?)) ORDER BY a.display_name COLLATE NOCASE`,
    ).all(list(rows.map((row) => row.id))) as { team_id: number; id: number; display_name: string; email: string }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      members: members
        .filter((member) => member.team_id === row.id)
        .map((member) => ({ id: member.id, displayName: member.display_name, email: member.email })),
    }));
  }

  async findById(id: number) {
    const row = sql(this.db, 'SELECT id, name FROM teams WHERE id = ?').get(id) as
      { id: number; name: string } | undefined;
    return row ? this.toTeams([row])[0] : null;
  }

  async findByName(name: string) {
    const row = sql(this.db, 'SELECT id, name FROM teams WHERE name = ?').get(name) as
      { id: number; name: string } | undefined;
    return row ? this.toTeams([row])[0] : null;
  }

  async search(q: string | undefined, limit: number, offset: number) {
    const rows = sql(
      this.db,
      `SELECT id, name FROM teams WHERE (:q IS NULL OR name LIKE :prefix ESCAPE '\\')
         ORDER BY name COLLATE NOCASE LIMIT ${checkedLimit(limit)} OFFSET :offset`,
    ).all({ q: q || null, prefix: likePrefix(q ?? ''), offset }) as { id: number; name: string }[];
    return this.toTeams(rows);
  }

  async create(name: string, memberIds: number[], actor: AuditActor | null) {
    const insert = () =>
      write(this.db, () => {
        const id = Number(
          sql(this.db, 'INSERT INTO teams (name, created_at) VALUES (?, ?)').run(
            name,
            actor?.at ?? new Date().toISOString(),
          ).lastInsertRowid,
        );
        const add = sql(this.db, 'INSERT OR IGNORE INTO team_members (team_id, advisor_id) VALUES (?, ?)');
        for (const advisorId of memberIds) add.run(id, advisorId);
        bumpTeamsVersion(this.db);
        writeAudit(this.db, actor, 'team', id, 'create', { name, memberIds });
        return id;
      });
    try {
      return (await this.findById(await insert()))!;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A team named ${name} already exists.`);
      throw error;
    }
  }

  async addMember(teamId: number, advisorId: number, actor: AuditActor | null) {
    await write(this.db, () => {
      sql(this.db, 'INSERT OR IGNORE INTO team_members (team_id, advisor_id) VALUES (?, ?)').run(teamId, advisorId);
      bumpTeamsVersion(this.db);
      writeAudit(this.db, actor, 'team', teamId, 'add-member', { advisorId });
    });
  }

  async removeMember(teamId: number, advisorId: number, actor: AuditActor) {
    await write(this.db, () => {
      sql(this.db, 'DELETE FROM team_members WHERE team_id = ? AND advisor_id = ?').run(teamId, advisorId);
      bumpTeamsVersion(this.db);
      writeAudit(this.db, actor, 'team', teamId, 'remove-member', { advisorId });
    });
  }
  async changeVersion() {
    return sql(this.db, 'SELECT version FROM team_changes WHERE id = 1').pluck().get() as number;
  }

  async existingIds(ids: number[]) {
    return sql(this.db, 'SELECT id FROM teams WHERE id IN (SELECT value FROM json_each(?))')
      .pluck()
      .all(list(ids)) as number[];
  }
}
