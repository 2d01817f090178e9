import type { PostgresMigration } from '../migrate';

/** The facts' columns, as the table and its view have them (also filled by bench/postgres-load.ts, compared by tests). */
export const ATTENTION_FACT_COLUMNS = [
  'opportunity_id',
  'owner_id',
  'updated_at',
  'assigned_at',
  'created_at',
  'estimated_close_date',
  'touched',
  'has_activity',
  'undated_task',
  'last_start',
];
const FACT_COLUMNS = ATTENTION_FACT_COLUMNS.join(', ');

/**
 * Needs attention on PostgreSQL from the owners' own rows (issue 15's rule, issue 16's backend): each open
 * opportunity's facts the exception rules read, kept by triggers in the write that changes them, in an index that
 * gives an owner's opportunities newest first with every fact. A read tests each of the owner's index entries against
 * the rules' thresholds at that moment (worked out per owner's zone by the service, as before), without reading an
 * activity or a note: for the biggest book at 100k, 3,000 opportunities and 5,000 probes of their activities and notes
 * became one index range.
 *
 * The facts, as the read computed them from the rows before (and SQLite's due-time view, migration 019, does):
 * - touched: an activity linked, or a note by the owner, since the assignment;
 * - has_activity: an activity linked at all;
 * - undated_task: an open task without a start (a next step that never lapses);
 * - last_start: the latest start of its open appointments, calls and tasks.
 *
 * Unlike SQLite's due times, nothing here depends on the rules, the holidays or a zone: a change of them needs no
 * recompute, and time passing makes an opportunity due with no write. Each refresh recomputes one opportunity's row
 * from the view, after an advisory lock on that opportunity: two writes on it at once refresh one after the other,
 * the second reading what the first committed (each statement of a READ COMMITTED transaction, as every write of the
 * service runs, sees the commits before it; a write at REPEATABLE READ would not). Not a lock of the
 * opportunity's row: Set Regarding holds it FOR SHARE, and two of them raising it would deadlock. Each lock is held
 * to the commit: the service's writes touch one or two opportunities; a bulk load of thousands in one transaction
 * would need max_locks_per_transaction raised, or its triggers off and the facts filled from the view after (as
 * bench/postgres-load.ts does). Two transactions that each touch two opportunities in opposite orders (a draft folded
 * into one while another is linked) can deadlock; PostgreSQL ends one after deadlock_timeout and it runs again.
 */
export const postgresAttentionFacts: PostgresMigration = {
  version: 33,
  name: 'needs-attention facts kept with each open opportunity',
  sql: /* sql */ `
-- No write to the facts' tables between the fill below and the triggers that keep it (an instance of the previous
-- release may be writing): they wait for this migration's commit.
LOCK TABLE opportunities, activities, notes IN SHARE ROW EXCLUSIVE MODE;

CREATE VIEW opportunity_attention_facts_source AS
SELECT o.id AS opportunity_id, o.owner_id, o.updated_at, o.assigned_at, o.created_at, o.estimated_close_date,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.created_at >= o.assigned_at)
      OR EXISTS (SELECT 1 FROM notes n
        WHERE n.opportunity_id = o.id AND n.author_id = o.owner_id AND n.created_at >= o.assigned_at) AS touched,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id) AS has_activity,
    EXISTS (SELECT 1 FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
      AND a.kind = 'task' AND a.start_at IS NULL) AS undated_task,
    (SELECT max(a.start_at) FROM activities a WHERE a.regarding_opportunity_id = o.id AND a.status = 'open'
      AND a.kind IN ('appointment', 'task', 'phone_call')) AS last_start
  FROM opportunities o
  WHERE o.status = 'open';

CREATE TABLE opportunity_attention_facts (
  opportunity_id bigint PRIMARY KEY REFERENCES opportunities (id) ON DELETE CASCADE,
  owner_id bigint NOT NULL,
  updated_at timestamptz NOT NULL,
  assigned_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  estimated_close_date date,
  touched boolean NOT NULL,
  has_activity boolean NOT NULL,
  undated_task boolean NOT NULL,
  last_start timestamptz
);
INSERT INTO opportunity_attention_facts (${FACT_COLUMNS}) SELECT ${FACT_COLUMNS} FROM opportunity_attention_facts_source;
-- An owner's open opportunities newest first, as needs attention pages them, with every fact its rules test.
CREATE INDEX opportunity_attention_facts_page ON opportunity_attention_facts (owner_id, updated_at DESC, opportunity_id DESC)
  INCLUDE (assigned_at, created_at, estimated_close_date, touched, has_activity, undated_task, last_start);
-- Statistics at once, so that the first reads walk the index rather than guess at an empty table.
ANALYZE opportunity_attention_facts;

CREATE FUNCTION opportunity_attention_facts_refresh(opportunity bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF opportunity IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('attention facts', opportunity));
  DELETE FROM opportunity_attention_facts WHERE opportunity_id = opportunity;
  INSERT INTO opportunity_attention_facts (${FACT_COLUMNS})
    SELECT ${FACT_COLUMNS} FROM opportunity_attention_facts_source WHERE opportunity_id = opportunity;
END $$;

CREATE FUNCTION opportunity_attention_facts_of_opportunity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM opportunity_attention_facts_refresh(NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER opportunity_attention_facts_opportunity
AFTER INSERT OR UPDATE OF status, owner_id, updated_at, assigned_at, created_at, estimated_close_date ON opportunities
FOR EACH ROW EXECUTE FUNCTION opportunity_attention_facts_of_opportunity();

-- An activity's or a note's opportunity (the column TG_ARGV[0] names) before and after the write; one moved from one
-- opportunity to another refreshes both, the lower id first (one lock order).
CREATE FUNCTION opportunity_attention_facts_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  before bigint;
  after bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    before := (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    after := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
  END IF;
  PERFORM opportunity_attention_facts_refresh(least(before, after));
  IF before <> after THEN
    PERFORM opportunity_attention_facts_refresh(greatest(before, after));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER opportunity_attention_facts_activity
AFTER INSERT OR DELETE OR UPDATE OF regarding_opportunity_id, kind, status, start_at, created_at ON activities
FOR EACH ROW EXECUTE FUNCTION opportunity_attention_facts_of_row('regarding_opportunity_id');
CREATE TRIGGER opportunity_attention_facts_note
AFTER INSERT OR DELETE OR UPDATE OF opportunity_id, author_id, created_at ON notes
FOR EACH ROW EXECUTE FUNCTION opportunity_attention_facts_of_row('opportunity_id');
`,
};
