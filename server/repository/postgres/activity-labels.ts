import type { ActivityLabelKind } from '../../../shared/schemas/activity-labels';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type { Actor, ActivityLabelStore } from '../repository';
import { nameTakenAmong, toLabel, uniqueKey, type LabelRow } from '../rows/label-rows';
import { isUniqueViolation, writeAudit, type Queryable } from './support';

const LABEL_COLUMNS = 'id, kind, key, name, retired_at';

/**
 * Until the transaction ends, the only one changing this list's names: the rule that no two names of a list are the
 * same however they are cased or composed is checked in JavaScript (caselessName), which no index can do, so two
 * instances adding "Réunion" and "RÉUNION" at once take turns.
 */
async function lockList(db: Queryable, kind: ActivityLabelKind): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('activity labels ' || $1, 0))", [kind]);
}

async function nameTaken(db: Queryable, kind: ActivityLabelKind, name: string, exceptId: number | null) {
  const { rows } = await db.query<{ id: number; name: string }>(
    'SELECT id, name FROM activity_labels WHERE kind = $1',
    [kind],
  );
  return nameTakenAmong(rows, name, exceptId);
}

export class PostgresActivityLabelStore implements ActivityLabelStore {
  constructor(private readonly db: Postgres) {}

  async list() {
    const { rows } = await this.db.query<LabelRow>(
      `SELECT ${LABEL_COLUMNS} FROM activity_labels ORDER BY kind COLLATE "C", name COLLATE "C"`,
    );
    return rows.map(toLabel);
  }

  async findById(id: number) {
    const { rows } = await this.db.query<LabelRow>(`SELECT ${LABEL_COLUMNS} FROM activity_labels WHERE id = $1`, [id]);
    return rows[0] ? toLabel(rows[0]) : null;
  }

  async create(kind: ActivityLabelKind, key: string, name: string, actor: Actor) {
    try {
      const id = await transaction(this.db, async (db) => {
        await lockList(db, kind);
        if (await nameTaken(db, kind, name, null)) return 'taken' as const;
        // A key stays unique in its list even when two names make the same one.
        const { rows } = await db.query<{ key: string }>(
          "SELECT key FROM activity_labels WHERE kind = $1 AND (key = $2 OR left(key, length($2) + 1) = $2 || '-')",
          [kind, key],
        );
        const taken = new Set(rows.map((row) => row.key));
        const unique = uniqueKey(key, taken);
        const inserted = await db.query<{ id: number }>(
          'INSERT INTO activity_labels (kind, key, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id',
          [kind, unique, name, actor.at],
        );
        await writeAudit(db, actor, 'activity-label', inserted.rows[0].id, 'create', { kind, key: unique, name });
        return inserted.rows[0].id;
      });
      if (id === 'taken') return id;
      return (await this.findById(id))!;
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken' as const;
      throw error;
    }
  }

  async update(id: number, changes: { name?: string; retired?: boolean }, actor: Actor) {
    try {
      const taken = await transaction(this.db, async (db) => {
        if (changes.name !== undefined) {
          const { rows } = await db.query<{ kind: ActivityLabelKind }>(
            'SELECT kind FROM activity_labels WHERE id = $1',
            [id],
          );
          if (rows[0]) {
            await lockList(db, rows[0].kind);
            if (await nameTaken(db, rows[0].kind, changes.name, id)) return true;
          }
        }
        await db.query(
          `UPDATE activity_labels SET name = coalesce($1, name),
             retired_at = CASE WHEN $2::boolean IS NULL THEN retired_at WHEN $2 THEN coalesce(retired_at, $3) ELSE NULL END,
             updated_at = $3 WHERE id = $4`,
          [changes.name ?? null, changes.retired ?? null, actor.at, id],
        );
        await writeAudit(db, actor, 'activity-label', id, 'update', changes);
        return false;
      });
      if (taken) return 'taken' as const;
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken' as const;
      throw error;
    }
    return this.findById(id);
  }
}
