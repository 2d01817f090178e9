import type { Db } from '../../db/connection';
import type { AlertDeliveryStore, AlertKey } from '../repository';
import { list, sql } from './support';
import { write } from './writes';

interface Existing {
  id: number;
  status: 'claimed' | 'sent' | 'skipped';
  claimed_at: string;
}

export class SqliteAlertDeliveryStore implements AlertDeliveryStore {
  constructor(private readonly db: Db) {}

  private existing(key: AlertKey): Existing | undefined {
    return (
      key.kind === 'digest'
        ? sql(
            this.db,
            "SELECT id, status, claimed_at FROM alert_deliveries WHERE kind = 'digest' AND recipient_id = ? AND local_date = ?",
          ).get(key.recipientId, key.localDate)
        : sql(
            this.db,
            `SELECT id, status, claimed_at FROM alert_deliveries
               WHERE kind = 'untouched' AND recipient_id = ? AND opportunity_id = ? AND assigned_at = ?`,
          ).get(key.recipientId, key.opportunityId, key.assignedAt)
    ) as Existing | undefined;
  }

  /** The rule every claim follows (see AlertDeliveryStore.claim). */
  private takeable(key: AlertKey, staleBefore: string, force: boolean): Existing | 'new' | null {
    const found = this.existing(key);
    if (!found) return 'new';
    if (!force || key.kind !== 'digest') return null;
    return found.status !== 'claimed' || found.claimed_at < staleBefore ? found : null;
  }

  async claimable(keys: AlertKey[], staleBefore: string, force = false) {
    return keys.map((key) => this.takeable(key, staleBefore, force) !== null);
  }

  async claim(keys: AlertKey[], at: string, staleBefore: string, force = false) {
    // Most checks find everything already recorded: answered by a read, without taking the write lock.
    if (keys.every((key) => this.takeable(key, staleBefore, force) === null)) return keys.map(() => null);
    return write(this.db, () =>
      keys.map((key): number | null => {
        const found = this.takeable(key, staleBefore, force);
        if (found === null) return null;
        if (found !== 'new') {
          sql(
            this.db,
            "UPDATE alert_deliveries SET status = 'claimed', claimed_at = ?, done_at = NULL WHERE id = ?",
          ).run(at, found.id);
          return found.id;
        }
        const inserted = sql(
          this.db,
          `INSERT INTO alert_deliveries (kind, recipient_id, local_date, opportunity_id, assigned_at, status, claimed_at)
             VALUES (?, ?, ?, ?, ?, 'claimed', ?)`,
        ).run(
          key.kind,
          key.recipientId,
          key.kind === 'digest' ? key.localDate : null,
          key.kind === 'untouched' ? key.opportunityId : null,
          key.kind === 'untouched' ? key.assignedAt : null,
          at,
        );
        return Number(inserted.lastInsertRowid);
      }),
    );
  }

  async finish(ids: number[], status: 'sent' | 'skipped', at: string) {
    if (!ids.length) return;
    await write(this.db, () =>
      sql(
        this.db,
        "UPDATE alert_deliveries SET status = ?, done_at = ? WHERE status = 'claimed' AND id IN (SELECT value FROM json_each(?))",
      ).run(status, at, list(ids)),
    );
  }

  async release(ids: number[]) {
    if (!ids.length) return;
    await write(this.db, () =>
      sql(
        this.db,
        "DELETE FROM alert_deliveries WHERE status = 'claimed' AND id IN (SELECT value FROM json_each(?))",
      ).run(list(ids)),
    );
  }
}
