/**
 * Query-plan checks: records every statement a repository call runs (its SQL and parameters), then asks
 * SQLite how it plans each one (EXPLAIN QUERY PLAN with the same parameters), so a test can assert that a
 * hot statement starts from an index and never walks a whole firm-sized table.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../server/db/connection';

export interface RecordedStatement {
  source: string;
  params: unknown[];
}

export interface StatementPlan extends RecordedStatement {
  /** EXPLAIN QUERY PLAN's lines, indented by depth ("SEARCH o USING INDEX …", "SCAN c", …). */
  lines: string[];
}

const RUNNERS = ['run', 'get', 'all', 'iterate'] as const;

/**
 * Wraps `db.prepare` so each statement records what it runs while `recording` is on. Call before the
 * repository is created: statements are prepared once per connection and cached.
 */
export function recordStatements(db: Db) {
  const recorded: RecordedStatement[] = [];
  let recording = false;
  const prepare = db.prepare.bind(db);
  const wrap = (statement: Statement): Statement =>
    new Proxy(statement, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if ((RUNNERS as readonly PropertyKey[]).includes(property))
          return (...params: unknown[]) => {
            if (recording) recorded.push({ source: target.source, params });
            return (value as (...args: unknown[]) => unknown).apply(target, params);
          };
        // raw(), pluck(), expand(), bind() return the statement itself: keep it wrapped.
        return (...args: unknown[]) => {
          const result = (value as (...args: unknown[]) => unknown).apply(target, args);
          return result === target ? receiver : result;
        };
      },
    });
  (db as { prepare: (source: string) => Statement }).prepare = (source: string) => wrap(prepare(source));
  return {
    /** Runs `call` and returns the plans of the statements it ran (read statements only: SELECT or WITH). */
    async plansOf(call: () => unknown): Promise<StatementPlan[]> {
      recorded.length = 0;
      recording = true;
      try {
        await call();
      } finally {
        recording = false;
      }
      return recorded
        .filter((statement) => /^\s*(SELECT|WITH)\b/i.test(statement.source))
        .map((statement) => ({ ...statement, lines: explain(prepare, statement) }));
    },
  };
}

function explain(prepare: (source: string) => Statement, statement: RecordedStatement): string[] {
  const rows = prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(...statement.params) as {
    id: number;
    parent: number;
    detail: string;
  }[];
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const level = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, level);
    return `${'  '.repeat(level)}${row.detail}`;
  });
}

/**
 * The lines of a plan that read every row of a table (or every entry of one of its indexes): "SCAN o",
 * "SCAN o USING INDEX …", "SCAN opportunities USING COVERING INDEX …". Virtual tables (the full-text
 * index, json_each), subquery results and the tables named in `small` (a firm has a few of them) pass.
 */
export function fullScans(plan: StatementPlan, small: readonly string[] = SMALL_TABLES): string[] {
  const aliases = tableAliases(plan.source);
  return plan.lines.filter((line) => {
    const scan = /^\s*SCAN (\S+)(.*)$/.exec(line);
    if (!scan) return false;
    const [, name, rest] = scan;
    if (/VIRTUAL TABLE|json_each/i.test(rest) || /^json_each/i.test(name)) return false;
    if (/^\(subquery|^CONSTANT ROW/i.test(`${name}${rest}`)) return false;
    // A common table expression (`WITH RECURSIVE words (word) AS (…)`): its own lines are checked.
    if (commonTableNames(plan.source).has(name)) return false;
    // A subquery in FROM, named by its alias (`FROM (SELECT … LIMIT 26) p`): its own lines are checked.
    if (subqueryAliases(plan.source).has(name)) return false;
    const table = aliases.get(name) ?? name;
    return !small.includes(table);
  });
}

/** Tables small in any firm: advisors, teams and settings, not a firm's opportunities, contacts or activities. */
export const SMALL_TABLES = [
  'advisors',
  'teams',
  'team_members',
  'campaigns',
  'activity_labels',
  'activity_points',
  'exception_rules',
  'holidays',
  'team_changes',
  'json_each',
] as const;

/** `FROM opportunities o`, `JOIN contacts AS c`: alias → table, as EXPLAIN names a table by its alias. */
function tableAliases(source: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const match of source.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    const [, table, alias] = match;
    aliases.set(table, table);
    if (alias && !/^(ON|WHERE|JOIN|LEFT|INNER|CROSS|USING|GROUP|ORDER|LIMIT|WHERE|AND|OR)$/i.test(alias))
      aliases.set(alias, table);
  }
  return aliases;
}

/** `(SELECT …) p`, `(SELECT …) AS p`: the aliases of subqueries in FROM or JOIN. */
function subqueryAliases(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/\(\s*SELECT\b/gi)) {
    let depth = 0;
    for (let i = match.index; i < source.length; i++) {
      if (source[i] === '(') depth++;
      else if (source[i] === ')' && --depth === 0) {
        const alias = /^\s+(?:AS\s+)?(\w+)/i.exec(source.slice(i + 1));
        if (alias && !/^(ON|WHERE|JOIN|LEFT|INNER|CROSS|GROUP|ORDER|LIMIT|AND|OR|AS|THEN|END|IS|IN)$/i.test(alias[1]))
          names.add(alias[1]);
        break;
      }
    }
  }
  return names;
}

/** `WITH [RECURSIVE] words (word) AS (`, `, more AS (`: the names of common table expressions. */
function commonTableNames(source: string): Set<string> {
  if (!/^\s*WITH\b/i.test(source)) return new Set();
  return new Set(
    [...source.matchAll(/(?:\bWITH\s+(?:RECURSIVE\s+)?|,\s*)(\w+)\s*(?:\([\w\s,]*\)\s*)?AS\s*\(/gi)].map((m) => m[1]),
  );
}

/** A readable message for an assertion: each statement's SQL (shortened) and its plan. */
export function describePlans(plans: StatementPlan[]): string {
  return plans
    .map((plan) => `${plan.source.replace(/\s+/g, ' ').slice(0, 300)}\n${plan.lines.join('\n')}`)
    .join('\n\n');
}

/**
 * A page whose statement binds its LIMIT (`LIMIT :limit`, `LIMIT ?`): SQLite then prepares it again on every run
 * (see checkedLimit in server/repository/sqlite/support.ts). Returns the statements that do.
 */
export function boundLimits(plans: StatementPlan[]): StatementPlan[] {
  return plans.filter((plan) => /\bLIMIT\s+[:?@$]/.test(plan.source));
}
