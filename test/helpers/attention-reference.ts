import type { Db } from '../../server/db/connection';
import { addBusinessDays, latestStartMet } from '../../server/services/business-days';
import { endOfLocalDate, localDate } from '../../server/services/zoned-time';

/**
 * Needs attention computed from the facts at `now`, as the service did before the due times were precomputed
 * (migration 019): the statement that tested every open opportunity of the owners, with each zone's thresholds,
 * and the reasons with their due times. The consistency test (attention-due.test.ts) holds the precomputed
 * answer to this one.
 */
const ATTENTION_FACTS = `SELECT f.*,
    json_extract(f.thresholds, '$.today') AS today,
    json_extract(f.thresholds, '$.untouchedIfAssignedBy') AS untouched_by,
    json_extract(f.thresholds, '$.noActivityIfCreatedBy') AS no_activity_by
  FROM (SELECT o.id, ad.time_zone, reference_thresholds(ad.time_zone) AS thresholds,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.created_at >= o.assigned_at)
      OR EXISTS (SELECT 1 FROM notes n WHERE n.opportunity_id = o.id AND n.author_id = o.owner_id AND n.created_at >= o.assigned_at)
      AS touched,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
              AND a.kind IN ('appointment', 'task', 'phone_call')
              AND (a.start_at > :now OR (a.kind = 'task' AND a.start_at IS NULL)))
      AS has_next_step,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id) AS has_activity
  FROM opportunities o
  JOIN advisors ad ON ad.id = o.owner_id
  WHERE o.status = 'open' AND o.owner_id IN (SELECT value FROM json_each(:owners))) f`;

const NEEDS_ATTENTION = `((:noNextStep AND NOT f.has_next_step)
  OR o.estimated_close_date < f.today
  OR (NOT f.touched AND o.assigned_at <= f.untouched_by)
  OR (NOT f.has_activity AND o.created_at <= f.no_activity_by))`;

interface Thresholds {
  today: string | null;
  untouchedIfAssignedBy: string | null;
  noActivityIfCreatedBy: string | null;
}

export interface ReferenceReason {
  code: string;
  since: string | null;
  due: string | null;
}

export function referenceNeedsAttention(
  db: Db,
  owners: number[],
  now: Date,
  limit: number,
  offset: number,
): { items: { id: number; reasons: ReferenceReason[] }[]; total: number } {
  const rules = db.prepare('SELECT * FROM exception_rules WHERE id = 1').get() as Record<string, number>;
  const holidays = new Set(db.prepare('SELECT date FROM holidays').pluck().all() as string[]);
  const byZone = new Map<string, Thresholds>();
  const thresholdsOf = (zone: string): Thresholds => {
    let thresholds = byZone.get(zone);
    if (!thresholds) {
      thresholds = {
        today: rules.past_close_date_on ? localDate(now, zone) : null,
        untouchedIfAssignedBy: rules.untouched_on
          ? latestStartMet(now, rules.untouched_business_days, zone, holidays).toISOString()
          : null,
        noActivityIfCreatedBy: rules.no_activity_on
          ? latestStartMet(now, rules.no_activity_business_days, zone, holidays).toISOString()
          : null,
      };
      byZone.set(zone, thresholds);
    }
    return thresholds;
  };
  db.function('reference_thresholds', (zone) => JSON.stringify(thresholdsOf(zone as string)));
  const params = {
    now: now.toISOString(),
    noNextStep: rules.no_next_step_on,
    owners: JSON.stringify(owners),
    limit,
    offset,
  };
  const rows = db
    .prepare(
      `SELECT o.id, o.assigned_at, o.created_at, o.estimated_close_date, touched, has_next_step, has_activity,
         f.time_zone FROM (${ATTENTION_FACTS}) f JOIN opportunities o ON o.id = f.id
       WHERE ${NEEDS_ATTENTION}
       ORDER BY o.updated_at DESC, o.id DESC LIMIT :limit OFFSET :offset`,
    )
    .all(params) as {
    id: number;
    assigned_at: string;
    created_at: string;
    estimated_close_date: string | null;
    touched: number;
    has_next_step: number;
    has_activity: number;
    time_zone: string;
  }[];
  const total = db
    .prepare(`SELECT count(*) FROM (${ATTENTION_FACTS}) f JOIN opportunities o ON o.id = f.id WHERE ${NEEDS_ATTENTION}`)
    .pluck()
    .get(params) as number;
  const items = rows.map((row) => {
    const zone = thresholdsOf(row.time_zone);
    const reasons: ReferenceReason[] = [];
    if (zone.untouchedIfAssignedBy && !row.touched && row.assigned_at <= zone.untouchedIfAssignedBy) {
      const due = addBusinessDays(new Date(row.assigned_at), rules.untouched_business_days, row.time_zone, holidays);
      reasons.push({ code: 'untouched', since: row.assigned_at, due: due.toISOString() });
    }
    if (zone.noActivityIfCreatedBy && !row.has_activity && row.created_at <= zone.noActivityIfCreatedBy) {
      const due = addBusinessDays(new Date(row.created_at), rules.no_activity_business_days, row.time_zone, holidays);
      reasons.push({ code: 'no-activity', since: row.created_at, due: due.toISOString() });
    }
    if (rules.no_next_step_on && !row.has_next_step) reasons.push({ code: 'no-next-step', since: null, due: null });
    if (zone.today && row.estimated_close_date && row.estimated_close_date < zone.today) {
      const due = endOfLocalDate(row.estimated_close_date, row.time_zone).toISOString();
      reasons.push({ code: 'past-close-date', since: row.estimated_close_date, due });
    }
    return { id: row.id, reasons };
  });
  return { items, total };
}
