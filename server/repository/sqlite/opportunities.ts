import type { Db } from '../../db/connection';
import type { Campaign, OpportunityChoice, OpportunitySummary } from '../../../shared/schemas/opportunities';
import type { Assignment, OpportunityEvent } from '../../../shared/schemas/timeline';
import type {
  Actor,
  Keyset,
  ListOpportunitiesOptions,
  NewOpportunity,
  OpportunityAccessFacts,
  OpportunityChanges,
  OpportunityRecord,
  OpportunityStore,
} from '../repository';
import { ActivityChangedError } from '../rows/activity-rows';
import {
  toChoice,
  toOpportunity,
  toReferrer,
  toSummary,
  type ChoiceRow,
  type OpportunityRow,
  type SummaryRow,
} from '../rows/opportunity-rows';
import { checkedLimit } from '../rows/page-size';
import { insertContact } from './contacts';
import { markRecent, upsertRegarding } from './activities';
import { insertNote } from './notes';
import { RecentMarks } from './recent-marks';
import { write } from './writes';
import { list, rightsHold, writeAudit, sql, sqlArrays } from './support';

/** The columns of an opportunity summary (lists, suggestions), in the order of `SummaryRow`. */
export const SUMMARY_COLUMNS = `o.id, o.topic, o.status, o.stage,
    o.customer_contact_id, c.name, c.email, o.customer_organization_id, g.name,
    o.campaign_id, cp.name, o.owner_id, ow.display_name, ow.email, o.created_by_id, cb.display_name, cb.email,
    o.estimated_value, o.estimated_close_date, o.created_at, o.updated_at, o.version,
    o.referred_by_advisor_id, rba.display_name, rba.email, o.referred_by_contact_id, rbc.name, rbc.email`;

/** The columns of a whole opportunity, in the order of `OpportunityRow`: the details, then the summary. */
export const OPPORTUNITY_COLUMNS = `o.description, o.actual_value, o.actual_close_date, o.close_reason, o.assigned_at, ${SUMMARY_COLUMNS}`;

/** What the columns need joined to `opportunities o`. */
export const OPPORTUNITY_JOINS = `LEFT JOIN contacts c ON c.id = o.customer_contact_id
  LEFT JOIN organizations g ON g.id = o.customer_organization_id
  JOIN campaigns cp ON cp.id = o.campaign_id
  JOIN advisors ow ON ow.id = o.owner_id
  JOIN advisors cb ON cb.id = o.created_by_id
  LEFT JOIN advisors rba ON rba.id = o.referred_by_advisor_id
  LEFT JOIN contacts rbc ON rbc.id = o.referred_by_contact_id`;

/** The columns of a lookup line (`OpportunityChoice`), in the order of `ChoiceRow`, and their joins. */
const CHOICE_COLUMNS = 'o.id, o.topic, o.status, o.stage, coalesce(c.name, g.name), ow.display_name';
const CHOICE_JOINS = `LEFT JOIN contacts c ON c.id = o.customer_contact_id
  LEFT JOIN organizations g ON g.id = o.customer_organization_id
  JOIN advisors ow ON ow.id = o.owner_id`;

/** Opportunities of `opportunities o` matching `where` (which may end with ORDER BY and LIMIT). */
export function loadOpportunities(db: Db, where: string, params: Record<string, unknown>): OpportunityRecord[] {
  const rows = sqlArrays(
    db,
    `SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o ${OPPORTUNITY_JOINS} WHERE ${where}`,
  ).all(params) as OpportunityRow[];
  return rows.map(toOpportunity);
}

/** The same as summaries, from `from` (which must name the opportunities `o`). Lists read only these columns. */
function loadSummaries(
  db: Db,
  where: string,
  params: Record<string, unknown>,
  from = 'opportunities o',
): OpportunitySummary[] {
  const rows = sqlArrays(db, `SELECT ${SUMMARY_COLUMNS} FROM ${from} ${OPPORTUNITY_JOINS} WHERE ${where}`).all(
    params,
  ) as SummaryRow[];
  return rows.map(toSummary);
}

/** Turns type-ahead text into an FTS5 query: every word, as a prefix, must match. */
export function ftsQuery(text: string): string | null {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((word) => `"${word}"*`).join(' ') : null;
}

/** Type-ahead text as an FTS5 query on the opportunity's words: never on the scope tokens beside them. */
function wordsQuery(text: string): string | null {
  const words = ftsQuery(text);
  return words && `{topic customer} : (${words})`;
}

/**
 * The scope tokens (migration 20) of an owner-scoped view's opportunities, as an FTS5 query; null for the
 * views that are not owner-scoped. `o<owner>`: open and owned; `c<owner>`: closed and owned; `b<creator>`:
 * closed and created by; `r<advisor>`: in the advisor's Recent. '' for a team of nobody: nothing can match.
 */
function scopeQuery(options: ListOpportunitiesOptions): string | null {
  const owners = options.ownerIds ?? [options.advisorId];
  const tokens = {
    'my-open': [`o${options.advisorId}`],
    'team-open': owners.map((owner) => `o${owner}`),
    closed: [...owners.map((owner) => `c${owner}`), `b${options.advisorId}`],
    'team-closed': [...owners, options.advisorId].map((owner) => `c${owner}`).concat(`b${options.advisorId}`),
    'all-open': null,
    recent: [`r${options.advisorId}`],
  }[options.view];
  if (!tokens) return null;
  return tokens.length ? `scope : (${[...new Set(tokens)].map((token) => `"${token}"`).join(' OR ')})` : '';
}

/**
 * The newest `depth` opportunities of one stream of `json_each j` (`[advisor, status]`), newest first from the
 * index on (column, status, updated_at): a page of several owners' rows merges their first pages, where one
 * ORDER BY over `owner_id IN (…)` or an OR sorted every row of every owner.
 */
const STREAM_PAGE = (column: 'owner_id' | 'created_by_id', depth: string) =>
  `SELECT y.id FROM opportunities y WHERE y.${column} = j.value ->> 0 AND y.status = j.value ->> 1
     ORDER BY y.updated_at DESC, y.id DESC LIMIT ${depth}`;

/** The streams whose first pages hold a view's page (without search or referrer): null when one index walk does. */
function listStreams(
  options: ListOpportunitiesOptions,
): { owners: [number, string][]; creators: [number, string][] } | null {
  const owners = options.ownerIds ?? [options.advisorId];
  const closed = (ids: number[]) =>
    [...new Set(ids)].flatMap((id): [number, string][] => [
      [id, 'won'],
      [id, 'lost'],
    ]);
  switch (options.view) {
    case 'team-open':
      return { owners: [...new Set(owners)].map((id): [number, string] => [id, 'open']), creators: [] };
    case 'closed':
      return { owners: closed(owners), creators: closed([options.advisorId]) };
    case 'team-closed':
      return { owners: closed([...owners, options.advisorId]), creators: closed([options.advisorId]) };
    default:
      return null;
  }
}

/**
 * Rowids of one advisor in Recent's search index (migration 26): `advisor × 2³² + opportunity`, and in Closed's
 * (migration 31): `advisor × 2³² + 2³² − 1 − opportunity`.
 */
const ADVISOR_ROWIDS = 2n ** 32n;

/**
 * The FROM and WHERE (with ORDER BY and LIMIT) of a view's page, for any columns of `opportunities o`;
 * null when the search text has no word to look for (only punctuation), so nothing can match.
 */
function viewQuery(
  options: ListOpportunitiesOptions,
): { from: string; where: string; params: Record<string, unknown> } | null {
  const words = options.q ? wordsQuery(options.q) : null;
  if (options.q && !words) return null;
  const scope = words ? scopeQuery(options) : null;
  if (scope === '') return null;
  const params = {
    me: options.advisorId,
    owners: list(options.ownerIds ?? [options.advisorId]),
    match: scope ? `${words} AND ${scope}` : words,
    offset: options.offset,
    referrerAdvisor: options.referredByAdvisorId ?? null,
    referrerContact: options.referredByContactId ?? null,
  };
  const referrer = [
    options.referredByAdvisorId !== undefined ? 'AND o.referred_by_advisor_id = :referrerAdvisor' : '',
    options.referredByContactId !== undefined ? 'AND o.referred_by_contact_id = :referrerContact' : '',
  ].join(' ');
  // The limit is written into the SQL (a checked integer): SQLite plans a literal LIMIT better than a bound one,
  // which for type-ahead lets the full-text scan stop early (measured: about a third faster).
  const page = `LIMIT ${checkedLimit(options.limit)} OFFSET :offset`;
  // The advisor is compared as `+:me`, an expression rather than a bare parameter: on a database with sqlite_stat4
  // (after ANALYZE) SQLite re-prepares a statement each time a value is bound to a parameter its planner probed in
  // the statistics, which for these statements is every request (at 1M a big book's My Open page took 134 µs, now 76).
  const mine = '(o.owner_id IN (SELECT value FROM json_each(:owners)) OR o.created_by_id = +:me)';
  if (options.view === 'recent') {
    // From the advisor's own recent list, newest use first. With search, the typed words are looked up in Recent's own
    // index (migration 26), where the advisor's uses are one rowid range: FTS5 seeks to it once and reads only the
    // advisor's matches (at 1M: 70 µs a page for 18 uses, 125 µs for 1,055; intersecting the advisor's recent token
    // in the firm's index cost a seek per use, 166 µs for 18).
    const search = words
      ? `AND r.opportunity_id IN (SELECT rowid - :recentFrom FROM recent_search
           WHERE recent_search MATCH :words AND rowid BETWEEN :recentFrom AND :recentFrom + ${ADVISOR_ROWIDS - 1n})`
      : '';
    return {
      from: 'opportunity_recent r JOIN opportunities o ON o.id = r.opportunity_id',
      where: `r.advisor_id = +:me AND (o.status = 'open' OR ${mine}) ${search} ${referrer}
         ORDER BY r.used_at DESC, r.opportunity_id DESC ${page}`,
      // A BigInt binds as an integer: FTS5 takes a rowid bound only of integer type and ignores a REAL one (what a JS
      // number binds as), with which it walked the typed words' matches in every advisor's Recent.
      params: { ...params, words, recentFrom: BigInt(options.advisorId) * ADVISOR_ROWIDS },
    };
  }
  const filter = `${
    {
      'my-open': "o.status = 'open' AND o.owner_id = +:me",
      'team-open': "o.status = 'open' AND o.owner_id IN (SELECT value FROM json_each(:owners))",
      'all-open': "o.status = 'open'",
      closed: `o.status <> 'open' AND ${mine}`,
      // The manager's own too, even those of no team of theirs.
      'team-closed': `o.status <> 'open' AND (o.owner_id IN (SELECT value FROM json_each(:owners)) OR o.owner_id = +:me OR o.created_by_id = +:me)`,
    }[options.view]
  } ${referrer}`;
  if (!words) {
    const streams = referrer.trim() ? null : listStreams(options);
    // The first page's depth is written in (see checkedLimit); a later page's is bound, so offsets add no statements.
    const depth = options.offset === 0 ? String(checkedLimit(options.limit)) : ':depth';
    const candidates = streams
      ? `o.id IN (SELECT x.id FROM json_each(:ownerStreams) j JOIN opportunities x ON x.id IN (${STREAM_PAGE('owner_id', depth)})
           UNION ALL SELECT x.id FROM json_each(:creatorStreams) j JOIN opportunities x ON x.id IN (${STREAM_PAGE('created_by_id', depth)}))
         AND `
      : '';
    return {
      // All Open walks the status index in its order and stops at the page. Named, because SQLite otherwise took the
      // stage report's index (status first as well) when ANALYZE had run before that index existed, and sorted every
      // open opportunity of the firm for each page: 150–190 ms at 100k.
      from:
        options.view === 'all-open' && !referrer.trim()
          ? 'opportunities o INDEXED BY opportunities_status'
          : 'opportunities o',
      where: `${candidates}${filter} ORDER BY o.updated_at DESC, o.id DESC ${page}`,
      params: {
        ...params,
        ownerStreams: JSON.stringify(streams?.owners ?? []),
        creatorStreams: JSON.stringify(streams?.creators ?? []),
        depth: options.limit + options.offset,
      },
    };
  }
  const ownersAreMe = (options.ownerIds ?? [options.advisorId]).every((owner) => owner === options.advisorId);
  if (options.view === 'closed' && ownersAreMe) {
    // The advisor's own closed opportunities are one rowid range of Closed's index (migration 31), newest first in
    // FTS5's forward order: the walk reads only their matches and stops at the page. Through the firm's index the
    // typed words' doclist was intersected with the advisor's scope tokens, a seek per closed row (at 1M, CPU a page,
    // both indexes merged: a big book 213–245 → 141–170 µs, a small book typing common words 324–422 → 85–162 µs).
    return {
      from: `closed_search s JOIN opportunities o ON o.id = :closedFrom + ${ADVISOR_ROWIDS - 1n} - s.rowid`,
      where: `closed_search MATCH :words AND s.rowid BETWEEN :closedFrom AND :closedFrom + ${ADVISOR_ROWIDS - 1n}
         AND ${filter} ORDER BY s.rowid ${page}`,
      // A BigInt, for the same reason as Recent's.
      params: { ...params, words, closedFrom: BigInt(options.advisorId) * ADVISOR_ROWIDS },
    };
  }
  // Type-ahead: walk the full-text matches newest first and stop at the page, instead of sorting every match. An
  // owner-scoped view's match also names its scope, so FTS5 intersects with the owners' rows and never walks the
  // firm's matches; the filter stays as the rule. The index holds an opportunity under rowid -id (migration 26):
  // newest first is FTS5's forward order, two to three times cheaper than walking backwards.
  return {
    from: 'opportunity_search s JOIN opportunities o ON o.id = -s.rowid',
    where: `opportunity_search MATCH :match AND ${filter} ORDER BY s.rowid ${page}`,
    params,
  };
}

const CHANGEABLE: Record<keyof OpportunityChanges, string> = {
  topic: 'topic',
  description: 'description',
  campaignId: 'campaign_id',
  stage: 'stage',
  estimatedValue: 'estimated_value',
  estimatedCloseDate: 'estimated_close_date',
  referredByAdvisorId: 'referred_by_advisor_id',
  referredByContactId: 'referred_by_contact_id',
};

export class SqliteOpportunityStore implements OpportunityStore {
  private readonly recent: RecentMarks;

  constructor(private readonly db: Db) {
    this.recent = new RecentMarks(db);
  }

  async campaigns(): Promise<Campaign[]> {
    return sql(this.db, 'SELECT id, name FROM campaigns ORDER BY id').all() as Campaign[];
  }

  async campaignExists(id: number) {
    return sql(this.db, 'SELECT 1 FROM campaigns WHERE id = ?').get(id) !== undefined;
  }

  async findById(id: number) {
    return loadOpportunities(this.db, 'o.id = :id', { id })[0] ?? null;
  }

  async findAccessFacts(id: number): Promise<OpportunityAccessFacts | null> {
    const row = sqlArrays(
      this.db,
      'SELECT status, owner_id, created_by_id, version FROM opportunities WHERE id = ?',
    ).get(id) as [OpportunityRecord['status'], number, number, number] | undefined;
    return row ? { id, status: row[0], owner: { id: row[1] }, createdBy: { id: row[2] }, version: row[3] } : null;
  }

  async findByIds(ids: number[]) {
    return loadOpportunities(this.db, 'o.id IN (SELECT value FROM json_each(:ids))', { ids: list(ids) });
  }

  async list(options: ListOpportunitiesOptions): Promise<OpportunitySummary[]> {
    const query = viewQuery(options);
    return query ? loadSummaries(this.db, query.where, query.params, query.from) : [];
  }

  async choices(options: ListOpportunitiesOptions): Promise<OpportunityChoice[]> {
    const query = viewQuery(options);
    if (!query) return [];
    const rows = sqlArrays(
      this.db,
      `SELECT ${CHOICE_COLUMNS} FROM ${query.from} ${CHOICE_JOINS} WHERE ${query.where}`,
    ).all(query.params) as ChoiceRow[];
    return rows.map(toChoice);
  }

  async suggestions(emails: string[], advisorId: number, limit: number) {
    // The page is chosen from the contact index alone (it holds owner and update time), then only its rows are
    // joined: a contact with many open opportunities had every one of them joined to its names before the sort.
    return loadSummaries(
      this.db,
      `o.id IN (SELECT x.id FROM opportunities x
                  WHERE x.status = 'open' AND x.customer_contact_id IN
                    (SELECT id FROM contacts WHERE email IN (SELECT value FROM json_each(:emails)))
                  ORDER BY (x.owner_id = :me) DESC, x.updated_at DESC, x.id DESC LIMIT ${checkedLimit(limit)})
       ORDER BY (o.owner_id = :me) DESC, o.updated_at DESC, o.id DESC`,
      { emails: list(emails), me: advisorId },
    );
  }

  async create(fields: NewOpportunity, actor: Actor) {
    try {
      return await this.insert(fields, actor);
    } catch (error) {
      // The linked item's records moved since the caller's check: nothing was written.
      if (error instanceof ActivityChangedError) return 'stale' as const;
      throw error;
    }
  }

  private insert(fields: NewOpportunity, actor: Actor) {
    return write(this.db, () => {
      if (fields.idempotencyKey) {
        const earlier = sql(this.db, 'SELECT opportunity_id FROM idempotency_keys WHERE advisor_id = ? AND key = ?')
          .pluck()
          .get(actor.advisorId, fields.idempotencyKey) as number | undefined;
        if (earlier !== undefined) return { id: earlier, created: false };
      }
      // The owner was checked active before; deactivated since, the rules must run again.
      if (!sql(this.db, 'SELECT active FROM advisors WHERE id = ?').pluck().get(fields.ownerId))
        return 'stale' as const;
      if (!rightsHold(this.db, actor)) return 'stale' as const;
      const contactId = fields.newContact
        ? insertContact(this.db, fields.newContact, actor).id
        : fields.customerContactId;
      // A new company domain's organization is made with the contact, so it is known only now.
      const organizationId =
        fields.customerOrganizationId ??
        (fields.newContact
          ? ((sql(this.db, 'SELECT organization_id FROM contacts WHERE id = ?').pluck().get(contactId) as
              number | null) ?? null)
          : null);
      const referrerContactId = fields.newReferrer
        ? insertContact(this.db, fields.newReferrer, actor).id
        : (fields.referredByContactId ?? null);
      const id = Number(
        sql(
          this.db,
          `INSERT INTO opportunities (topic, description, customer_contact_id, customer_organization_id, campaign_id, stage,
                 stage_entered_at, owner_id, assigned_at, created_by_id, estimated_value, estimated_close_date, created_at, updated_at,
                 referred_by_advisor_id, referred_by_contact_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          fields.topic,
          fields.description,
          contactId,
          organizationId,
          fields.campaignId,
          fields.stage,
          actor.at,
          fields.ownerId,
          actor.at,
          actor.advisorId,
          fields.estimatedValue,
          fields.estimatedCloseDate,
          actor.at,
          actor.at,
          fields.referredByAdvisorId ?? null,
          referrerContactId,
        ).lastInsertRowid,
      );
      sql(
        this.db,
        'INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, created_at) VALUES (?, NULL, ?, ?, ?)',
      ).run(id, fields.ownerId, actor.advisorId, actor.at);
      insertStageChange(this.db, id, fields.stage, null, actor);
      writeAudit(this.db, actor, 'opportunity', id, 'create', {
        topic: fields.topic,
        ownerId: fields.ownerId,
        referredByAdvisorId: fields.referredByAdvisorId ?? null,
        referredByContactId: referrerContactId,
      });
      if (fields.referredByAdvisorId || referrerContactId)
        insertReferredEvent(this.db, id, fields.referredByAdvisorId ?? null, referrerContactId, actor);
      if (fields.note) insertNote(this.db, id, fields.note.body, fields.note.shareWith, actor);
      if (fields.linkItem) upsertRegarding(this.db, fields.linkItem, id, actor);
      markRecent(this.db, actor.advisorId, id, actor.at);
      if (fields.idempotencyKey) {
        sql(
          this.db,
          'INSERT INTO idempotency_keys (advisor_id, key, opportunity_id, created_at) VALUES (?, ?, ?, ?)',
        ).run(actor.advisorId, fields.idempotencyKey, id, actor.at);
      }
      return { id, created: true };
    });
  }

  async update(id: number, expectedVersion: number, changes: OpportunityChanges, actor: Actor) {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [
      keyof OpportunityChanges,
      unknown,
    ][];
    const sets = entries.map(([key]) => `${CHANGEABLE[key]} = :${key}`);
    const updated = await write(this.db, () => {
      if (!rightsHold(this.db, actor)) return false;
      const changesReferrer = changes.referredByAdvisorId !== undefined || changes.referredByContactId !== undefined;
      const referrerBefore = changesReferrer ? referrerOf(this.db, id) : null;
      const stageBefore =
        changes.stage !== undefined
          ? (sql(this.db, 'SELECT stage FROM opportunities WHERE id = ?').pluck().get(id) as OpportunityRecord['stage'])
          : null;
      const result = sql(
        this.db,
        `UPDATE opportunities SET ${[
          ...sets,
          'version = version + 1',
          'updated_at = :at',
          'stage_entered_at = CASE WHEN :stage IS NOT NULL AND :stage <> stage THEN :at ELSE stage_entered_at END',
        ].join(', ')}
           WHERE id = :id AND version = :expectedVersion`,
      ).run({ ...Object.fromEntries(entries), stage: changes.stage ?? null, at: actor.at, id, expectedVersion });
      if (result.changes === 0) return false;
      writeAudit(this.db, actor, 'opportunity', id, 'update', Object.fromEntries(entries));
      if (changes.stage !== undefined && changes.stage !== stageBefore)
        insertStageChange(this.db, id, changes.stage, stageBefore, actor);
      if (referrerBefore) {
        const referrerAfter = referrerOf(this.db, id);
        if (referrerAfter.advisor !== referrerBefore.advisor || referrerAfter.contact !== referrerBefore.contact)
          insertReferredEvent(this.db, id, referrerAfter.advisor, referrerAfter.contact, actor);
      }
      return true;
    });
    return updated ? await this.findById(id) : 'stale';
  }

  async assign(id: number, expectedVersion: number, toAdvisorId: number, message: string | null, actor: Actor) {
    return write(this.db, () => {
      if (!rightsHold(this.db, actor)) return 'stale' as const;
      const from = sql(this.db, 'SELECT owner_id FROM opportunities WHERE id = ?').pluck().get(id) as number;
      const changed = sql(
        this.db,
        `UPDATE opportunities SET owner_id = ?, assigned_at = ?, updated_at = ?, version = version + 1
           WHERE id = ? AND version = ? AND status = 'open'
             AND EXISTS (SELECT 1 FROM advisors WHERE id = ? AND active = 1)`,
      ).run(toAdvisorId, actor.at, actor.at, id, expectedVersion, toAdvisorId).changes;
      if (changed === 0) return 'stale' as const;
      sql(
        this.db,
        'INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, message, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, from, toAdvisorId, actor.advisorId, message, actor.at);
      // A referral's note must never be invisible to the advisor who now handles it.
      sql(
        this.db,
        `INSERT OR IGNORE INTO note_shares (note_id, advisor_id)
           SELECT id, :to FROM notes WHERE opportunity_id = :id AND author_id = :by AND author_id <> :to`,
      ).run({ to: toAdvisorId, id, by: actor.advisorId });
      writeAudit(this.db, actor, 'opportunity', id, 'assign', { from, to: toAdvisorId, message });
      return 'done' as const;
    });
  }

  async close(
    id: number,
    expectedVersion: number,
    outcome: { status: 'won' | 'lost'; actualValue: number | null; closeDate: string; reason: string | null },
    actor: Actor,
  ) {
    return write(this.db, () => {
      if (!rightsHold(this.db, actor)) return 'stale' as const;
      const changed = sql(
        this.db,
        `UPDATE opportunities SET status = ?, actual_value = ?, actual_close_date = ?, close_reason = ?,
             updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'open'`,
      ).run(
        outcome.status,
        outcome.actualValue,
        outcome.closeDate,
        outcome.reason,
        actor.at,
        id,
        expectedVersion,
      ).changes;
      if (changed === 0) return 'stale' as const;
      insertEvent(this.db, id, 'closed', outcome.status, outcome.actualValue, outcome.reason, actor);
      writeAudit(this.db, actor, 'opportunity', id, 'close', outcome);
      return 'done' as const;
    });
  }

  async reopen(id: number, expectedVersion: number, actor: Actor) {
    return write(this.db, () => {
      if (!rightsHold(this.db, actor)) return 'stale' as const;
      const changed = sql(
        this.db,
        `UPDATE opportunities SET status = 'open', actual_value = NULL, actual_close_date = NULL, close_reason = NULL,
             updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status <> 'open'`,
      ).run(actor.at, id, expectedVersion).changes;
      if (changed === 0) return 'stale' as const;
      insertEvent(this.db, id, 'reopened', null, null, null, actor);
      writeAudit(this.db, actor, 'opportunity', id, 'reopen');
      return 'done' as const;
    });
  }

  markRecent(advisorId: number, opportunityId: number, at: string) {
    return this.recent.mark(advisorId, opportunityId, at);
  }

  async assignments(opportunityId: number, page: Keyset) {
    return loadAssignments(
      this.db,
      `s.opportunity_id = :id AND (:at IS NULL OR s.created_at < :at OR (s.created_at = :at AND s.id < :before))
       ORDER BY s.created_at DESC, s.id DESC LIMIT ${checkedLimit(page.limit)}`,
      { id: opportunityId, at: page.before?.at ?? null, before: page.before?.id ?? null },
    );
  }

  async events(opportunityId: number, page: Keyset): Promise<OpportunityEvent[]> {
    const rows = sql(
      this.db,
      `SELECT e.id, e.opportunity_id, e.kind, e.outcome, e.value, e.reason, e.created_at,
           b.id AS by_id, b.display_name AS by_name, b.email AS by_email,
           e.referrer_advisor_id, ra.display_name AS ra_name, ra.email AS ra_email,
           e.referrer_contact_id, rc.name AS rc_name, rc.email AS rc_email
         FROM opportunity_events e JOIN advisors b ON b.id = e.by_advisor_id
         LEFT JOIN advisors ra ON ra.id = e.referrer_advisor_id
         LEFT JOIN contacts rc ON rc.id = e.referrer_contact_id
         WHERE e.opportunity_id = :id AND (:at IS NULL OR e.created_at < :at OR (e.created_at = :at AND e.id < :before))
         ORDER BY e.created_at DESC, e.id DESC LIMIT ${checkedLimit(page.limit)}`,
    ).all({
      id: opportunityId,
      at: page.before?.at ?? null,
      before: page.before?.id ?? null,
    }) as {
      id: number;
      opportunity_id: number;
      kind: OpportunityEvent['kind'];
      outcome: OpportunityEvent['outcome'];
      value: number | null;
      reason: string | null;
      created_at: string;
      by_id: number;
      by_name: string;
      by_email: string;
      referrer_advisor_id: number | null;
      ra_name: string | null;
      ra_email: string | null;
      referrer_contact_id: number | null;
      rc_name: string | null;
      rc_email: string | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      opportunityId: row.opportunity_id,
      kind: row.kind,
      outcome: row.outcome,
      value: row.value,
      reason: row.reason,
      referredBy: toReferrer(
        row.referrer_advisor_id,
        row.ra_name,
        row.ra_email,
        row.referrer_contact_id,
        row.rc_name,
        row.rc_email,
      ),
      by: { id: row.by_id, displayName: row.by_name, email: row.by_email },
      createdAt: row.created_at,
    }));
  }
}

function referrerOf(db: Db, id: number): { advisor: number | null; contact: number | null } {
  return sql(
    db,
    'SELECT referred_by_advisor_id AS advisor, referred_by_contact_id AS contact FROM opportunities WHERE id = ?',
  ).get(id) as { advisor: number | null; contact: number | null };
}

/** Who referred it from now on (both null: cleared), for the timeline: called only inside the write that sets it. */
function insertReferredEvent(
  db: Db,
  opportunityId: number,
  advisorId: number | null,
  contactId: number | null,
  actor: Actor,
): void {
  sql(
    db,
    `INSERT INTO opportunity_events (opportunity_id, kind, referrer_advisor_id, referrer_contact_id, by_advisor_id, created_at)
       VALUES (?, 'referred', ?, ?, ?, ?)`,
  ).run(opportunityId, advisorId, contactId, actor.advisorId, actor.at);
}

/** A stage entered, for the funnel: called only inside the write that creates the opportunity or changes its stage. */
function insertStageChange(
  db: Db,
  opportunityId: number,
  stage: OpportunityRecord['stage'],
  fromStage: OpportunityRecord['stage'] | null,
  actor: Actor,
): void {
  sql(
    db,
    'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES (?, ?, ?, ?, ?)',
  ).run(opportunityId, stage, fromStage, actor.at, actor.advisorId);
}

/** A close or reopen for the timeline: called only inside the write that changes the status. */
function insertEvent(
  db: Db,
  opportunityId: number,
  kind: OpportunityEvent['kind'],
  outcome: OpportunityEvent['outcome'],
  value: number | null,
  reason: string | null,
  actor: Actor,
): void {
  sql(
    db,
    `INSERT INTO opportunity_events (opportunity_id, kind, outcome, value, reason, by_advisor_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(opportunityId, kind, outcome, value, reason, actor.advisorId, actor.at);
}

export function loadAssignments(
  db: Db,
  where: string,
  params: Record<string, unknown>,
  from = 'assignments s',
): Assignment[] {
  // Rows as arrays (sqlArrays): a page of new for me reads 25 of them with their three advisors.
  const rows = sqlArrays(
    db,
    `SELECT s.id, s.opportunity_id, s.from_advisor_id, f.display_name, f.email, s.to_advisor_id, t.display_name, t.email,
         s.by_advisor_id, b.display_name, b.email, s.message, s.created_at
       FROM ${from}
       LEFT JOIN advisors f ON f.id = s.from_advisor_id
       JOIN advisors t ON t.id = s.to_advisor_id
       JOIN advisors b ON b.id = s.by_advisor_id
       WHERE ${where}`,
  ).all(params) as [
    id: number,
    opportunityId: number,
    fromId: number | null,
    fromName: string | null,
    fromEmail: string | null,
    toId: number,
    toName: string,
    toEmail: string,
    byId: number,
    byName: string,
    byEmail: string,
    message: string | null,
    createdAt: string,
  ][];
  return rows.map(
    ([
      id,
      opportunityId,
      fromId,
      fromName,
      fromEmail,
      toId,
      toName,
      toEmail,
      byId,
      byName,
      byEmail,
      message,
      createdAt,
    ]) => ({
      id,
      opportunityId,
      from: fromId ? { id: fromId, displayName: fromName!, email: fromEmail! } : null,
      to: { id: toId, displayName: toName, email: toEmail },
      by: { id: byId, displayName: byName, email: byEmail },
      message,
      messageHidden: false,
      createdAt,
    }),
  );
}
