import type { Db } from '../../db/connection';
import type { Activity, ActivityStatus } from '../../../shared/schemas/activities';
import type {
  Actor,
  ActivityChanges,
  ActivityIdentity,
  LoggedActivityFields,
  ActivityMatches,
  ActivityRecord,
  ActivityStore,
  Keyset,
  OutlookItemFields,
} from '../repository';
import { activityStamp, ActivityChangedError, editedColumns, matchStamp } from '../rows/activity-rows';
import { checkedLimit } from '../rows/page-size';
import { write } from './writes';
import { list, opportunityAt, rightsHold, writeAudit, sql, sqlArrays } from './support';

/** The columns of an activity, its creator, contact and labels, in the order of `ActivityRow`. */
const ACTIVITY_COLUMNS = `a.id, a.kind, a.subject, a.status, a.sent_at, a.start_at, a.end_at, a.location,
    a.regarding_opportunity_id, a.internet_message_id, a.conversation_id, a.item_id, a.tracking_token,
    a.tracking_token_by_id, a.mailbox, a.version, a.created_by_id, cb.display_name, cb.email, a.created_at, a.updated_at,
    a.description, a.direction, a.duration_minutes, a.contact_id, ac.name, ac.email,
    a.category_id, lc.key, lc.name, a.outcome_id, lo.key, lo.name, a.scheduled_next_step, a.replaced_by_id`;

/**
 * Each activity as one JSON text, its participants last ([role, email, name] in the primary key's order, as a second
 * statement read them before): the event loop parses a page's texts at once, where reading its values as columns
 * made a JavaScript value of each through the driver, one by one (a timeline page of 25 at 1M, with its
 * participants: 396–448 → 339–342 µs of CPU). Its values are text, integers and nulls, which JSON keeps as they are.
 */
const SELECT_ACTIVITY = `SELECT json_array(${ACTIVITY_COLUMNS},
    (SELECT json_group_array(json_array(role, email, name)) FROM (SELECT role, email, name
      FROM activity_participants WHERE activity_id = a.id ORDER BY role, email)))
  FROM activities a
  JOIN advisors cb ON cb.id = a.created_by_id
  LEFT JOIN contacts ac ON ac.id = a.contact_id
  LEFT JOIN activity_labels lc ON lc.id = a.category_id
  LEFT JOIN activity_labels lo ON lo.id = a.outcome_id`;

type ActivityRow = [
  id: number,
  kind: Activity['kind'],
  subject: string,
  status: ActivityStatus,
  sentAt: string | null,
  startAt: string | null,
  endAt: string | null,
  location: string | null,
  regardingId: number | null,
  internetMessageId: string | null,
  conversationId: string | null,
  itemId: string | null,
  trackingToken: string | null,
  trackingTokenById: number | null,
  mailbox: string | null,
  version: number,
  creatorId: number,
  creatorName: string,
  creatorEmail: string,
  createdAt: string,
  updatedAt: string,
  description: string | null,
  direction: 'incoming' | 'outgoing' | null,
  durationMinutes: number | null,
  contactId: number | null,
  contactName: string | null,
  contactEmail: string | null,
  categoryId: number | null,
  categoryKey: string | null,
  categoryName: string | null,
  outcomeId: number | null,
  outcomeKey: string | null,
  outcomeName: string | null,
  scheduledNextStep: number,
  replacedById: number | null,
  participants: [role: Activity['participants'][number]['role'], email: string, name: string | null][],
];

/**
 * The opportunities the activities are regarding, each read once: a timeline's rows all regard the same one, which
 * joined to every row cost more than the rows themselves.
 */
const SELECT_REGARDING = `SELECT o.id, o.topic, o.status, o.stage, o.version, o.owner_id, ow.display_name, ow.email,
    coalesce(rc.name, rg.name)
  FROM opportunities o
  LEFT JOIN advisors ow ON ow.id = o.owner_id
  LEFT JOIN contacts rc ON rc.id = o.customer_contact_id
  LEFT JOIN organizations rg ON rg.id = o.customer_organization_id
  WHERE o.id IN (SELECT value FROM json_each(?))`;

type RegardingRow = [
  id: number,
  topic: string,
  status: 'open' | 'won' | 'lost',
  stage: 'qualify' | 'develop' | 'propose' | 'close',
  version: number,
  ownerId: number,
  ownerName: string,
  ownerEmail: string,
  customerName: string | null,
];

/** When an activity happened, as the timeline sorts it. */
const TIMELINE_AT = 'coalesce(a.sent_at, a.start_at, a.created_at)';

export function loadActivities(db: Db, where: string, ...params: unknown[]): ActivityRecord[] {
  const texts = sql(db, `${SELECT_ACTIVITY} WHERE ${where}`)
    .pluck()
    .all(...params) as string[];
  if (texts.length === 0) return [];
  const rows = JSON.parse(`[${texts.join(',')}]`) as ActivityRow[];
  const regardingIds = [...new Set(rows.map((row) => row[8]).filter((id) => id !== null))];
  const regarding = new Map(
    regardingIds.length
      ? (sqlArrays(db, SELECT_REGARDING).all(list(regardingIds)) as RegardingRow[]).map((row) => [row[0], row])
      : [],
  );
  return rows.map(
    ([
      id,
      kind,
      subject,
      status,
      sentAt,
      startAt,
      endAt,
      location,
      regardingId,
      internetMessageId,
      conversationId,
      itemId,
      trackingToken,
      trackingTokenById,
      mailbox,
      version,
      creatorId,
      creatorName,
      creatorEmail,
      createdAt,
      updatedAt,
      description,
      direction,
      durationMinutes,
      contactId,
      contactName,
      contactEmail,
      categoryId,
      categoryKey,
      categoryName,
      outcomeId,
      outcomeKey,
      outcomeName,
      scheduledNextStep,
      replacedById,
      participants,
    ]) => {
      const opportunity = regardingId === null ? undefined : regarding.get(regardingId);
      return {
        id,
        kind,
        subject,
        status,
        participants: participants.map(([role, email, name]) => ({ email, name, role })),
        sentAt,
        startAt,
        endAt,
        location,
        regarding: opportunity
          ? {
              id: opportunity[0],
              topic: opportunity[1],
              status: opportunity[2],
              stage: opportunity[3],
              owner: { id: opportunity[5], displayName: opportunity[6], email: opportunity[7] },
              customerName: opportunity[8],
            }
          : null,
        outlook: {
          internetMessageId,
          conversationId,
          itemId,
          trackingToken,
          pending: kind === 'email' && internetMessageId === null && trackingToken !== null,
          mailbox,
        },
        createdBy: { id: creatorId, displayName: creatorName, email: creatorEmail },
        createdAt,
        updatedAt,
        description,
        direction,
        durationMinutes,
        contact: contactId ? { id: contactId, name: contactName!, email: contactEmail } : null,
        category: categoryId ? { id: categoryId, key: categoryKey!, name: categoryName! } : null,
        outcome: outcomeId ? { id: outcomeId, key: outcomeKey!, name: outcomeName! } : null,
        scheduledNextStep: scheduledNextStep === 1,
        replacedById,
        trackingTokenById,
        stamp: activityStamp(version, opportunity ? opportunity[4] : null),
      };
    },
  );
}

function idBy(
  db: Db,
  column: 'internet_message_id' | 'tracking_token' | 'item_id',
  value: string | null | undefined,
): number | null {
  if (!value) return null;
  return (sql(db, `SELECT id FROM activities WHERE ${column} = ?`).pluck().get(value) as number | undefined) ?? null;
}

/** The state a rule saw of one activity (ActivityRecord.stamp), read again inside a write. */
function stampOf(db: Db, id: number): string | null {
  const row = sql(
    db,
    `SELECT a.version, o.version AS regarding_version FROM activities a
       LEFT JOIN opportunities o ON o.id = a.regarding_opportunity_id WHERE a.id = ?`,
  ).get(id) as { version: number; regarding_version: number | null } | undefined;
  return row ? activityStamp(row.version, row.regarding_version) : null;
}

function identityIds(db: Db, identity: ActivityIdentity): [number | null, number | null, number | null] {
  return [
    idBy(db, 'internet_message_id', identity.internetMessageId),
    idBy(db, 'tracking_token', identity.trackingToken),
    idBy(db, 'item_id', identity.itemId),
  ];
}

/** ActivityMatches.stamp, read again inside a write. */
function matchesStamp(db: Db, identity: ActivityIdentity): string {
  return matchStamp(identityIds(db, identity), (id) => stampOf(db, id));
}

export function markRecent(db: Db, advisorId: number, opportunityId: number, at: string): void {
  sql(
    db,
    `INSERT INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)
     ON CONFLICT (advisor_id, opportunity_id) DO UPDATE SET used_at = excluded.used_at`,
  ).run(advisorId, opportunityId, at);
}

/** An activity's participants as stored, as one text to compare (in the primary key's order). */
function participantsText(db: Db, activityId: number): string {
  return sql(
    db,
    `SELECT json_group_array(json_array(role, email, name)) FROM (SELECT role, email, name
       FROM activity_participants WHERE activity_id = ? ORDER BY role, email)`,
  )
    .pluck()
    .get(activityId) as string;
}

/**
 * The item's participants in place of the activity's (none given: its own stay). Whether that changed an existing
 * activity's stored participants: the same ones again, in any order, are no change.
 */
function replaceParticipants(
  db: Db,
  activityId: number,
  participants: OutlookItemFields['participants'],
  created: boolean,
): boolean {
  if (participants.length === 0) return false;
  const before = created ? null : participantsText(db, activityId);
  if (!created) sql(db, 'DELETE FROM activity_participants WHERE activity_id = ?').run(activityId);
  const insert = sql(
    db,
    'INSERT OR IGNORE INTO activity_participants (activity_id, role, email, name) VALUES (?, ?, ?, ?)',
  );
  for (const p of participants) insert.run(activityId, p.role, p.email, p.name);
  return !created && participantsText(db, activityId) !== before;
}

/**
 * Set Regarding for an Outlook item; call inside a transaction. The item's identity decides which
 * activity it is: the one with its internetMessageId, else its tracking token, else its item id.
 * When a sent email arrives whose compose draft was linked under a tracking token, the two are one
 * message: the draft's pending record is folded into the sent one.
 */
export function upsertRegarding(db: Db, item: OutlookItemFields, opportunityId: number, actor: Actor): number {
  const ids = identityIds(db, item);
  if (item.seen !== undefined && matchStamp(ids, (id) => stampOf(db, id)) !== item.seen)
    throw new ActivityChangedError();
  if (!rightsHold(db, actor)) throw new ActivityChangedError();
  const [byMessageId, , byItemId] = ids;

  let byToken = ids[1];
  // The token stays its writer's when the draft is folded into someone else's record of the message.
  let tokenBy = actor.advisorId;
  let folded = false;
  if (byMessageId !== null && byToken !== null && byToken !== byMessageId) {
    tokenBy =
      (sql(db, 'SELECT tracking_token_by_id FROM activities WHERE id = ?').pluck().get(byToken) as number | null) ??
      tokenBy;
    sql(db, 'DELETE FROM activities WHERE id = ?').run(byToken);
    writeAudit(db, actor, 'activity', byToken, 'merge-into', { activityId: byMessageId });
    byToken = null;
    folded = true;
  }
  const existing = byMessageId ?? byToken ?? byItemId;
  const status = item.kind === 'email' ? 'completed' : 'open';

  let id: number;
  if (existing === null) {
    id = Number(
      sql(
        db,
        `INSERT INTO activities (kind, subject, status, sent_at, start_at, end_at, location, regarding_opportunity_id,
             internet_message_id, conversation_id, item_id, tracking_token, tracking_token_by_id, created_by_id,
             created_at, updated_at, mailbox)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
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
        actor.at,
        item.mailbox,
      ).lastInsertRowid,
    );
    writeAudit(db, actor, 'activity', id, 'create', { kind: item.kind, regarding: opportunityId });
    replaceParticipants(db, id, item.participants, true);
  } else {
    id = existing;
    const participantsChanged = replaceParticipants(db, id, item.participants, false);
    // Fill in identities the record lacks, unless another record already holds them. A new version only when
    // something changed (a stored value, its participants, a draft folded into it): the same item linked again to
    // the same opportunity leaves the record as it was, so its stamp, on which other links' rules were checked, holds.
    const free = (other: number | null) => other === null || other === id;
    const token = free(byToken) ? item.trackingToken : null;
    sql(
      db,
      `UPDATE activities AS a SET subject = n.subject, sent_at = n.sent_at, start_at = n.start_at, end_at = n.end_at,
         location = n.location, conversation_id = n.conversation_id, internet_message_id = n.internet_message_id,
         tracking_token_by_id = n.tracking_token_by_id, tracking_token = n.tracking_token, item_id = n.item_id,
         regarding_opportunity_id = n.regarding_opportunity_id, mailbox = n.mailbox,
         updated_at = :at, version = a.version + 1
       FROM (SELECT
           CASE WHEN :subject <> '' THEN :subject ELSE subject END AS subject,
           coalesce(:sentAt, sent_at) AS sent_at, coalesce(:startAt, start_at) AS start_at,
           coalesce(:endAt, end_at) AS end_at, coalesce(:location, location) AS location,
           coalesce(conversation_id, :conversationId) AS conversation_id,
           coalesce(internet_message_id, :internetMessageId) AS internet_message_id,
           CASE WHEN tracking_token IS NULL AND :token IS NOT NULL THEN :tokenBy
                ELSE tracking_token_by_id END AS tracking_token_by_id,
           coalesce(tracking_token, :token) AS tracking_token,
           coalesce(item_id, :itemId) AS item_id,
           :opportunityId AS regarding_opportunity_id, :mailbox AS mailbox
         FROM activities WHERE id = :id) AS n
       WHERE a.id = :id AND (:changed OR
         (a.subject, a.sent_at, a.start_at, a.end_at, a.location, a.conversation_id, a.internet_message_id,
          a.tracking_token_by_id, a.tracking_token, a.item_id, a.regarding_opportunity_id, a.mailbox)
         IS NOT (n.subject, n.sent_at, n.start_at, n.end_at, n.location, n.conversation_id, n.internet_message_id,
          n.tracking_token_by_id, n.tracking_token, n.item_id, n.regarding_opportunity_id, n.mailbox))`,
    ).run({
      subject: item.subject,
      sentAt: item.sentAt,
      startAt: item.startAt,
      endAt: item.endAt,
      location: item.location,
      conversationId: item.conversationId,
      internetMessageId: free(byMessageId) ? item.internetMessageId : null,
      token,
      tokenBy,
      itemId: free(byItemId) ? item.itemId : null,
      opportunityId,
      mailbox: item.mailbox,
      at: actor.at,
      changed: participantsChanged || folded ? 1 : 0,
      id,
    });
    writeAudit(db, actor, 'activity', id, 'set-regarding', { regarding: opportunityId });
  }
  markRecent(db, actor.advisorId, opportunityId, actor.at);
  return id;
}

export class SqliteActivityStore implements ActivityStore {
  constructor(private readonly db: Db) {}

  private get(id: number): ActivityRecord {
    return loadActivities(this.db, 'a.id = ?', id)[0];
  }

  async findById(id: number) {
    return loadActivities(this.db, 'a.id = ?', id)[0] ?? null;
  }

  async findByIdentity(identity: ActivityIdentity) {
    const id = identityIds(this.db, identity).find((found) => found !== null) ?? null;
    return id === null ? null : this.get(id);
  }

  async findMatches(identity: ActivityIdentity): Promise<ActivityMatches> {
    const ids = identityIds(this.db, identity);
    const found = ids.filter((id) => id !== null);
    const records = new Map(
      (found.length ? loadActivities(this.db, 'a.id IN (SELECT value FROM json_each(?))', list(found)) : []).map(
        (record) => [record.id, record],
      ),
    );
    const [byMessageId, byToken, byItemId] = ids.map((id) => (id === null ? null : (records.get(id) ?? null)));
    return { byMessageId, byToken, byItemId, stamp: matchStamp(ids, (id) => records.get(id)?.stamp ?? null) };
  }

  async upsertRegarding(item: OutlookItemFields, opportunityId: number, opportunityVersion: number, actor: Actor) {
    try {
      // The answer is read inside the transaction: there, a read needs no read transaction of its own.
      return await write(this.db, () => {
        if (!opportunityAt(this.db, opportunityId, opportunityVersion)) throw new ActivityChangedError();
        return this.get(upsertRegarding(this.db, item, opportunityId, actor));
      });
    } catch (error) {
      if (error instanceof ActivityChangedError) return 'stale' as const;
      throw error;
    }
  }

  async setRegarding(id: number, target: { id: number; version: number } | null, actor: Actor, seen: string) {
    const opportunityId = target?.id ?? null;
    const done = await write(this.db, () => {
      if (stampOf(this.db, id) !== seen || !rightsHold(this.db, actor)) return false;
      if (target && !opportunityAt(this.db, target.id, target.version)) return false;
      sql(
        this.db,
        'UPDATE activities SET regarding_opportunity_id = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      ).run(opportunityId, actor.at, id);
      if (opportunityId !== null) markRecent(this.db, actor.advisorId, opportunityId, actor.at);
      writeAudit(this.db, actor, 'activity', id, opportunityId === null ? 'remove-regarding' : 'set-regarding', {
        regarding: opportunityId,
      });
      return true;
    });
    return done ? this.get(id) : 'stale';
  }

  async completeSent(
    id: number,
    sent: { internetMessageId: string; conversationId: string | null; sentAt: string | null },
    actor: Actor,
    seen: { activity: string; sent: string },
  ) {
    const resultId = await write(this.db, () => {
      if (
        !rightsHold(this.db, actor) ||
        stampOf(this.db, id) !== seen.activity ||
        matchesStamp(this.db, { internetMessageId: sent.internetMessageId }) !== seen.sent
      )
        return null;
      const other = idBy(this.db, 'internet_message_id', sent.internetMessageId);
      if (other !== null && other !== id) {
        // The sent copy was linked on its own already: keep that record, lose the draft's.
        const draft = sql(
          this.db,
          'SELECT regarding_opportunity_id, tracking_token, tracking_token_by_id FROM activities WHERE id = ?',
        ).get(id) as {
          regarding_opportunity_id: number | null;
          tracking_token: string | null;
          tracking_token_by_id: number | null;
        };
        sql(this.db, 'DELETE FROM activities WHERE id = ?').run(id);
        sql(
          this.db,
          `UPDATE activities SET regarding_opportunity_id = coalesce(regarding_opportunity_id, ?),
               tracking_token_by_id = CASE WHEN tracking_token IS NULL THEN ? ELSE tracking_token_by_id END,
               tracking_token = coalesce(tracking_token, ?), updated_at = ?, version = version + 1 WHERE id = ?`,
        ).run(draft.regarding_opportunity_id, draft.tracking_token_by_id, draft.tracking_token, actor.at, other);
        writeAudit(this.db, actor, 'activity', id, 'merge-into', { activityId: other });
        return other;
      }
      sql(
        this.db,
        `UPDATE activities SET internet_message_id = ?, conversation_id = coalesce(?, conversation_id),
             sent_at = coalesce(?, sent_at), status = 'completed', updated_at = ?, version = version + 1 WHERE id = ?`,
      ).run(sent.internetMessageId, sent.conversationId, sent.sentAt, actor.at, id);
      writeAudit(this.db, actor, 'activity', id, 'complete-sent', sent);
      return id;
    });
    return resultId === null ? 'stale' : this.get(resultId);
  }

  async pendingDrafts(
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
    // On the partial index activities_pending_drafts (migration 009): only the advisor's unsent links are read.
    return loadActivities(
      this.db,
      `a.created_by_id = :advisor AND a.internet_message_id IS NULL AND a.tracking_token IS NOT NULL
         AND a.tracking_token_by_id = :advisor AND a.kind = 'email' AND a.status <> 'canceled'
         AND a.regarding_opportunity_id IS NOT NULL
         AND a.created_at >= :linkedFrom AND a.created_at <= :linkedTo
         AND trim(a.subject) = :subject
         AND (a.conversation_id IS NULL OR :conversationId IS NULL OR a.conversation_id = :conversationId)
         AND (SELECT count(DISTINCT lower(p.email)) FROM activity_participants p
                WHERE p.activity_id = a.id AND p.role IN ('to', 'cc')) = :count
         AND NOT EXISTS (SELECT 1 FROM activity_participants p WHERE p.activity_id = a.id AND p.role IN ('to', 'cc')
                AND lower(p.email) NOT IN (SELECT value FROM json_each(:recipients)))
       ORDER BY a.created_at DESC, a.id DESC LIMIT ${checkedLimit(limit)}`,
      {
        advisor: advisorId,
        linkedFrom: sent.linkedFrom,
        linkedTo: sent.linkedTo,
        subject: sent.subject,
        conversationId: sent.conversationId,
        count: sent.recipients.length,
        recipients: list(sent.recipients),
      },
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
    const id = await write(this.db, () => {
      if (!opportunityAt(this.db, fields.opportunityId, opportunityVersion) || !rightsHold(this.db, actor)) return null;
      // One scheduled next step per advisor and opportunity while it is open: a second click, or a second pane
      // at the same instant, gets the one already scheduled instead of a duplicate.
      if (fields.scheduledNextStep && (fields.status ?? 'open') === 'open') {
        const scheduled = sql(
          this.db,
          `SELECT id FROM activities WHERE regarding_opportunity_id = ? AND created_by_id = ? AND kind = 'task'
             AND status = 'open' AND scheduled_next_step = 1 ORDER BY id LIMIT 1`,
        )
          .pluck()
          .get(fields.opportunityId, actor.advisorId) as number | undefined;
        if (scheduled !== undefined) return scheduled;
      }
      const newId = Number(
        sql(
          this.db,
          `INSERT INTO activities (kind, subject, status, start_at, end_at, regarding_opportunity_id, created_by_id,
             created_at, updated_at, description, direction, duration_minutes, contact_id, category_id, outcome_id,
             scheduled_next_step)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          fields.kind,
          fields.subject,
          fields.status ?? 'open',
          fields.startAt,
          fields.endAt,
          fields.opportunityId,
          actor.advisorId,
          actor.at,
          actor.at,
          fields.description ?? null,
          fields.direction ?? null,
          fields.durationMinutes ?? null,
          fields.contactId ?? null,
          fields.categoryId ?? null,
          fields.outcomeId ?? null,
          fields.scheduledNextStep ? 1 : 0,
        ).lastInsertRowid,
      );
      writeAudit(this.db, actor, 'activity', newId, 'create', fields);
      return newId;
    });
    return id === null ? 'stale' : this.get(id);
  }

  async setStatus(id: number, status: ActivityStatus, actor: Actor, seen: string) {
    const done = await write(this.db, () => {
      if (stampOf(this.db, id) !== seen || !rightsHold(this.db, actor)) return false;
      // A task reopened is no longer replaced by anything.
      sql(
        this.db,
        `UPDATE activities SET status = :status, updated_at = :at, version = version + 1,
           replaced_by_id = CASE WHEN :status = 'open' THEN NULL ELSE replaced_by_id END
         WHERE id = :id`,
      ).run({ status, at: actor.at, id });
      writeAudit(this.db, actor, 'activity', id, 'status', { status });
      return true;
    });
    return done ? this.get(id) : 'stale';
  }

  async edit(id: number, changes: ActivityChanges, actor: Actor, seen: string) {
    const set = editedColumns(changes);
    const done = await write(this.db, () => {
      if (stampOf(this.db, id) !== seen || !rightsHold(this.db, actor)) return false;
      // The replacing appointment was checked before the write: it must still be an open one on the same opportunity.
      if (
        typeof changes.replacedById === 'number' &&
        !sql(
          this.db,
          `SELECT 1 FROM activities r JOIN activities t ON t.id = ?
             WHERE r.id = ? AND r.kind = 'appointment' AND r.status = 'open'
               AND r.regarding_opportunity_id = t.regarding_opportunity_id`,
        ).get(id, changes.replacedById)
      )
        return false;
      sql(
        this.db,
        `UPDATE activities SET ${set.map(([column]) => `${column} = ?, `).join('')}updated_at = ?, version = version + 1
           WHERE id = ?`,
      ).run(...set.map(([, value]) => value), actor.at, id);
      writeAudit(this.db, actor, 'activity', id, 'edit', changes);
      return true;
    });
    return done ? this.get(id) : 'stale';
  }

  async regarding(opportunityId: number, page: Keyset, status?: ActivityStatus) {
    // Keyset paging on the timeline's own index (activities_timeline): the `<=` bound lets SQLite start
    // the page at the cursor, so a page costs the same however far back it is.
    return loadActivities(
      this.db,
      `a.regarding_opportunity_id = :id AND (:status IS NULL OR a.status = :status)
         AND ${TIMELINE_AT} <= coalesce(:at, '9999') AND (:at IS NULL OR ${TIMELINE_AT} < :at OR a.id < :before)
       ORDER BY ${TIMELINE_AT} DESC, a.id DESC LIMIT ${checkedLimit(page.limit)}`,
      {
        id: opportunityId,
        status: status ?? null,
        at: page.before?.at ?? null,
        before: page.before?.id ?? null,
      },
    ).map((activity) => ({ ...activity, outlook: { ...activity.outlook, trackingToken: null } }));
  }

  async countRegarding(opportunityId: number, status: ActivityStatus) {
    return sql(this.db, 'SELECT count(*) FROM activities WHERE regarding_opportunity_id = ? AND status = ?')
      .pluck()
      .get(opportunityId, status) as number;
  }
}
