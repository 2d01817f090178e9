import { transaction, type Postgres } from '../../db/postgres/connection';
import type { AlertDeliveryStore, AlertKey } from '../repository';
import type { Queryable } from './support';

interface Existing {
  id: number;
  status: 'claimed' | 'sent' | 'skipped';
  claimed_at: string;
}

/** A key's columns, and the text keys are claimed in (see claim). */
const columns = (key: AlertKey) =>
  key.kind === 'digest'
    ? {
        order: `d ${key.recipientId} ${key.localDate}`,
        localDate: key.localDate,
        opportunityId: null,
        assignedAt: null,
      }
    : {
        order: `u ${key.recipientId} ${key.opportunityId} ${key.assignedAt}`,
        localDate: null,
        opportunityId: key.opportunityId,
        assignedAt: key.assignedAt,
      };

/**
 * The email alerts' claims on PostgreSQL: every instance runs the alert schedule, and a key is sent by the one
 * instance whose claim lands (the unique indexes decide between two inserts; a conditional update between two
 * take-overs).
 */
export class PostgresAlertDeliveryStore implements AlertDeliveryStore {
  constructor(private readonly db: Postgres) {}

  private async existing(db: Queryable, key: AlertKey): Promise<Existing | undefined> {
    const { rows } =
      key.kind === 'digest'
        ? await db.query<Existing>(
            "SELECT id, status, claimed_at FROM alert_deliveries WHERE kind = 'digest' AND recipient_id = $1 AND local_date = $2",
            [key.recipientId, key.localDate],
          )
        : await db.query<Existing>(
            `SELECT id, status, claimed_at FROM alert_deliveries
              WHERE kind = 'untouched' AND recipient_id = $1 AND opportunity_id = $2 AND assigned_at = $3`,
            [key.recipientId, key.opportunityId, key.assignedAt],
          );
    return rows[0];
  }

  /** The rule every claim follows (see AlertDeliveryStore.claim). */
  private async takeable(db: Queryable, key: AlertKey, staleBefore: string, force: boolean) {
    const found = await this.existing(db, key);
    if (!found) return 'new' as const;
    if (!force || key.kind !== 'digest') return null;
    return found.status !== 'claimed' || found.claimed_at < staleBefore ? found : null;
  }

  async claimable(keys: AlertKey[], staleBefore: string, force = false) {
    return Promise.all(keys.map(async (key) => (await this.takeable(this.db, key, staleBefore, force)) !== null));
  }

  async claim(keys: AlertKey[], at: string, staleBefore: string, force = false) {
    // Claimed in one order whatever order they come in: two instances claiming overlapping keys wait for each other
    // instead of each holding a key the other waits for.
    const order = keys
      .map((_, index) => index)
      .sort((a, b) => (columns(keys[a]).order < columns(keys[b]).order ? -1 : 1));
    const claimed = await transaction(this.db, async (db) => {
      const ids = new Map<number, number | null>();
      for (const index of order) {
        const key = keys[index];
        const found = await this.takeable(db, key, staleBefore, force);
        if (found === null) {
          ids.set(index, null);
        } else if (found !== 'new') {
          // Taken over only if still as read: another instance's take-over in between leaves it alone.
          const { rows } = await db.query<{ id: number }>(
            `UPDATE alert_deliveries SET status = 'claimed', claimed_at = $1, done_at = NULL
              WHERE id = $2 AND (status <> 'claimed' OR claimed_at < $3) RETURNING id`,
            [at, found.id, staleBefore],
          );
          ids.set(index, rows[0]?.id ?? null);
        } else {
          const { localDate, opportunityId, assignedAt } = columns(key);
          const { rows } = await db.query<{ id: number }>(
            `INSERT INTO alert_deliveries (kind, recipient_id, local_date, opportunity_id, assigned_at, status, claimed_at)
               VALUES ($1, $2, $3, $4, $5, 'claimed', $6) ON CONFLICT DO NOTHING RETURNING id`,
            [key.kind, key.recipientId, localDate, opportunityId, assignedAt, at],
          );
          ids.set(index, rows[0]?.id ?? null);
        }
      }
      return ids;
    });
    return keys.map((_, index) => claimed.get(index) ?? null);
  }

  async finish(ids: number[], status: 'sent' | 'skipped', at: string) {
    if (!ids.length) return;
    await this.db.query(
      "UPDATE alert_deliveries SET status = $1, done_at = $2 WHERE status = 'claimed' AND id = ANY($3::bigint[])",
      [status, at, ids],
    );
  }

  async release(ids: number[]) {
    if (!ids.length) return;
    await this.db.query("DELETE FROM alert_deliveries WHERE status = 'claimed' AND id = ANY($1::bigint[])", [ids]);
  }
}
