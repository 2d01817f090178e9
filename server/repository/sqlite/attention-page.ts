import type { Db } from '../../db/connection';
import type { SummaryRow } from '../rows/opportunity-rows';
import { checkedLimit } from '../rows/page-size';
import { OPPORTUNITY_JOINS, SUMMARY_COLUMNS } from './opportunities';
import type { JsonText } from './report-jobs';
import { list, sql } from './support';

/**
 * Needs attention reads the due times the schema keeps (migrations 019, 024): the owners' entries up to now, never
 * the facts of every open opportunity. CROSS JOIN keeps the owners the outer loop (the planner cannot count
 * json_each's rows and may otherwise walk every due time of the firm).
 */
const OWNERS_DUE_TIMES = `json_each(:owners) w CROSS JOIN opportunity_attention t`;
const DUE_BY_NOW = `t.owner_id = w.value AND t.attention_due <= :now`;

/**
 * Up to this many due rows, the page is sorted from the owners' due rows (opportunity_attention_due); beyond, it is
 * read in order from opportunity_attention_page, which stops as soon as the page is complete but walks the rows not
 * yet due on the way: with many due rows few are passed over, with few, sorting them costs less than the walk.
 */
export const SORT_DUE_ROWS = 500;

/** The page's rows, newest change first; `INDEXED BY` names the plan chosen by the count (see SORT_DUE_ROWS). */
const pageOfDueTimes = (index: 'opportunity_attention_due' | 'opportunity_attention_page', limit: number) =>
  `SELECT t.opportunity_id, t.untouched_due, t.no_activity_due, t.no_next_step_due, t.past_close_due, t.updated_at
     FROM json_each(:owners) w CROSS JOIN opportunity_attention t INDEXED BY ${index}
     WHERE ${DUE_BY_NOW} ORDER BY t.updated_at DESC, t.opportunity_id DESC LIMIT ${checkedLimit(limit)} OFFSET :offset`;

/** One row of a page: the rules' due times, when the owner was given it, then the summary's columns. */
export type AttentionPageRow = [
  untouched: string | null,
  noActivity: string | null,
  noNextStep: string | null,
  pastCloseDate: string | null,
  assignedAt: string,
  ...summary: SummaryRow,
];

/**
 * A page of the owners' opportunities due at `now`, and how many are due in all, as JSON text of plain rows: it runs in
 * the read worker (report-jobs.ts), so the answer crosses to the event loop as text and is shaped there.
 */
export function attentionPage(
  ...args: Parameters<typeof readAttentionPage>
): JsonText<{ rows: AttentionPageRow[]; total: number }> {
  // One read transaction: the count and the page are of one moment while the server goes on writing.
  return args[0].transaction(readAttentionPage)(...args);
}

function readAttentionPage(
  db: Db,
  ownerIds: number[],
  now: string,
  limit: number,
  offset: number,
): JsonText<{ rows: AttentionPageRow[]; total: number }> {
  const params = { now, owners: list([...new Set(ownerIds)]), offset };
  const total = sql(db, `SELECT count(*) FROM ${OWNERS_DUE_TIMES} WHERE ${DUE_BY_NOW}`).pluck().get(params) as number;
  if (offset >= total) return pageText([], total);
  // The page is chosen from the due-time rows alone (they keep updated_at); only its rows are joined for display,
  // by primary key (CROSS JOIN keeps the page the outer loop). The list shows summaries: a whole opportunity's
  // details (description, close facts) are not read.
  const index = total <= SORT_DUE_ROWS ? 'opportunity_attention_due' : 'opportunity_attention_page';
  const rows = sql(
    db,
    `SELECT json_array(p.untouched_due, p.no_activity_due, p.no_next_step_due, p.past_close_due, o.assigned_at,
         ${SUMMARY_COLUMNS})
       FROM (${pageOfDueTimes(index, limit)}) p CROSS JOIN opportunities o ON o.id = p.opportunity_id ${OPPORTUNITY_JOINS}
     ORDER BY p.updated_at DESC, p.opportunity_id DESC`,
  )
    .pluck()
    .all(params) as string[];
  return pageText(rows, total);
}

const pageText = (rows: string[], total: number) =>
  `{"rows":[${rows.join(',')}],"total":${total}}` as JsonText<{ rows: AttentionPageRow[]; total: number }>;
