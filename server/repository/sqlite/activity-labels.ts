import type { Db } from '../../db/connection';
import type { ActivityLabelKind } from '../../../shared/schemas/activity-labels';
import type { Actor, ActivityLabelStore } from '../repository';
import { nameTakenAmong, toLabel, uniqueKey, type LabelRow } from '../rows/label-rows';
import { isUniqueViolation, sql, writeAudit } from './support';
import { write } from './writes';

export class SqliteActivityLabelStore implements ActivityLabelStore {
  constructor(private readonly db: Db) {}

  async list() {
    return (
      sql(
        this.db,
        'SELECT id, kind, key, name, retired_at FROM activity_labels ORDER BY kind, name',
      ).all() as LabelRow[]
    ).map(toLabel);
  }

  async findById(id: number) {
    const row = sql(this.db, 'SELECT id, kind, key, name, retired_at FROM activity_labels WHERE id = ?').get(id) as
      LabelRow | undefined;
    return row ? toLabel(row) : null;
  }

  /** Call inside the write's transaction: the NOCASE index alone folds only ASCII ("Réunion" vs "RÉUNION"). */
  private nameTaken(kind: ActivityLabelKind, name: string, exceptId: number | null): boolean {
    const rows = sql(this.db, 'SELECT id, name FROM activity_labels WHERE kind = ?').all(kind) as {
      id: number;
      name: string;
    }[];
    return nameTakenAmong(rows, name, exceptId);
  }

  async create(kind: ActivityLabelKind, key: string, name: string, actor: Actor) {
    try {
      const id = await write(this.db, () => {
        if (this.nameTaken(kind, name, null)) return 'taken' as const;
        // A key stays unique in its list even when two names make the same one.
        const taken = new Set(
          sql(this.db, 'SELECT key FROM activity_labels WHERE kind = ? AND (key = ? OR key LIKE ?)')
            .pluck()
            .all(kind, key, `${key}-%`) as string[],
        );
        const unique = uniqueKey(key, taken);
        const newId = Number(
          sql(
            this.db,
            'INSERT INTO activity_labels (kind, key, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          ).run(kind, unique, name, actor.at, actor.at).lastInsertRowid,
        );
        writeAudit(this.db, actor, 'activity-label', newId, 'create', { kind, key: unique, name });
        return newId;
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
      const taken = await write(this.db, () => {
        if (changes.name !== undefined) {
          const kind = sql(this.db, 'SELECT kind FROM activity_labels WHERE id = ?').pluck().get(id) as
            ActivityLabelKind | undefined;
          if (kind && this.nameTaken(kind, changes.name, id)) return true;
        }
        sql(
          this.db,
          `UPDATE activity_labels SET name = coalesce(?, name),
             retired_at = CASE WHEN ? IS NULL THEN retired_at WHEN ? THEN coalesce(retired_at, ?) ELSE NULL END,
             updated_at = ? WHERE id = ?`,
        ).run(
          changes.name ?? null,
          changes.retired === undefined ? null : 1,
          changes.retired ? 1 : 0,
          actor.at,
          actor.at,
          id,
        );
        writeAudit(this.db, actor, 'activity-label', id, 'update', changes);
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
