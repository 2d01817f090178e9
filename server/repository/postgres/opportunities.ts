import type pg from 'pg';
import type { Campaign, OpportunityChoice, OpportunitySummary } from '../../../shared/schemas/opportunities';
import type { Assignment, OpportunityEvent } from '../../../shared/schemas/timeline';
import { transaction, type Postgres } from '../../db/postgres/connection';
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
import { rightsHold, upsertRegarding } from './activities';
import { insertContact, lockNewContacts } from './contacts';
import { insertNote } from './notes';
import { markRecent, RecentMarks } from './recent-marks';
import { arrays, columnOf, writeAudit, type Queryable } from './support';

/**
 * Opportunities on PostgreSQL, answering as the SQLite backend does (sqlite/opportunities.ts): the same records, the
 * same rules inside one transaction, the same rows written (assignments, stage changes, events, audit). SQLite's
 * derived search indexes are not copied: type-ahead reads `opportunities.words` (migration 31's last section), the
 * topic's and the customer's words, kept by triggers.
 */

/**
 * The columns of an opportunity summary (lists, suggestions), in the order of `SummaryRow`, read from `opportunities
 * o` alone (the names as subqueries: see columnOf).
 */
export const SUMMARY_COLUMNS = `o.id, o.topic, o.status, o.stage,
    o.customer_contact_id, ${columnOf('contacts', 'name', 'o.customer_contact_id')},
    ${columnOf('contacts', 'email', 'o.customer_contact_id')},
    o.customer_organization_id, ${columnOf('organizations', 'name', 'o.customer_organization_id')},
    o.campaign_id, ${columnOf('campaigns', 'name', 'o.campaign_id')},
    o.owner_id, ${columnOf('advisors', 'display_name', 'o.owner_id')}, ${columnOf('advisors', 'email', 'o.owner_id')},
    o.created_by_id, ${columnOf('advisors', 'display_name', 'o.created_by_id')},
    ${columnOf('advisors', 'email', 'o.created_by_id')},
    o.estimated_value, o.estimated_close_date, o.created_at, o.updated_at, o.version,
    o.referred_by_advisor_id, ${columnOf('advisors', 'display_name', 'o.referred_by_advisor_id')},
    ${columnOf('advisors', 'email', 'o.referred_by_advisor_id')},
    o.referred_by_contact_id, ${columnOf('contacts', 'name', 'o.referred_by_contact_id')},
    ${columnOf('contacts', 'email', 'o.referred_by_contact_id')}`;

/** The columns of a whole opportunity, in the order of `OpportunityRow`: the details, then the summary. */
const OPPORTUNITY_COLUMNS = `o.description, o.actual_value, o.actual_close_date, o.close_reason, o.assigned_at, ${SUMMARY_COLUMNS}`;

/** The columns of a lookup line (`OpportunityChoice`), in the order of `ChoiceRow`. */
const CHOICE_COLUMNS = `o.id, o.topic, o.status, o.stage,
  coalesce(${columnOf('contacts', 'name', 'o.customer_contact_id')},
           ${columnOf('organizations', 'name', 'o.customer_organization_id')}),
  ${columnOf('advisors', 'display_name', 'o.owner_id')}`;

async function loadOpportunities(db: Queryable, where: string, values: unknown[]): Promise<OpportunityRecord[]> {
  const rows = await arrays<OpportunityRow>(
    db,
    `SELECT ${OPPORTUNITY_COLUMNS} FROM opportunities o WHERE ${where}`,
    values,
  );
  return rows.map(toOpportunity);
}

/** The typed text has a word (as search_words() cuts them): else the search finds nothing. */
const hasWords = (q: string) => /[\p{L}\p{N}]/u.test(q);

/** A view's page as parts of a SELECT: FROM (which names the opportunities `o`), WHERE, ORDER BY, LIMIT and OFFSET. */
interface ViewQuery {
  from: string;
  where: string;
  order: string;
  page: string;
  values: unknown[];
  /** What a query over the page's rows (`o.*` and `pageColumns`) orders them by. */
  pageOrder: string;
  pageColumns: string;
  /** The same page by another way, read when this one's page comes back short (with the same values). */
  whenShort?: ViewQuery;
  /** Its type-ahead statement is named (NAMED_LOOKUPS). */
  namedLookup?: boolean;
}

/**
 * The views whose typed type-ahead statement is named and run on the lookup pool (openLookupPool): parsed once a
 * connection and planned once for every value, where planning it for each keystroke cost more than running it.
 * Measured in process at 100k on the benchmark firm, PostgreSQL's CPU a lookup for the biggest book: My Open 0.46 →
 * 0.22–0.25 ms, All Open 0.32 → 0.21 ms, Team Open 1.0 → 0.7 ms, Closed 0.9 → 0.43 ms, Team Closed 2.5 → 1.6 ms.
 * Lookups with nothing typed or by referrer, and every other statement, stay unnamed on the main pool, planned for
 * each run's values. The plan test holds each named view's plan to the rows the view must read.
 */
const NAMED_LOOKUPS: ReadonlySet<ListOpportunitiesOptions['view']> = new Set([
  'my-open',
  'team-open',
  'all-open',
  'closed',
  'team-closed',
]);

/**
 * How many of the firm's newest open opportunities All Open's type-ahead walks for typed words before it asks the
 * words' index instead: a walk stops at its page for a common word; a rare or absent one (a client's own name, a typo)
 * walked the whole firm (18–20 ms at 100k, for a word no opportunity has), as the planner cannot tell how many
 * opportunities a typed prefix matches.
 */
export const NEWEST_WALKED = 2000;

/**
 * The query of a view's page. null when nothing can match (typed text without a word, a team of nobody searched).
 *
 * The rows are SQLite's: each view's filter is the one its full-text scopes and candidate streams stand for there
 * (sqlite/opportunities.ts viewQuery). Order: Recent by last use; with words the newest id first; else the last
 * changed first.
 */
function viewQuery(options: ListOpportunitiesOptions, { lookup = false } = {}): ViewQuery | null {
  const q = options.q ? options.q : null;
  if (q !== null && !hasWords(q)) return null;
  const owners = options.ownerIds ?? [options.advisorId];
  // A team of nobody searched: SQLite's scope query is empty, nothing matches.
  if (q !== null && options.view === 'team-open' && owners.length === 0) return null;
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  // The advisor and the owners, each bound once and only when the statement names them (an unused parameter has no
  // type PostgreSQL could give it).
  let meParam: string | undefined;
  let ownersParam: string | undefined;
  const me = () => (meParam ??= param(options.advisorId));
  const ownersIn = () => (ownersParam ??= `${param(owners)}::bigint[]`);
  const mine = () => `(o.owner_id = ANY(${ownersIn()}) OR o.created_by_id = ${me()})`;
  const conditions: string[] = [];
  if (options.view === 'recent') conditions.push(`r.advisor_id = ${me()}`, `(o.status = 'open' OR ${mine()})`);
  else
    conditions.push(
      {
        'my-open': () => `o.status = 'open' AND o.owner_id = ${me()}`,
        'team-open': () => `o.status = 'open' AND o.owner_id = ANY(${ownersIn()})`,
        'all-open': () => "o.status = 'open'",
        closed: () => `o.status <> 'open' AND ${mine()}`,
        // The manager's own too, even those of no team of theirs.
        'team-closed': () =>
          `o.status <> 'open' AND (o.owner_id = ANY(${ownersIn()}) OR o.owner_id = ${me()} OR o.created_by_id = ${me()})`,
      }[options.view](),
    );
  if (options.referredByAdvisorId !== undefined)
    conditions.push(`o.referred_by_advisor_id = ${param(options.referredByAdvisorId)}`);
  if (options.referredByContactId !== undefined)
    conditions.push(`o.referred_by_contact_id = ${param(options.referredByContactId)}`);
  const noReferrer = options.referredByAdvisorId === undefined && options.referredByContactId === undefined;
  // Only typed lookups: with nothing typed the page is the last changed first, and a plan for every value, guessing
  // its LIMIT at a tenth of the rows, could choose to sort the whole view where updated_at lies scattered on disk.
  const namedLookup = lookup && q !== null && noReferrer && NAMED_LOOKUPS.has(options.view);
  // In a statement planned once for every value, the words' query is worked out once a run (a subquery): as a
  // function of a parameter it would be worked out again for every row walked.
  const words =
    q === null ? null : namedLookup ? `(SELECT search_prefixes(${param(q)}))` : `search_prefixes(${param(q)})`;
  // Both bound, so the statement's text (its name: arrays' `named`) is one per view and filter, whatever the page.
  const page = `LIMIT ${param(checkedLimit(options.limit))} OFFSET ${param(options.offset)}`;
  const where = [...conditions, ...(words === null ? [] : [`o.words @@ ${words}`])].join(' AND ');
  if (options.view === 'recent')
    return {
      from: 'opportunity_recent r JOIN opportunities o ON o.id = r.opportunity_id',
      where,
      order: 'r.used_at DESC, r.opportunity_id DESC',
      page,
      values,
      pageOrder: 'o.used_at DESC, o.id DESC',
      pageColumns: ', r.used_at',
    };
  const order = (table: 'o' | 'y') =>
    words === null ? `${table}.updated_at DESC, ${table}.id DESC` : `${table}.id DESC`;
  const ordered = { from: 'opportunities o', order: order('o'), page, values, pageOrder: order('o'), pageColumns: '' };
  const streams = noReferrer ? listStreams(options, words !== null) : null;
  if (options.view === 'all-open' && words !== null && noReferrer)
    return {
      ...ordered,
      namedLookup,
      from: `(SELECT w.* FROM opportunities w WHERE w.status = 'open' ORDER BY w.id DESC LIMIT ${NEWEST_WALKED}) o`,
      where: `ts_match_vq(o.words, ${words})`,
      // Every match from the words' index, then sorted: OFFSET 0 keeps the planner from walking the firm newest first
      // instead, as it would for the ORDER BY and LIMIT outside.
      whenShort: {
        ...ordered,
        from: `(SELECT w.* FROM opportunities w WHERE w.status = 'open' AND w.words @@ ${words} OFFSET 0) o`,
        where: 'true',
      },
    };
  if (!streams) return { ...ordered, namedLookup, where };
  // My Open's lookup, planned once: its one stream as the statement itself (the owner's index walked newest first,
  // each row's words matched as it is read), without the streams' join back (a fifth of its cost).
  if (options.view === 'my-open' && namedLookup)
    return { ...ordered, namedLookup, where: `${conditions.join(' AND ')} AND ts_match_vq(o.words, ${words})` };
  // The page is among the first `limit + offset` rows of one of its streams: each is read from its index and only
  // those rows are sorted, where one ORDER BY over `owner_id = ANY(…)` or an OR sorted every row of every owner, and
  // typed words were first looked up across the whole firm.
  const depth = param(options.limit + options.offset);
  // Typed words are matched row by row as each stream is walked (ts_match_vq is what @@ calls): written as the
  // operator, they let the planner collect every match of a word in the firm from the words' GIN index first, which
  // it did, misjudging how many a prefix has (10,048 for "med" at 100k, estimated 2,000).
  const stream = (column: 'owner_id' | 'created_by_id', [advisors, statuses]: [number[], string[]]) =>
    `SELECT x.id FROM unnest(${param(advisors)}::bigint[], ${param(statuses)}::text[]) j (advisor, status)
       CROSS JOIN LATERAL (SELECT y.id FROM opportunities y WHERE y.${column} = j.advisor AND y.status = j.status
                           ${words === null ? '' : `AND ts_match_vq(y.words, ${words})`}
                           ORDER BY ${order('y')} LIMIT ${depth}) x`;
  // A view without creators' streams (My Open, Team Open) names none: planning an empty one cost a quarter of the
  // lookup's time.
  const walked = [stream('owner_id', streams.owners)];
  if (streams.creators[0].length) walked.push(stream('created_by_id', streams.creators));
  // The streams' ids first (an array, worked out once a run), then only those rows by id: as `o.id IN (…)`, the plan
  // for every value walked every opportunity by id and looked each up in the streams.
  return {
    ...ordered,
    namedLookup,
    where: `o.id = ANY(ARRAY(${walked.join(' UNION ALL ')})) AND ${conditions.join(' AND ')}`,
  };
}

/**
 * The streams (advisor and status) whose first rows hold a view's page without a referrer, as SQLite's listStreams:
 * owners' and creators' rows of each status the view shows, newest first when words are typed (the order of their
 * page), else last changed first. null when one index walk does, and for All Open and Recent, which are not the
 * owners'.
 */
function listStreams(
  options: ListOpportunitiesOptions,
  typed: boolean,
): { owners: [number[], string[]]; creators: [number[], string[]] } | null {
  const owners = options.ownerIds ?? [options.advisorId];
  const of = (ids: number[], statuses: string[]): [number[], string[]] => {
    const pairs = [...new Set(ids)].flatMap((id) => statuses.map((status) => [id, status] as const));
    return [pairs.map(([id]) => id), pairs.map(([, status]) => status)];
  };
  const closed = ['won', 'lost'];
  switch (options.view) {
    case 'my-open':
      return typed ? { owners: of([options.advisorId], ['open']), creators: of([], []) } : null;
    case 'team-open':
      return { owners: of(owners, ['open']), creators: of([], []) };
    case 'closed':
      return { owners: of(owners, closed), creators: of([options.advisorId], closed) };
    case 'team-closed':
      return { owners: of([...owners, options.advisorId], closed), creators: of([options.advisorId], closed) };
    default:
      return null;
  }
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

export class PostgresOpportunityStore implements OpportunityStore {
  private readonly recent: RecentMarks;

  /** `lookups`: the pool of the named lookups (openLookupPool). */
  constructor(
    private readonly db: Postgres,
    private readonly lookups: Postgres,
  ) {
    this.recent = new RecentMarks(db);
  }

  async campaigns(): Promise<Campaign[]> {
    return (await this.db.query<Campaign>('SELECT id, name FROM campaigns ORDER BY id')).rows;
  }

  async campaignExists(id: number) {
    return Boolean((await this.db.query('SELECT 1 FROM campaigns WHERE id = $1', [id])).rowCount);
  }

  async findById(id: number) {
    return (await loadOpportunities(this.db, 'o.id = $1', [id]))[0] ?? null;
  }

  async findAccessFacts(id: number): Promise<OpportunityAccessFacts | null> {
    const [row] = await arrays<[OpportunityRecord['status'], number, number, number]>(
      this.db,
      'SELECT status, owner_id, created_by_id, version FROM opportunities WHERE id = $1',
      [id],
    );
    return row ? { id, status: row[0], owner: { id: row[1] }, createdBy: { id: row[2] }, version: row[3] } : null;
  }

  findByIds(ids: number[]) {
    return loadOpportunities(this.db, 'o.id = ANY($1::bigint[]) ORDER BY o.id', [ids]);
  }

  async list(options: ListOpportunitiesOptions): Promise<OpportunitySummary[]> {
    const query = viewQuery(options);
    if (!query) return [];
    // The page is chosen first, then only its rows get their names.
    const rows = await this.pageOf<SummaryRow>(
      query,
      options.limit,
      (q) => `SELECT ${SUMMARY_COLUMNS}
         FROM (SELECT o.*${q.pageColumns} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.order} ${q.page}) o
        ORDER BY ${q.pageOrder}`,
    );
    return rows.map(toSummary);
  }

  async choices(options: ListOpportunitiesOptions): Promise<OpportunityChoice[]> {
    const query = viewQuery(options, { lookup: true });
    if (!query) return [];
    const rows = await this.pageOf<ChoiceRow>(
      query,
      options.limit,
      (q) => `SELECT ${CHOICE_COLUMNS} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.order} ${q.page}`,
    );
    return rows.map(toChoice);
  }

  /**
   * A view's page by `statement`; read again the other way when it comes back short and the view has one. A named
   * lookup (ViewQuery.namedLookup) runs on the lookup pool.
   */
  private async pageOf<R extends unknown[]>(
    query: ViewQuery,
    limit: number,
    statement: (query: ViewQuery) => string,
  ): Promise<R[]> {
    const named = query.namedLookup === true;
    const db = named ? this.lookups : this.db;
    const rows = await arrays<R>(db, statement(query), query.values, { named });
    if (!query.whenShort || rows.length >= limit) return rows;
    return arrays<R>(db, statement(query.whenShort), query.values, { named });
  }

  async suggestions(emails: string[], advisorId: number, limit: number) {
    // The page is chosen from the opportunities alone, then only its rows get their names.
    const rows = await arrays<SummaryRow>(
      this.db,
      `SELECT ${SUMMARY_COLUMNS} FROM opportunities o
        WHERE o.id IN (SELECT x.id FROM opportunities x
                        WHERE x.status = 'open' AND x.customer_contact_id IN
                          (SELECT id FROM contacts WHERE lower(email) IN (SELECT lower(e) FROM unnest($1::text[]) e))
                        ORDER BY (x.owner_id = $2) DESC, x.updated_at DESC, x.id DESC LIMIT ${checkedLimit(limit)})
        ORDER BY (o.owner_id = $2) DESC, o.updated_at DESC, o.id DESC`,
      [emails, advisorId],
    );
    return rows.map(toSummary);
  }

  async create(fields: NewOpportunity, actor: Actor) {
    try {
      return await transaction(this.db, (db) => this.insert(db, fields, actor));
    } catch (error) {
      // The linked item's records moved since the caller's check: nothing was written.
      if (error instanceof ActivityChangedError) return 'stale' as const;
      throw error;
    }
  }

  private async insert(db: pg.PoolClient, fields: NewOpportunity, actor: Actor) {
    if (fields.idempotencyKey) {
      // Until the transaction ends, the only create with this advisor's key: a second waits, then finds the first.
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended('idempotency key ' || $1 || ' ' || $2, 0))", [
        actor.advisorId,
        fields.idempotencyKey,
      ]);
      const { rows } = await db.query<{ opportunity_id: number }>(
        'SELECT opportunity_id FROM idempotency_keys WHERE advisor_id = $1 AND key = $2',
        [actor.advisorId, fields.idempotencyKey],
      );
      if (rows[0]) return { id: rows[0].opportunity_id, created: false };
    }
    // The owner was checked active before; deactivated since, the rules must run again. The row stays shared-locked
    // until the end, so a deactivation waits for this create (or this create sees it).
    const owner = await db.query<{ active: boolean }>('SELECT active FROM advisors WHERE id = $1 FOR SHARE', [
      fields.ownerId,
    ]);
    if (!owner.rows[0]?.active) return 'stale' as const;
    if (!(await rightsHold(db, actor))) return 'stale' as const;
    await lockNewContacts(
      db,
      [fields.newContact, fields.newReferrer].filter((c) => c !== undefined && c !== null),
    );
    const contactId = fields.newContact
      ? (await insertContact(db, fields.newContact, actor)).id
      : fields.customerContactId;
    // A new company domain's organization is made with the contact, so it is known only now.
    const organizationId =
      fields.customerOrganizationId ??
      (fields.newContact
        ? ((
            await db.query<{ organization_id: number | null }>('SELECT organization_id FROM contacts WHERE id = $1', [
              contactId,
            ])
          ).rows[0]?.organization_id ?? null)
        : null);
    const referrerContactId = fields.newReferrer
      ? (await insertContact(db, fields.newReferrer, actor)).id
      : (fields.referredByContactId ?? null);
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO opportunities (topic, description, customer_contact_id, customer_organization_id, campaign_id, stage,
           stage_entered_at, owner_id, assigned_at, created_by_id, estimated_value, estimated_close_date, created_at,
           updated_at, referred_by_advisor_id, referred_by_contact_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9, $10, $11, $7, $7, $12, $13) RETURNING id`,
      [
        fields.topic,
        fields.description,
        contactId,
        organizationId,
        fields.campaignId,
        fields.stage,
        actor.at,
        fields.ownerId,
        actor.advisorId,
        fields.estimatedValue,
        fields.estimatedCloseDate,
        fields.referredByAdvisorId ?? null,
        referrerContactId,
      ],
    );
    const id = rows[0].id;
    await db.query(
      `INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, created_at)
         VALUES ($1, NULL, $2, $3, $4)`,
      [id, fields.ownerId, actor.advisorId, actor.at],
    );
    await insertStageChange(db, id, fields.stage, null, actor);
    await writeAudit(db, actor, 'opportunity', id, 'create', {
      topic: fields.topic,
      ownerId: fields.ownerId,
      referredByAdvisorId: fields.referredByAdvisorId ?? null,
      referredByContactId: referrerContactId,
    });
    if (fields.referredByAdvisorId || referrerContactId)
      await insertReferredEvent(db, id, fields.referredByAdvisorId ?? null, referrerContactId, actor);
    if (fields.note) await insertNote(db, id, fields.note.body, fields.note.shareWith, actor);
    if (fields.linkItem) await upsertRegarding(db, fields.linkItem, id, actor);
    await markRecent(db, actor.advisorId, id, actor.at);
    if (fields.idempotencyKey)
      await db.query(
        'INSERT INTO idempotency_keys (advisor_id, key, opportunity_id, created_at) VALUES ($1, $2, $3, $4)',
        [actor.advisorId, fields.idempotencyKey, id, actor.at],
      );
    return { id, created: true };
  }

  async update(id: number, expectedVersion: number, changes: OpportunityChanges, actor: Actor) {
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined) as [
      keyof OpportunityChanges,
      unknown,
    ][];
    const updated = await transaction(this.db, async (db) => {
      if (!(await rightsHold(db, actor))) return false;
      // Locked until the end: a second change at the same version waits, then finds the version moved.
      const { rows } = await db.query<{
        stage: OpportunityRecord['stage'];
        advisor: number | null;
        contact: number | null;
        version: number;
      }>(
        `SELECT stage, referred_by_advisor_id AS advisor, referred_by_contact_id AS contact, version
           FROM opportunities WHERE id = $1 FOR NO KEY UPDATE`,
        [id],
      );
      const before = rows[0];
      if (!before || before.version !== expectedVersion) return false;
      const values: unknown[] = [id, actor.at, changes.stage ?? null];
      const sets = entries.map(([key, value]) => `${CHANGEABLE[key]} = $${values.push(value)}`);
      const after = await db.query<{ advisor: number | null; contact: number | null }>(
        `UPDATE opportunities SET ${[
          ...sets,
          'version = version + 1',
          'updated_at = $2',
          'stage_entered_at = CASE WHEN $3::text IS NOT NULL AND $3::text <> stage THEN $2::timestamptz ELSE stage_entered_at END',
        ].join(', ')}
         WHERE id = $1 RETURNING referred_by_advisor_id AS advisor, referred_by_contact_id AS contact`,
        values,
      );
      await writeAudit(db, actor, 'opportunity', id, 'update', Object.fromEntries(entries));
      if (changes.stage !== undefined && changes.stage !== before.stage)
        await insertStageChange(db, id, changes.stage, before.stage, actor);
      if (changes.referredByAdvisorId !== undefined || changes.referredByContactId !== undefined) {
        const referrer = after.rows[0];
        if (referrer.advisor !== before.advisor || referrer.contact !== before.contact)
          await insertReferredEvent(db, id, referrer.advisor, referrer.contact, actor);
      }
      return true;
    });
    return updated ? ((await this.findById(id)) ?? 'stale') : 'stale';
  }

  assign(id: number, expectedVersion: number, toAdvisorId: number, message: string | null, actor: Actor) {
    return transaction(this.db, async (db) => {
      if (!(await rightsHold(db, actor))) return 'stale' as const;
      const { rows } = await db.query<{ owner_id: number; version: number; status: string }>(
        'SELECT owner_id, version, status FROM opportunities WHERE id = $1 FOR NO KEY UPDATE',
        [id],
      );
      const before = rows[0];
      if (!before || before.version !== expectedVersion || before.status !== 'open') return 'stale' as const;
      // Shared-locked until the end: a deactivation of the new owner waits for this assignment, or it sees it.
      const to = await db.query<{ active: boolean }>('SELECT active FROM advisors WHERE id = $1 FOR SHARE', [
        toAdvisorId,
      ]);
      if (!to.rows[0]?.active) return 'stale' as const;
      const from = before.owner_id;
      await db.query(
        'UPDATE opportunities SET owner_id = $1, assigned_at = $2, updated_at = $2, version = version + 1 WHERE id = $3',
        [toAdvisorId, actor.at, id],
      );
      await db.query(
        `INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, message, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, from, toAdvisorId, actor.advisorId, message, actor.at],
      );
      // A referral's note must never be invisible to the advisor who now handles it.
      await db.query(
        `INSERT INTO note_shares (note_id, advisor_id)
           SELECT n.id, $1 FROM notes n WHERE n.opportunity_id = $2 AND n.author_id = $3 AND n.author_id <> $1
           ORDER BY n.id ON CONFLICT DO NOTHING`,
        [toAdvisorId, id, actor.advisorId],
      );
      await writeAudit(db, actor, 'opportunity', id, 'assign', { from, to: toAdvisorId, message });
      return 'done' as const;
    });
  }

  close(
    id: number,
    expectedVersion: number,
    outcome: { status: 'won' | 'lost'; actualValue: number | null; closeDate: string; reason: string | null },
    actor: Actor,
  ) {
    return transaction(this.db, async (db) => {
      if (!(await rightsHold(db, actor))) return 'stale' as const;
      const changed = await db.query(
        `UPDATE opportunities SET status = $1, actual_value = $2, actual_close_date = $3, close_reason = $4,
             updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7 AND status = 'open'`,
        [outcome.status, outcome.actualValue, outcome.closeDate, outcome.reason, actor.at, id, expectedVersion],
      );
      if (!changed.rowCount) return 'stale' as const;
      await insertEvent(db, id, 'closed', outcome.status, outcome.actualValue, outcome.reason, actor);
      await writeAudit(db, actor, 'opportunity', id, 'close', outcome);
      return 'done' as const;
    });
  }

  reopen(id: number, expectedVersion: number, actor: Actor) {
    return transaction(this.db, async (db) => {
      if (!(await rightsHold(db, actor))) return 'stale' as const;
      const changed = await db.query(
        `UPDATE opportunities SET status = 'open', actual_value = NULL, actual_close_date = NULL, close_reason = NULL,
             updated_at = $1, version = version + 1 WHERE id = $2 AND version = $3 AND status <> 'open'`,
        [actor.at, id, expectedVersion],
      );
      if (!changed.rowCount) return 'stale' as const;
      await insertEvent(db, id, 'reopened', null, null, null, actor);
      await writeAudit(db, actor, 'opportunity', id, 'reopen');
      return 'done' as const;
    });
  }

  markRecent(advisorId: number, opportunityId: number, at: string) {
    return this.recent.mark(advisorId, opportunityId, at);
  }

  async assignments(opportunityId: number, page: Keyset): Promise<Assignment[]> {
    const rows = await arrays<
      [
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
      ]
    >(
      this.db,
      `SELECT s.id, s.opportunity_id, s.from_advisor_id, f.display_name, f.email, s.to_advisor_id, t.display_name,
           t.email, s.by_advisor_id, b.display_name, b.email, s.message, s.created_at
         FROM assignments s
         LEFT JOIN advisors f ON f.id = s.from_advisor_id
         JOIN advisors t ON t.id = s.to_advisor_id
         JOIN advisors b ON b.id = s.by_advisor_id
         WHERE s.opportunity_id = $1
           AND ($2::timestamptz IS NULL OR s.created_at < $2 OR (s.created_at = $2 AND s.id < $3))
         ORDER BY s.created_at DESC, s.id DESC LIMIT ${checkedLimit(page.limit)}`,
      [opportunityId, page.before?.at ?? null, page.before?.id ?? null],
    );
    return rows.map(
      ([
        id,
        opportunity,
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
        opportunityId: opportunity,
        from: fromId ? { id: fromId, displayName: fromName!, email: fromEmail! } : null,
        to: { id: toId, displayName: toName, email: toEmail },
        by: { id: byId, displayName: byName, email: byEmail },
        message,
        messageHidden: false,
        createdAt,
      }),
    );
  }

  async events(opportunityId: number, page: Keyset): Promise<OpportunityEvent[]> {
    const { rows } = await this.db.query<{
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
    }>(
      `SELECT e.id, e.opportunity_id, e.kind, e.outcome, e.value, e.reason, e.created_at,
           b.id AS by_id, b.display_name AS by_name, b.email AS by_email,
           e.referrer_advisor_id, ra.display_name AS ra_name, ra.email AS ra_email,
           e.referrer_contact_id, rc.name AS rc_name, rc.email AS rc_email
         FROM opportunity_events e JOIN advisors b ON b.id = e.by_advisor_id
         LEFT JOIN advisors ra ON ra.id = e.referrer_advisor_id
         LEFT JOIN contacts rc ON rc.id = e.referrer_contact_id
         WHERE e.opportunity_id = $1
           AND ($2::timestamptz IS NULL OR e.created_at < $2 OR (e.created_at = $2 AND e.id < $3))
         ORDER BY e.created_at DESC, e.id DESC LIMIT ${checkedLimit(page.limit)}`,
      [opportunityId, page.before?.at ?? null, page.before?.id ?? null],
    );
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

/** Who referred it from now on (both null: cleared), for the timeline: called only inside the write that sets it. */
async function insertReferredEvent(
  db: Queryable,
  opportunityId: number,
  advisorId: number | null,
  contactId: number | null,
  actor: Actor,
): Promise<void> {
  await db.query(
    `INSERT INTO opportunity_events (opportunity_id, kind, referrer_advisor_id, referrer_contact_id, by_advisor_id, created_at)
       VALUES ($1, 'referred', $2, $3, $4, $5)`,
    [opportunityId, advisorId, contactId, actor.advisorId, actor.at],
  );
}

/** A stage entered, for the funnel: called only inside the write that creates the opportunity or changes its stage. */
async function insertStageChange(
  db: Queryable,
  opportunityId: number,
  stage: OpportunityRecord['stage'],
  fromStage: OpportunityRecord['stage'] | null,
  actor: Actor,
): Promise<void> {
  await db.query(
    'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES ($1, $2, $3, $4, $5)',
    [opportunityId, stage, fromStage, actor.at, actor.advisorId],
  );
}

/** A close or reopen for the timeline: called only inside the write that changes the status. */
async function insertEvent(
  db: Queryable,
  opportunityId: number,
  kind: OpportunityEvent['kind'],
  outcome: OpportunityEvent['outcome'],
  value: number | null,
  reason: string | null,
  actor: Actor,
): Promise<void> {
  await db.query(
    `INSERT INTO opportunity_events (opportunity_id, kind, outcome, value, reason, by_advisor_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [opportunityId, kind, outcome, value, reason, actor.advisorId, actor.at],
  );
}
