import type { Db } from '../../db/connection';
import { FIRM_PERIOD_MS, OWNER_PERIOD_MS } from '../../db/migrations/028_funnel_totals';
import type { FunnelSummary } from '../repository';
import { STAGES, type Stage } from '../../../shared/schemas/opportunities';
import { list, sql, sqlArrays } from './support';

const DAY = 86_400_000;

/** A scope's rows: the firm's own (null), one owner's, or several owners' (json_each first, in that order). */
const scoped = (ownerIds: number[] | null, firm: string, owned: string, columns: string, where: string, group = '') =>
  ownerIds === null
    ? `SELECT ${columns} FROM ${firm} t WHERE ${where} ${group}`
    : ownerIds.length === 1
      ? `SELECT ${columns} FROM ${owned} t WHERE t.owner_id = :owner AND ${where} ${group}`
      : `SELECT ${columns} FROM json_each(:owners) j CROSS JOIN ${owned} t ON t.owner_id = j.value WHERE ${where} ${group}`;

const several = (ownerIds: number[] | null) => ownerIds !== null && ownerIds.length > 1;

const TOTALS = (ownerIds: number[] | null) =>
  scoped(
    ownerIds,
    'funnel_totals_firm',
    'funnel_totals',
    several(ownerIds)
      ? 't.stage, sum(t.reached), sum(t.entered), sum(t.won), sum(t.lost)'
      : 't.stage, t.reached, t.entered, t.won, t.lost',
    'TRUE',
    several(ownerIds) ? 'GROUP BY t.stage' : '',
  );

/**
 * The counts per stage and kind as one text each of `period,count` pairs: a row per period would cost more to build in
 * JavaScript than SQLite takes to read them (the firm's 8,000 rows: 8 ms against 0.3 ms).
 */
const PERIODS = (ownerIds: number[] | null) =>
  !several(ownerIds)
    ? scoped(
        ownerIds,
        'funnel_stay_periods_firm',
        'funnel_stay_periods',
        "t.stage, t.running, group_concat(t.period || ',' || t.count)",
        't.count > 0',
        'GROUP BY t.stage, t.running',
      )
    : `SELECT stage, running, group_concat(period || ',' || count) FROM (${scoped(
        ownerIds,
        '',
        'funnel_stay_periods',
        't.stage, t.running, t.period, sum(t.count) AS count',
        'TRUE',
        'GROUP BY t.stage, t.running, t.period HAVING sum(t.count) > 0',
      )}) GROUP BY stage, running`;

/** How many running stays of the scope's stage have a key in (:above, :below). */
const RUNNING_BETWEEN = (ownerIds: number[] | null) =>
  scoped(
    ownerIds,
    'funnel_stays',
    'funnel_stays',
    'count(*)',
    't.stage = :stage AND t.running = 1 AND t.key > :above AND t.key < :below',
  );

/**
 * The stays of a stage with milliseconds in [:from, :to), shortest first, from position :skip on: the finished ones by
 * their key, the running ones by `now - key`. Both are ranges of funnel_stays' indexes.
 */
const STAYS_BETWEEN = (ownerIds: number[] | null) =>
  // A compound ORDER BY merges the two arms: the finished ones come in index order, only the running ones are sorted.
  `${scoped(ownerIds, 'funnel_stays', 'funnel_stays', 't.key AS ms', 't.stage = :stage AND t.running = 0 AND t.key >= :from AND t.key < :to')}
  UNION ALL
  ${scoped(ownerIds, 'funnel_stays', 'funnel_stays', ':now - t.key', 't.stage = :stage AND t.running = 1 AND t.key > :now - :to AND t.key <= :now - :from')}
  ORDER BY 1 LIMIT :take OFFSET :skip`;

/** A running stay that started after `now` counts as its finished part only (max(0, now - since)): not a range. */
const STARTED_AFTER = `SELECT 1 FROM funnel_stays WHERE running = 1 AND since > :now LIMIT 1`;

/** Periods (sorted) and their counts, with the count below each period. */
class Periods {
  readonly periods: number[] = [];
  readonly counts: number[] = [];
  /** before[i]: the count in periods[0 .. i). */
  readonly before: number[] = [0];
  /** From `period,count` pairs as text, in any order (group_concat promises none). */
  constructor(pairs: string | undefined) {
    const flat = pairs ? (JSON.parse(`[${pairs}]`) as number[]) : [];
    const order = Array.from({ length: flat.length / 2 }, (_, i) => i);
    if (order.some((i) => i > 0 && flat[2 * i] < flat[2 * i - 2])) order.sort((a, b) => flat[2 * a] - flat[2 * b]);
    for (const i of order) {
      this.periods.push(flat[2 * i]);
      this.counts.push(flat[2 * i + 1]);
      this.before.push(this.before[this.before.length - 1] + flat[2 * i + 1]);
    }
  }
  get total() {
    return this.before[this.before.length - 1];
  }
  /** The index of the first period >= p. */
  private index(p: number) {
    let low = 0;
    let high = this.periods.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.periods[middle] < p) low = middle + 1;
      else high = middle;
    }
    return low;
  }
  /** The count in periods before p. */
  below(p: number) {
    return this.before[this.index(p)];
  }
  /** The count in period p. */
  at(p: number) {
    const i = this.index(p);
    return this.periods[i] === p ? this.counts[i] : 0;
  }
}

/**
 * The funnel's counts and the stays at the positions the percentiles read, from the totals migration 028 keeps: a
 * few rows per owner in scope (or the firm's), then per position only the stays of a short range of values. null when
 * they cannot answer exactly (a running stay that started after `now`, as a clock set back would leave): the caller
 * computes the funnel from every stay then.
 *
 * A stay's milliseconds are its key when finished and `now - key` when running, so the two kinds sort differently;
 * the periods count each kind by key. For a value t (a multiple of the period width W), the stays below t are the
 * finished ones in periods below t / W and the running ones with key > now - t: every running period above the one
 * holding now - t, and part of that one. That gives a lower and an upper bound of the count below t; a range
 * [a, b) whose bounds say it holds the positions wanted is read in order, after counting exactly the running stays of
 * the one partial period below a.
 */
export function funnelFromTotals(
  db: Db,
  ownerIds: number[] | null,
  now: string,
  percentiles: readonly number[],
): FunnelSummary | null {
  const nowMs = Date.parse(now);
  if (sql(db, STARTED_AFTER).get({ now: nowMs })) return null;
  const params = ownerIds === null ? {} : ownerIds.length === 1 ? { owner: ownerIds[0] } : { owners: list(ownerIds) };
  const width = ownerIds === null ? FIRM_PERIOD_MS : OWNER_PERIOD_MS;
  const totals = sqlArrays(db, TOTALS(ownerIds)).all(params) as [Stage, number, number, number, number][];
  const counted = sqlArrays(db, PERIODS(ownerIds)).all(params) as [Stage, number, string][];
  const runningBetween = sql(db, RUNNING_BETWEEN(ownerIds)).pluck();
  const staysBetween = sql(db, STAYS_BETWEEN(ownerIds)).pluck();
  const counts = STAGES.map((stage) => {
    const row = totals.find(([s]) => s === stage);
    return { stage, reached: row?.[1] ?? 0, entered: row?.[2] ?? 0, won: row?.[3] ?? 0, lost: row?.[4] ?? 0 };
  });
  const stays = STAGES.map((stage) => {
    const pairs = (running: number) => counted.find(([s, r]) => s === stage && r === running)?.[2];
    const finished = new Periods(pairs(0));
    const running = new Periods(pairs(1));
    const n = finished.total + running.total;
    const days: Record<number, number> & { length: number } = { length: n };
    if (n === 0) return { stage, days };
    // Bounds of the count of stays below j * width.
    const bounds = (j: number) => {
      const partial = Math.floor((nowMs - j * width) / width);
      const low = finished.below(j) + running.total - running.below(partial + 1);
      return { low, high: low + running.at(partial), partial };
    };
    // Past the longest stay: the finished ones' last period, and the running one with the smallest key.
    const last = Math.max(
      finished.periods.length ? finished.periods[finished.periods.length - 1] + 1 : 0,
      running.periods.length ? Math.floor((nowMs - running.periods[0] * width) / width) + 2 : 0,
    );
    const read = (first: number, until: number) => {
      let a = 0;
      for (let j = 0; j <= last && bounds(j).high <= first; j++) a = j;
      let b = a + 1;
      while (b < last && bounds(b).low <= until) b++;
      const { low, partial } = bounds(a);
      const above = nowMs - a * width;
      const exact =
        a === 0 ? 0 : low + (runningBetween.get({ ...params, stage, above, below: (partial + 1) * width }) as number);
      const values = staysBetween.all({
        ...params,
        stage,
        now: nowMs,
        from: a * width,
        to: b * width,
        take: until - first + 1,
        skip: first - exact,
      }) as number[];
      if (values.length !== until - first + 1) throw new Error(`funnel totals: stays ${first}..${until} not found`);
      values.forEach((ms, i) => (days[first + i] = ms / DAY));
    };
    for (const p of percentiles) {
      const position = (n - 1) * p;
      const [first, until] = [Math.floor(position), Math.ceil(position)];
      if (!(first in days && until in days)) read(first, until);
    }
    return { stage, days };
  });
  return { asOf: now, counts, stays };
}
