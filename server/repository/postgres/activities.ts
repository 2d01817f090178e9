import type { Activity, ActivityStatus } from '../../../shared/schemas/activities';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type {
  Actor,
  ActivityChanges,
  ActivityIdentity,
  ActivityMatches,
  ActivityRecord,
  ActivityStore,
  Keyset,
  LoggedActivityFields,
  OutlookItemFields,
} from '../repository';
import { activityStamp, ActivityChangedError, editedColumns, matchStamp } from '../rows/activity-rows';
import { checkedLimit } from '../rows/page-size';
import { markRecent } from './recent-marks';
import { columnOf, heldTeamsVersion, writeAudit, type Queryable } from './support';

/**
 * Activities on PostgreSQL, as the SQLite backend keeps them (server/repository/sqlite/activities.ts). SQLite runs
 * one write at a time; here several instances write at once, so each write locks what its rule read until it commits:
 * the activity's row (FOR NO KEY UPDATE) and the opportunity it is regarding (FOR SHARE: its version is in the stamp),
 * the target opportunity at the version checked (FOR SHARE), the team change version (FOR SHARE), and an Outlook item's
 * identities (an advisory lock each), so that two links of the same item take turns and the second finds the first's
 * record. Locks are taken in this order: identities, activity rows (by id), opportunities, team changes.
 */

/**
 * The columns of an activity, its creator, contact, labels, participants and the opportunity it is regarding (the
 * names as subqueries: see columnOf).
 */
const SELECT_ACTIVITY = `SELECT a.id, a.kind, a.subject, a.status, a.sent_at, a.start_at, a.end_at, a.location,
    a.regarding_opportunity_id, a.internet_message_id, a.conversation_id, a.item_id, a.tracking_token,
    a.tracking_token_by_id, a.mailbox, a.version, a.created_by_id,
    ${columnOf('advisors', 'display_name', 'a.created_by_id')} AS creator_name,
    ${columnOf('advisors', 'email', 'a.created_by_id')} AS creator_email, a.created_at, a.updated_at, a.description,
    a.direction, a.duration_minutes, a.contact_id, ${columnOf('contacts', 'name', 'a.contact_id')} AS contact_name,
    ${columnOf('contacts', 'email', 'a.contact_id')} AS contact_email,
    a.category_id, ${columnOf('activity_labels', 'key', 'a.category_id')} AS category_key,
    ${columnOf('activity_labels', 'name', 'a.category_id')} AS category_name,
    a.outcome_id, ${columnOf('activity_labels', 'key', 'a.outcome_id')} AS outcome_key,
    ${columnOf('activity_labels', 'name', 'a.outcome_id')} AS outcome_name, a.scheduled_next_step, a.replaced_by_id,
    -- In the primary key's order on SQLite: the role as written, the address without ASCII case (NOCASE).
    coalesce((SELECT json_agg(json_build_array(p.role, p.email, p.name)
                ORDER BY p.role COLLATE "C", translate(p.email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C")
              FROM activity_participants p WHERE p.activity_id = a.id), '[]') AS participants,
    o.id AS regarding_id, o.topic AS regarding_topic, o.status AS regarding_status, o.stage AS regarding_stage,
    o.version AS regarding_version, o.owner_id AS regarding_owner_id,
    ${columnOf('advisors', 'display_name', 'o.owner_id')} AS regarding_owner_name,
    ${columnOf('advisors', 'email', 'o.owner_id')} AS regarding_owner_email,
    coalesce(${columnOf('contacts', 'name', 'o.customer_contact_id')},
             ${columnOf('organizations', 'name', 'o.customer_organization_id')}) AS regarding_customer_name
  FROM activities a
  LEFT JOIN opportunities o ON o.id = a.regarding_opportunity_id`;

interface ActivityRow {
  id: number;
  kind: Activity['kind'];
  subject: string;
  status: ActivityStatus;
  sent_at: string | null;
  start_at: string | null;
  end_at: string | null;
  location: string | null;
  regarding_opportunity_id: number | null;
  internet_message_id: string | null;
  conversation_id: string | null;
  item_id: string | null;
  tracking_token: string | null;
  tracking_token_by_id: number | null;
  mailbox: string | null;
  version: number;
  created_by_id: number;
  creator_name: string;
  creator_email: string;
  created_at: string;
  updated_at: string;
  description: string | null;
  direction: 'incoming' | 'outgoing' | null;
  duration_minutes: number | null;
  contact_id: number | null;
  contact_name: string | null;
  contact_email: string | null;
  category_id: number | null;
  category_key: string | null;
  category_name: string | null;
  outcome_id: number | null;
  outcome_key: string | null;
  outcome_name: string | null;
  scheduled_next_step: boolean;
  replaced_by_id: number | null;
  participants: [role: Activity['participants'][number]['role'], email: string, name: string | null][];
  regarding_id: number | null;
  regarding_topic: string;
  regarding_status: 'open' | 'won' | 'lost';
  regarding_stage: 'qualify' | 'develop' | 'propose' | 'close';
  regarding_version: number;
  regarding_owner_id: number;
  regarding_owner_name: string;
  regarding_owner_email: string;
  regarding_customer_name: string | null;
}

/** When an activity happened, as the timeline sorts it (the index activities_timeline). */
const TIMELINE_AT = 'coalesce(a.sent_at, a.start_at, a.created_at)';

const toRecord = (row: ActivityRow): ActivityRecord => ({
  id: row.id,
  kind: row.kind,
  subject: row.subject,
  status: row.status,
  participants: row.participants.map(([role, email, name]) => ({ email, name, role })),
  sentAt: row.sent_at,
  startAt: row.start_at,
  endAt: row.end_at,
  location: row.location,
  regarding:
    row.regarding_id !== null
      ? {
          id: row.regarding_id,
          topic: row.regarding_topic,
          status: row.regarding_status,
          stage: row.regarding_stage,
          owner: {
            id: row.regarding_owner_id,
            displayName: row.regarding_owner_name,
            email: row.regarding_owner_email,
          },
          customerName: row.regarding_customer_name,
        }
      : null,
  outlook: {
    internetMessageId: row.internet_message_id,
    conversationId: row.conversation_id,
    itemId: row.item_id,
    trackingToken: row.tracking_token,
    pending: row.kind === 'email' && row.internet_message_id === null && row.tracking_token !== null,
    mailbox: row.mailbox,
  },
  createdBy: { id: row.created_by_id, displayName: row.creator_name, email: row.creator_email },
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  description: row.description,
  direction: row.direction,
  durationMinutes: row.duration_minutes,
  contact: row.contact_id ? { id: row.contact_id, name: row.contact_name!, email: row.contact_email } : null,
  category: row.category_id ? { id: row.category_id, key: row.category_key!, name: row.category_name! } : null,
  outcome: row.outcome_id ? { id: row.outcome_id, key: row.outcome_key!, name: row.outcome_name! } : null,
  scheduledNextStep: row.scheduled_next_step,
  replacedById: row.replaced_by_id,
  trackingTokenById: row.tracking_token_by_id,
  stamp: activityStamp(row.version, row.regarding_id !== null ? row.regarding_version : null),
});

/** The activities `where` (with its own ORDER BY and LIMIT) selects, as records. */
export async function loadActivities(db: Queryable, where: string, params: unknown[]): Promise<ActivityRecord[]> {
  const { rows } = await db.query<ActivityRow>(`${SELECT_ACTIVITY} WHERE ${where}`, params);
  return rows.map(toRecord);
}

/**
 * Whether the team memberships a rule read (Actor.teamsVersion) still hold; call inside the write's transaction. The
 * version stays held until the transaction ends (heldTeamsVersion), so a membership change waits for this write (and
 * one under way makes this one wait, then see its version): the rights hold until the commit, as on SQLite.
 */
export async function rightsHold(db: Queryable, actor: Actor): Promise<boolean> {
  if (actor.teamsVersion === undefined) return true;
  return (await heldTeamsVersion(db)) === actor.teamsVersion;
}

/**
 * Whether the opportunity is still at the version a rule was checked on; call inside the write's transaction. Its row
 * stays share-locked until the transaction ends (a change of it waits for this write, or this one for it and then
 * finds the version moved). Not for a transaction that then updates the same opportunity: lock it FOR NO KEY UPDATE.
 */
export async function opportunityAt(db: Queryable, id: number, version: number): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM opportunities WHERE id = $1 AND version = $2 FOR SHARE', [
    id,
    version,
  ]);
  return Boolean(rowCount);
}

type IdentityIds = [byMessageId: number | null, byToken: number | null, byItemId: number | null];

/** The records an item's identities name (an empty identity names none), as SQLite's identityIds. */
async function identityIds(db: Queryable, identity: ActivityIdentity): Promise<IdentityIds> {
  const { rows } = await db.query<{ m: number | null; t: number | null; i: number | null }>(
    `SELECT (SELECT id FROM activities WHERE internet_message_id = $1) AS m,
            (SELECT id FROM activities WHERE tracking_token = $2) AS t,
            (SELECT id FROM activities WHERE item_id = $3) AS i`,
    [identity.internetMessageId || null, identity.trackingToken || null, identity.itemId || null],
  );
  return [rows[0].m, rows[0].t, rows[0].i];
}

/**
 * Until the transaction ends, the only one writing these identities of an Outlook item (unique columns): two links of
 * the same item take turns, and the second reads the first's record. Locked in one order (by key), so two callers
 * never wait on each other.
 */
async function lockIdentities(
  db: Queryable,
  identities: ['internet_message_id' | 'tracking_token' | 'item_id', string | null | undefined][],
): Promise<void> {
  const keys = identities.filter(([, value]) => value).map(([column, value]) => `activity ${column} ${value}`);
  if (keys.length === 0) return;
  await db.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest($1::text[]) key ORDER BY k) keys`,
    [keys],
  );
}

/**
 * The activities' rows locked (in id order) until the transaction ends, each with its stamp (null: gone), the
 * opportunities they are regarding share-locked: what a rule saw of them holds until the commit.
 */
async function lockActivities(db: Queryable, ids: number[], stamps = new Map<number, string | null>()) {
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    if (stamps.has(id)) continue;
    const { rows } = await db.query<{ version: number; regarding_opportunity_id: number | null }>(
      'SELECT version, regarding_opportunity_id FROM activities WHERE id = $1 FOR NO KEY UPDATE',
      [id],
    );
    const row = rows[0];
    if (!row) {
      stamps.set(id, null);
      continue;
    }
    let regardingVersion: number | null = null;
    if (row.regarding_opportunity_id !== null) {
      const regarding = await db.query<{ version: number }>(
        'SELECT version FROM opportunities WHERE id = $1 FOR SHARE',
        [row.regarding_opportunity_id],
      );
      regardingVersion = regarding.rows[0]?.version ?? null;
    }
    stamps.set(id, activityStamp(row.version, regardingVersion));
  }
  return stamps;
}

/** The state a rule saw of one activity (ActivityRecord.stamp), read again inside a write, its row locked. */
async function lockedStamp(db: Queryable, id: number): Promise<string | null> {
  return (await lockActivities(db, [id])).get(id) ?? null;
}

/**
 * The records an item's identities name, each locked with its stamp: read again once they are locked, until no
 * identity names a record not locked yet (one could have been deleted, its identity passed on, before its lock).
 * Call with the identities locked (lockIdentities); `stamps`: the rows this transaction locked already.
 */
async function lockMatches(db: Queryable, identity: ActivityIdentity, stamps = new Map<number, string | null>()) {
  for (;;) {
    const ids = await identityIds(db, identity);
    const unlocked = ids.filter((id): id is number => id !== null && !stamps.has(id));
    if (unlocked.length === 0) return { ids, stamp: matchStamp(ids, (id) => stamps.get(id) ?? null) };
    await lockActivities(db, unlocked, stamps);
  }
}

/** An activity's participants as stored, as one text to compare (in one order: its key's). */
async function participantsText(db: Queryable, activityId: number): Promise<string> {
  const { rows } = await db.query<{ participants: string }>(
    `SELECT coalesce(json_agg(json_build_array(role, email, name) ORDER BY role, lower(email))::text, '[]')
       AS participants
     FROM activity_participants WHERE activity_id = $1`,
    [activityId],
  );
  return rows[0].participants;
}

/**
 * The item's participants in place of the activity's (none given: its own stay). Whether that changed an existing
 * activity's stored participants: the same ones again, in any order, are no change.
 */
async function replaceParticipants(
  db: Queryable,
  activityId: number,
  participants: OutlookItemFields['participants'],
  created: boolean,
): Promise<boolean> {
  if (participants.length === 0) return false;
  const before = created ? null : await participantsText(db, activityId);
  if (!created) await db.query('DELETE FROM activity_participants WHERE activity_id = $1', [activityId]);
  // In the order given: of two with the same role and address (in any case), the first stays (SQLite's INSERT OR IGNORE).
  await db.query(
    `INSERT INTO activity_participants (activity_id, role, email, name)
       SELECT $1, role, email, name FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS p (role, email, name, n)
       ORDER BY n
     ON CONFLICT DO NOTHING`,
    [activityId, participants.map((p) => p.role), participants.map((p) => p.email), participants.map((p) => p.name)],
  );
  return !created && (await participantsText(db, activityId)) !== before;
}

/**
 * Set Regarding for an Outlook item: returns its activity's id. Call inside a transaction (its client: `db`), as the
 * opportunity's create does for its linked item; throws ActivityChangedError (nothing should be saved: roll back) when
 * the item's records are no longer as `item.seen` says or team memberships changed since `actor.teamsVersion`. The
 * item's identity decides which activity it is: the one with its internetMessageId, else its tracking token, else its
 * item id. When a sent email arrives whose compose draft was linked under a tracking token, the two are one message:
 * the draft's pending record is folded into the sent one. Marks the opportunity Recent for the actor.
 */
export async function upsertRegarding(
  db: Queryable,
  item: OutlookItemFields,
  opportunityId: number,
  actor: Actor,
): Promise<number> {
  await lockIdentities(db, [
    ['internet_message_id', item.internetMessageId],
    ['tracking_token', item.trackingToken],
    ['item_id', item.itemId],
  ]);
  const matches = await lockMatches(db, item);
  if (item.seen !== undefined && matches.stamp !== item.seen) throw new ActivityChangedError();
  if (!(await rightsHold(db, actor))) throw new ActivityChangedError();
  const [byMessageId, , byItemId] = matches.ids;

  let byToken = matches.ids[1];
  // The token stays its writer's when the draft is folded into someone else's record of the message.
  let tokenBy = actor.advisorId;
  let folded = false;
  if (byMessageId !== null && byToken !== null && byToken !== byMessageId) {
    const draft = await db.query<{ tracking_token_by_id: number | null }>(
      'SELECT tracking_token_by_id FROM activities WHERE id = $1',
      [byToken],
    );
    tokenBy = draft.rows[0]?.tracking_token_by_id ?? tokenBy;
    await db.query('DELETE FROM activities WHERE id = $1', [byToken]);
    await writeAudit(db, actor, 'activity', byToken, 'merge-into', { activityId: byMessageId });
    byToken = null;
    folded = true;
  }
  const existing = byMessageId ?? byToken ?? byItemId;
  const status = item.kind === 'email' ? 'completed' : 'open';

  let id: number;
  if (existing === null) {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO activities (kind, subject, status, sent_at, start_at, end_at, location, regarding_opportunity_id,
           internet_message_id, conversation_id, item_id, tracking_token, tracking_token_by_id, created_by_id,
           created_at, updated_at, mailbox)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
       RETURNING id`,
      [
        item.kind,
        item.subject,
        status,
        item.sentAt,
        item.startAt,
        item.endAt,
        item.location,
        opportunityId,
        item.internetMessageId,
        item.conversationId,
        item.itemId,
        item.trackingToken,
        item.trackingToken === null ? null : actor.advisorId,
        actor.advisorId,
        actor.at,
        item.mailbox,
      ],
    );
    id = rows[0].id;
    await writeAudit(db, actor, 'activity', id, 'create', { kind: item.kind, regarding: opportunityId });
    await replaceParticipants(db, id, item.participants, true);
  } else {
    id = existing;
    const participantsChanged = await replaceParticipants(db, id, item.participants, false);
    // Fill in identities the record lacks, unless another record already holds them. A new version only when
    // something changed (a stored value, its participants, a draft folded into it): the same item linked again to
    // the same opportunity leaves the record as it was, so its stamp, on which other links' rules were checked, holds.
    const free = (other: number | null) => other === null || other === id;
    const token = free(byToken) ? item.trackingToken : null;
    await db.query(
      `UPDATE activities AS a SET subject = n.subject, sent_at = n.sent_at, start_at = n.start_at, end_at = n.end_at,
         location = n.location, conversation_id = n.conversation_id, internet_message_id = n.internet_message_id,
         tracking_token_by_id = n.tracking_token_by_id, tracking_token = n.tracking_token, item_id = n.item_id,
         regarding_opportunity_id = n.regarding_opportunity_id, mailbox = n.mailbox,
         updated_at = $13, version = a.version + 1
       FROM (SELECT
           CASE WHEN $1::text <> '' THEN $1 ELSE subject END AS subject,
           coalesce($2, sent_at) AS sent_at, coalesce($3, start_at) AS start_at,
           coalesce($4, end_at) AS end_at, coalesce($5, location) AS location,
           coalesce(conversation_id, $6) AS conversation_id,
           coalesce(internet_message_id, $7) AS internet_message_id,
           CASE WHEN tracking_token IS NULL AND $8::text IS NOT NULL THEN $9::bigint
                ELSE tracking_token_by_id END AS tracking_token_by_id,
           coalesce(tracking_token, $8) AS tracking_token,
           coalesce(item_id, $10) AS item_id,
           $11::bigint AS regarding_opportunity_id, $12::text AS mailbox
         FROM activities WHERE id = $14) AS n
       WHERE a.id = $14 AND ($15::boolean OR
         (a.subject, a.sent_at, a.start_at, a.end_at, a.location, a.conversation_id, a.internet_message_id,
          a.tracking_token_by_id, a.tracking_token, a.item_id, a.regarding_opportunity_id, a.mailbox)
         IS DISTINCT FROM (n.subject, n.sent_at, n.start_at, n.end_at, n.location, n.conversation_id,
          n.internet_message_id, n.tracking_token_by_id, n.tracking_token, n.item_id, n.regarding_opportunity_id,
          n.mailbox))`,
      [
        item.subject,
        item.sentAt,
        item.startAt,
        item.endAt,
        item.location,
        item.conversationId,
        free(byMessageId) ? item.internetMessageId : null,
        token,
        tokenBy,
        free(byItemId) ? item.itemId : null,
        opportunityId,
        item.mailbox,
        actor.at,
        id,
        participantsChanged || folded,
      ],
    );
    await writeAudit(db, actor, 'activity', id, 'set-regarding', { regarding: opportunityId });
  }
  await markRecent(db, actor.advisorId, opportunityId, actor.at);
  return id;
}

export class PostgresActivityStore implements ActivityStore {
  constructor(private readonly db: Postgres) {}

  private async get(id: number, db: Queryable = this.db): Promise<ActivityRecord> {
    return (await loadActivities(db, 'a.id = $1', [id]))[0];
  }

  async findById(id: number) {
    return (await loadActivities(this.db, 'a.id = $1', [id]))[0] ?? null;
  }

  async findByIdentity(identity: ActivityIdentity) {
    const id = (await identityIds(this.db, identity)).find((found) => found !== null) ?? null;
    return id === null ? null : this.get(id);
  }

  async findMatches(identity: ActivityIdentity): Promise<ActivityMatches> {
    const ids = await identityIds(this.db, identity);
    const found = ids.filter((id) => id !== null);
    const records = new Map(
      (found.length ? await loadActivities(this.db, 'a.id = ANY($1::bigint[])', [found]) : []).map((record) => [
        record.id,
        record,
      ]),
    );
    const [byMessageId, byToken, byItemId] = ids.map((id) => (id === null ? null : (records.get(id) ?? null)));
    return { byMessageId, byToken, byItemId, stamp: matchStamp(ids, (id) => records.get(id)?.stamp ?? null) };
  }

  async upsertRegarding(item: OutlookItemFields, opportunityId: number, opportunityVersion: number, actor: Actor) {
    try {
      // The answer is read inside the transaction, as the SQLite backend does: the record as this link left it.
      return await transaction(this.db, async (db) => {
        if (!(await opportunityAt(db, opportunityId, opportunityVersion))) throw new ActivityChangedError();
        return this.get(await upsertRegarding(db, item, opportunityId, actor), db);
      });
    } catch (error) {
      if (error instanceof ActivityChangedError) return 'stale' as const;
      throw error;
    }
  }

  async setRegarding(id: number, target: { id: number; version: number } | null, actor: Actor, seen: string) {
    const opportunityId = target?.id ?? null;
    const done = await transaction(this.db, async (db) => {
      if ((await lockedStamp(db, id)) !== seen || !(await rightsHold(db, actor))) return false;
      if (target && !(await opportunityAt(db, target.id, target.version))) return false;
      await db.query(
        'UPDATE activities SET regarding_opportunity_id = $1, updated_at = $2, version = version + 1 WHERE id = $3',
        [opportunityId, actor.at, id],
      );
      if (opportunityId !== null) await markRecent(db, actor.advisorId, opportunityId, actor.at);
      await writeAudit(db, actor, 'activity', id, opportunityId === null ? 'remove-regarding' : 'set-regarding', {
        regarding: opportunityId,
      });
      return true;
    });
    return done ? this.get(id) : ('stale' as const);
  }

  async completeSent(
    id: number,
    sent: { internetMessageId: string; conversationId: string | null; sentAt: string | null },
    actor: Actor,
    seen: { activity: string; sent: string },
  ) {
    const resultId = await transaction(this.db, async (db) => {
      // The identities this may write: the sent message's, and the draft's token (passed on to the sent copy's record).
      // Read before its row is locked: should the token change meanwhile, the draft's version moved and it is stale.
      const draftToken = await db.query<{ tracking_token: string | null }>(
        'SELECT tracking_token FROM activities WHERE id = $1',
        [id],
      );
      await lockIdentities(db, [
        ['internet_message_id', sent.internetMessageId],
        ['tracking_token', draftToken.rows[0]?.tracking_token],
      ]);
      if (!(await rightsHold(db, actor))) return null;
      const others = await db.query<{ id: number }>('SELECT id FROM activities WHERE internet_message_id = $1', [
        sent.internetMessageId,
      ]);
      const stamps = await lockActivities(db, [id, ...others.rows.map((row) => row.id)]);
      if (stamps.get(id) !== seen.activity) return null;
      const matches = await lockMatches(db, { internetMessageId: sent.internetMessageId }, stamps);
      if (matches.stamp !== seen.sent) return null;
      const other = matches.ids[0];
      if (other !== null && other !== id) {
        // The sent copy was linked on its own already: keep that record, lose the draft's.
        const { rows } = await db.query<{
          regarding_opportunity_id: number | null;
          tracking_token: string | null;
          tracking_token_by_id: number | null;
        }>('SELECT regarding_opportunity_id, tracking_token, tracking_token_by_id FROM activities WHERE id = $1', [id]);
        const draft = rows[0];
        await db.query('DELETE FROM activities WHERE id = $1', [id]);
        await db.query(
          `UPDATE activities SET regarding_opportunity_id = coalesce(regarding_opportunity_id, $1),
               tracking_token_by_id = CASE WHEN tracking_token IS NULL THEN $2::bigint ELSE tracking_token_by_id END,
               tracking_token = coalesce(tracking_token, $3), updated_at = $4, version = version + 1 WHERE id = $5`,
          [draft.regarding_opportunity_id, draft.tracking_token_by_id, draft.tracking_token, actor.at, other],
        );
        await writeAudit(db, actor, 'activity', id, 'merge-into', { activityId: other });
        return other;
      }
      await db.query(
        `UPDATE activities SET internet_message_id = $1, conversation_id = coalesce($2, conversation_id),
             sent_at = coalesce($3, sent_at), status = 'completed', updated_at = $4, version = version + 1 WHERE id = $5`,
        [sent.internetMessageId, sent.conversationId, sent.sentAt, actor.at, id],
      );
      await writeAudit(db, actor, 'activity', id, 'complete-sent', sent);
      return id;
    });
    return resultId === null ? ('stale' as const) : this.get(resultId);
  }

  pendingDrafts(
    advisorId: number,
    sent: {
      subject: string;
      recipients: string[];
      conversationId: string | null;
      linkedFrom: string;
      linkedTo: string;
    },
    limit: number,
  ) {
    // On the partial index activities_pending_drafts: only the advisor's unsent links are read.
    return loadActivities(
      this.db,
      `a.created_by_id = $1 AND a.internet_message_id IS NULL AND a.tracking_token IS NOT NULL
         AND a.tracking_token_by_id = $1 AND a.kind = 'email' AND a.status <> 'canceled'
         AND a.regarding_opportunity_id IS NOT NULL
         AND a.created_at >= $2 AND a.created_at <= $3
         AND trim(a.subject) = $4
         AND (a.conversation_id IS NULL OR $5::text IS NULL OR a.conversation_id = $5)
         AND (SELECT count(DISTINCT lower(p.email)) FROM activity_participants p
                WHERE p.activity_id = a.id AND p.role IN ('to', 'cc')) = $6
         AND NOT EXISTS (SELECT 1 FROM activity_participants p WHERE p.activity_id = a.id AND p.role IN ('to', 'cc')
                AND lower(p.email) <> ALL ($7::text[]))
       ORDER BY a.created_at DESC, a.id DESC LIMIT ${checkedLimit(limit)}`,
      [
        advisorId,
        sent.linkedFrom,
        sent.linkedTo,
        sent.subject,
        sent.conversationId,
        sent.recipients.length,
        sent.recipients,
      ],
    );
  }

  async createNextStep(
    fields: {
      kind: 'phone_call' | 'task';
      subject: string;
      opportunityId: number;
      startAt: string | null;
      endAt: string | null;
    } & Partial<LoggedActivityFields>,
    opportunityVersion: number,
    actor: Actor,
  ) {
    const id = await transaction(this.db, async (db) => {
      if (!(await opportunityAt(db, fields.opportunityId, opportunityVersion)) || !(await rightsHold(db, actor)))
        return null;
      // One scheduled next step per advisor and opportunity while it is open: a second click, or a second pane
      // at the same instant (on either instance), gets the one already scheduled instead of a duplicate.
      if (fields.scheduledNextStep && (fields.status ?? 'open') === 'open') {
        await db.query(
          "SELECT pg_advisory_xact_lock(hashtextextended('scheduled next step ' || $1::text || ' ' || $2::text, 0))",
          [fields.opportunityId, actor.advisorId],
        );
        const scheduled = await db.query<{ id: number }>(
          `SELECT id FROM activities WHERE regarding_opportunity_id = $1 AND created_by_id = $2 AND kind = 'task'
             AND status = 'open' AND scheduled_next_step ORDER BY id LIMIT 1`,
          [fields.opportunityId, actor.advisorId],
        );
        if (scheduled.rows[0]) return scheduled.rows[0].id;
      }
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO activities (kind, subject, status, start_at, end_at, regarding_opportunity_id, created_by_id,
           created_at, updated_at, description, direction, duration_minutes, contact_id, category_id, outcome_id,
           scheduled_next_step)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING id`,
        [
          fields.kind,
          fields.subject,
          fields.status ?? 'open',
          fields.startAt,
          fields.endAt,
          fields.opportunityId,
          actor.advisorId,
          actor.at,
          fields.description ?? null,
          fields.direction ?? null,
          fields.durationMinutes ?? null,
          fields.contactId ?? null,
          fields.categoryId ?? null,
          fields.outcomeId ?? null,
          Boolean(fields.scheduledNextStep),
        ],
      );
      await writeAudit(db, actor, 'activity', rows[0].id, 'create', fields);
      return rows[0].id;
    });
    return id === null ? ('stale' as const) : this.get(id);
  }

  async setStatus(id: number, status: ActivityStatus, actor: Actor, seen: string) {
    const done = await transaction(this.db, async (db) => {
      if ((await lockedStamp(db, id)) !== seen || !(await rightsHold(db, actor))) return false;
      // A task reopened is no longer replaced by anything.
      await db.query(
        `UPDATE activities SET status = $1::text, updated_at = $2, version = version + 1,
           replaced_by_id = CASE WHEN $1::text = 'open' THEN NULL ELSE replaced_by_id END
         WHERE id = $3`,
        [status, actor.at, id],
      );
      await writeAudit(db, actor, 'activity', id, 'status', { status });
      return true;
    });
    return done ? this.get(id) : ('stale' as const);
  }

  async edit(id: number, changes: ActivityChanges, actor: Actor, seen: string) {
    const set = editedColumns(changes);
    const done = await transaction(this.db, async (db) => {
      if ((await lockedStamp(db, id)) !== seen || !(await rightsHold(db, actor))) return false;
      // The replacing appointment was checked before the write: it must still be an open one on the same opportunity
      // (and stays so until the commit: its row is share-locked).
      if (typeof changes.replacedById === 'number') {
        const replacing = await db.query(
          `SELECT 1 FROM activities r JOIN activities t ON t.id = $1
             WHERE r.id = $2 AND r.kind = 'appointment' AND r.status = 'open'
               AND r.regarding_opportunity_id = t.regarding_opportunity_id
           FOR SHARE OF r`,
          [id, changes.replacedById],
        );
        if (!replacing.rowCount) return false;
      }
      await db.query(
        `UPDATE activities SET ${set.map(([column], index) => `${column} = $${index + 1}, `).join('')}updated_at = $${
          set.length + 1
        }, version = version + 1 WHERE id = $${set.length + 2}`,
        [...set.map(([, value]) => value), actor.at, id],
      );
      await writeAudit(db, actor, 'activity', id, 'edit', changes);
      return true;
    });
    return done ? this.get(id) : ('stale' as const);
  }

  async regarding(opportunityId: number, page: Keyset, status?: ActivityStatus): Promise<Activity[]> {
    // Keyset paging on the timeline's own index (activities_timeline): the row comparison starts the page at the
    // cursor, so a page costs the same however far back it is.
    const params: unknown[] = [opportunityId, status ?? null];
    if (page.before) params.push(page.before.at, page.before.id);
    const records = await loadActivities(
      this.db,
      `a.regarding_opportunity_id = $1 AND ($2::text IS NULL OR a.status = $2)
         ${page.before ? `AND (${TIMELINE_AT}, a.id) < ($3::timestamptz, $4::bigint)` : ''}
       ORDER BY ${TIMELINE_AT} DESC, a.id DESC LIMIT ${checkedLimit(page.limit)}`,
      params,
    );
    return records.map((activity) => ({ ...activity, outlook: { ...activity.outlook, trackingToken: null } }));
  }

  async countRegarding(opportunityId: number, status: ActivityStatus) {
    const { rows } = await this.db.query<{ n: number }>(
      'SELECT count(*) AS n FROM activities WHERE regarding_opportunity_id = $1 AND status = $2',
      [opportunityId, status],
    );
    return rows[0].n;
  }
}
