/**
 * A firm's data as advisors make it, for the service benchmark (`npm run bench -- --size 100k|1m`):
 * advisors in teams with managers and in several time zones, books skewed from a handful of opportunities to
 * several thousand, customers who come back (most contacts on an email have an open opportunity), referrers,
 * campaigns, the stage history and closes/reopens the funnel reads, every kind of activity (emails, meetings,
 * calls, tasks, future next steps), assignments and shared notes.
 *
 * `npx tsx bench/seed-firm.ts --size 100k --keep /tmp/bench-100k.db` writes a database to reuse with
 * `npm run bench -- --db /tmp/bench-100k.db`.
 */
import fs from 'node:fs';
import { issueAccessToken } from '../server/auth/access-tokens';
import type { Db } from '../server/db/connection';
import { openDatabase } from '../server/db/connection';
import { migrate } from '../server/db/migrate';
import { createSqliteRepository } from '../server/repository/sqlite';
import { FIRST_NAMES, LAST, WORDS } from './seed-volume';

export const FIRM_SIZES = {
  '2k': { opportunities: 2_000, advisors: 20 },
  '10k': { opportunities: 10_000, advisors: 20 },
  '100k': { opportunities: 100_000, advisors: 100 },
  '1m': { opportunities: 1_000_000, advisors: 1_000 },
} as const;
export type FirmSize = keyof typeof FIRM_SIZES;

export function isFirmSize(value: string): value is FirmSize {
  return Object.hasOwn(FIRM_SIZES, value);
}

const FIRST = [...FIRST_NAMES, 'Fatima', 'Hiro', 'Grace', 'Omar', 'Ingrid'];
const ZONES = [
  'America/New_York',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'Europe/London',
  'Asia/Singapore',
  'UTC',
];
const PUBLIC_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'];
const STAGES = ['qualify', 'develop', 'propose', 'close'] as const;
const DAY = 86_400_000;
/** Rows per transaction (about): big enough to be fast, small enough to keep the WAL short. */
const OPPORTUNITIES_PER_CHUNK = 2_500;
/** The tables the seeder fills in bulk (see setAside in seedFirm). */
const BULK_TABLES = [
  'organizations',
  'organization_domains',
  'contacts',
  'opportunities',
  'stage_changes',
  'opportunity_events',
  'assignments',
  'notes',
  'note_shares',
  'activities',
  'activity_participants',
];
/** Activities per opportunity on average, as the issue's scale (1M opportunities, 10M activities). */
const ACTIVITIES_PER_OPPORTUNITY = 10;

/** A fast deterministic generator (mulberry32), so every run seeds the same firm. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface SeedTimings {
  phase: string;
  seconds: number;
  rows: number;
}

/**
 * Seeds a migrated, empty database. `now` anchors the data (future next steps, recent assignments); it defaults
 * to today, so a database seeded now is realistic for a few weeks.
 */
export function seedFirm(
  db: Db,
  size: FirmSize,
  options: { now?: number; log?: (line: string) => void } = {},
): SeedTimings[] {
  const { opportunities: total, advisors: advisorCount }: { opportunities: number; advisors: number } =
    FIRM_SIZES[size];
  const log = options.log ?? (() => {});
  const rand = random(15);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const now = Math.floor((options.now ?? Date.now()) / DAY) * DAY + 9 * 3_600_000;
  const span = 3 * 365 * DAY;
  const start = now - span;
  const iso = (t: number) => new Date(t).toISOString();
  const timings: SeedTimings[] = [];
  const phase = (name: string, run: () => number) => {
    const began = Date.now();
    const rows = run();
    const seconds = (Date.now() - began) / 1000;
    timings.push({ phase: name, seconds, rows });
    log(`${name}: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`);
  };
  // Seeding a benchmark database: a crash loses nothing worth keeping, and each transaction's sync would
  // dominate. The server reopens the file with its own settings (synchronous=FULL).
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const run = (statement: string) => db.prepare(statement);

  // Advisors: advisor 1 is the admin; each team of about ten has a manager (with a book of their own).
  const teamCount = Math.max(2, Math.round(advisorCount / 10));
  const teamOf: number[] = [];
  const role: string[] = [];
  phase('advisors and teams', () => {
    const advisor = run(
      `INSERT INTO advisors (id, email, display_name, role, time_zone, work_seen_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const team = run('INSERT INTO teams (id, name, created_at) VALUES (?, ?, ?)');
    const member = run('INSERT INTO team_members (team_id, advisor_id) VALUES (?, ?)');
    db.transaction(() => {
      for (let t = 1; t <= teamCount; t++) team.run(t, `Team ${t}`, iso(start));
      for (let i = 1; i <= advisorCount; i++) {
        const teamId = i === 1 ? 0 : 1 + ((i - 2) % teamCount);
        teamOf[i] = teamId;
        role[i] = i === 1 ? 'admin' : i - 1 <= teamCount ? 'manager' : 'advisor';
        advisor.run(
          i,
          `advisor${i}@firm.example`,
          `${pick(FIRST)} ${pick(LAST)} (${i})`,
          role[i],
          pick(ZONES),
          iso(now - (1 + Math.floor(rand() * 10)) * DAY),
          iso(start - 30 * DAY),
        );
        if (teamId) member.run(teamId, i);
      }
      db.prepare('UPDATE team_changes SET version = version + 1').run();
    })();
    return advisorCount + teamCount * 11;
  });

  // Books: Zipf-like weights over a shuffled ranking (the biggest about 6× the mean), plus about 3% of advisors
  // new to the firm with a handful of opportunities each.
  const owners = Array.from({ length: advisorCount - 1 }, (_, i) => i + 2);
  for (let i = owners.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [owners[i], owners[j]] = [owners[j], owners[i]];
  }
  const tiny = Math.max(1, Math.round(advisorCount * 0.03));
  const weight = new Float64Array(advisorCount + 1);
  const offset = Math.max(1, advisorCount / 20);
  owners.forEach((id, rank) => {
    weight[id] = rank < owners.length - tiny ? 1 / (rank + offset) : 0;
  });
  const zipfSum = weight.reduce((sum, w) => sum + w, 0);
  for (const id of owners.slice(owners.length - tiny)) weight[id] = ((5 + rand() * 12) / total) * zipfSum;
  const cumulative = new Float64Array(advisorCount + 1);
  for (let i = 1; i <= advisorCount; i++) cumulative[i] = cumulative[i - 1] + weight[i];
  const pickOwner = () => {
    const target = rand() * cumulative[advisorCount];
    let low = 1;
    let high = advisorCount;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const teammates: number[][] = Array.from({ length: teamCount + 1 }, () => []);
  for (let i = 2; i <= advisorCount; i++) teammates[teamOf[i]].push(i);
  /** Advisors 2 … teamCount + 1 manage teams 1 … teamCount. */
  const managerOf = (advisorId: number) => teamOf[advisorId] + 1;

  phase('campaigns', () => {
    const campaign = run('INSERT INTO campaigns (name) VALUES (?)');
    db.transaction(() => {
      for (let y = 2024; y <= 2026; y++)
        for (const season of ['Spring seminar', 'Autumn seminar', 'Newsletter', 'Client dinner'])
          campaign.run(`${season} ${y}`);
    })();
    return 12;
  });
  const campaignIds = db.prepare('SELECT id FROM campaigns').pluck().all() as number[];

  // Bulk loading: the insert triggers (search indexes, completed_at) and the secondary indexes of the tables filled
  // here are set aside and put back unchanged at the end, the search indexes filled from the views the triggers
  // read and completed_at written by the seeder: building an index once is several times faster than row by row.
  const setAside = db
    .prepare(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))
         AND ((type = 'trigger' AND sql LIKE '%AFTER INSERT ON%') OR (type = 'index' AND sql NOT LIKE 'CREATE UNIQUE%'))`,
    )
    .all(JSON.stringify(BULK_TABLES)) as { type: 'index' | 'trigger'; name: string; sql: string }[];
  for (const { type, name } of setAside) db.exec(`DROP ${type.toUpperCase()} ${name}`);

  // Organizations (with a domain each) and contacts, each contact the client of one advisor mostly.
  const contactCount = Math.round(total * 0.35);
  const organizationCount = Math.max(5, Math.round(contactCount / 12));
  const clientsOf: number[][] = Array.from({ length: advisorCount + 1 }, () => []);
  phase('organizations', () => {
    const organization = run('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)');
    const domain = run('INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)');
    for (let first = 1; first <= organizationCount; first += 25_000)
      db.transaction(() => {
        for (let i = first; i < Math.min(first + 25_000, organizationCount + 1); i++) {
          organization.run(
            i,
            `${pick(LAST)} ${pick(WORDS)} ${pick(['Partners', 'Group', 'LLC', 'Trust'])} ${i}`,
            iso(start),
          );
          domain.run(`org${i}.example`, i);
        }
      })();
    return organizationCount * 2;
  });
  const contactEmails: (string | null)[] = [null];
  phase('contacts', () => {
    const contact = run(
      'INSERT INTO contacts (id, name, email, phone, organization_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    for (let first = 1; first <= contactCount; first += 50_000)
      db.transaction(() => {
        for (let i = first; i < Math.min(first + 50_000, contactCount + 1); i++) {
          const firstName = pick(FIRST);
          const last = pick(LAST);
          const org = rand() < 0.4 ? 1 + Math.floor(rand() * organizationCount) : 0;
          const domain = org ? `org${org}.example` : pick(PUBLIC_DOMAINS);
          const at = iso(start + rand() * span);
          const email = rand() < 0.97 ? `${firstName}.${last}.${i}@${domain}`.toLowerCase() : null;
          contactEmails.push(email);
          contact.run(
            i,
            `${firstName} ${last}`,
            email,
            rand() < 0.6
              ? `+1 (555) ${String(i % 1000).padStart(3, '0')}-${String(i % 10_000).padStart(4, '0')}`
              : null,
            org || null,
            at,
            at,
          );
          clientsOf[pickOwner()].push(i);
        }
      })();
    return contactCount;
  });

  const insert = {
    opportunity: run(
      `INSERT INTO opportunities (id, topic, description, customer_contact_id, customer_organization_id, campaign_id, stage,
         stage_entered_at, status, owner_id, assigned_at, created_by_id, estimated_value, estimated_close_date, actual_value,
         actual_close_date, close_reason, created_at, updated_at, version, referred_by_advisor_id, referred_by_contact_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    stage: run(
      'INSERT INTO stage_changes (opportunity_id, stage, from_stage, at, by_advisor_id) VALUES (?, ?, ?, ?, ?)',
    ),
    event: run(
      `INSERT INTO opportunity_events (opportunity_id, kind, outcome, value, reason, referrer_advisor_id, referrer_contact_id,
         by_advisor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    assignment: run(
      `INSERT INTO assignments (opportunity_id, from_advisor_id, to_advisor_id, by_advisor_id, message, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    note: run('INSERT INTO notes (opportunity_id, author_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)'),
    share: run('INSERT INTO note_shares (note_id, advisor_id, team_id) VALUES (?, ?, ?)'),
    activity: run(
      `INSERT INTO activities (kind, subject, status, sent_at, start_at, end_at, location, regarding_opportunity_id,
         internet_message_id, conversation_id, item_id, created_by_id, created_at, updated_at, direction, duration_minutes,
         contact_id, scheduled_next_step, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    participant: run('INSERT OR IGNORE INTO activity_participants (activity_id, role, email) VALUES (?, ?, ?)'),
  };
  type Activity = {
    at: number;
    kind: 'email' | 'appointment' | 'phone_call' | 'task';
    status: 'open' | 'completed';
    opportunityId: number;
    by: number;
    contactId: number | null;
    nextStep: boolean;
  };
  const recentOf: number[][] = Array.from({ length: advisorCount + 1 }, () => []);
  let activitySeq = 0;
  const counts = {
    opportunities: 0,
    stageChanges: 0,
    events: 0,
    assignments: 0,
    notes: 0,
    activities: 0,
    participants: 0,
  };

  const opportunityStarted = Date.now();
  let activitySeconds = 0;
  for (let first = 1; first <= total; first += OPPORTUNITIES_PER_CHUNK) {
    const last = Math.min(first + OPPORTUNITIES_PER_CHUNK - 1, total);
    const activities: Activity[] = [];
    db.transaction(() => {
      for (let id = first; id <= last; id++) {
        const created = start + ((id - 1 + rand()) / total) * span;
        const age = now - created;
        const owner = pickOwner();
        const clients = clientsOf[owner];
        const contactId =
          rand() < 0.9
            ? clients.length && rand() < 0.85
              ? pick(clients)
              : 1 + Math.floor(rand() * contactCount)
            : null;
        const organizationId = contactId ? null : 1 + Math.floor(rand() * organizationCount);
        const closed = rand() < Math.min(0.95, 0.1 + (age / span) * 0.85);
        const status = closed ? (rand() < 0.45 ? 'won' : 'lost') : 'open';
        const end = closed ? created + (0.1 + 0.9 * rand()) * age : now;
        const finalStage =
          status === 'won'
            ? rand() < 0.85
              ? 3
              : 2
            : status === 'open'
              ? rand() < 0.35
                ? 0
                : rand() < 0.46
                  ? 1
                  : rand() < 0.63
                    ? 2
                    : 3
              : Math.floor(rand() * 4);
        // The path the funnel sees: qualify onward, sometimes skipping a stage, sometimes stepping back and on.
        const path = [0];
        while (path[path.length - 1] < finalStage) {
          const at = path[path.length - 1];
          path.push(at + 2 <= finalStage && rand() < 0.12 ? at + 2 : at + 1);
        }
        if (finalStage > 0 && rand() < 0.06) path.push(finalStage - 1, finalStage);
        const creator =
          rand() < 0.7 ? owner : rand() < 0.5 ? managerOf(owner) : 2 + Math.floor(rand() * (advisorCount - 1));
        const stageEnd = created + (end - created) * 0.6;
        const times = [created, ...path.slice(1).map(() => created + rand() * (stageEnd - created))].sort(
          (a, b) => a - b,
        );
        let version = path.length;
        const stageEnteredAt = times[times.length - 1];
        let updated = stageEnteredAt;
        const referrerAdvisor = rand() < 0.08 ? 2 + Math.floor(rand() * (advisorCount - 1)) : null;
        const referrerContact = !referrerAdvisor && rand() < 0.08 ? 1 + Math.floor(rand() * contactCount) : null;
        const value = Math.round(5_000 + rand() * 495_000);
        const closeDate = closed
          ? iso(end).slice(0, 10)
          : rand() < 0.7
            ? iso(now + (rand() * 150 - 30) * DAY).slice(0, 10)
            : null;
        const events: unknown[][] = [];
        if (referrerAdvisor || referrerContact)
          events.push(['referred', null, null, null, referrerAdvisor, referrerContact, creator, created]);
        // Closed once and reopened (open now), or reopened and closed again.
        if (age > 60 * DAY && rand() < (closed ? 0.02 : 0.04)) {
          const closedAt = stageEnteredAt + (end - stageEnteredAt) * (0.2 + rand() * 0.3);
          const reopenedAt = closedAt + (end - closedAt) * rand() * 0.5;
          events.push(['closed', 'lost', null, 'Timing', null, null, owner, closedAt]);
          events.push(['reopened', null, null, null, null, null, owner, reopenedAt]);
          version += 2;
          updated = reopenedAt;
        }
        if (closed) {
          events.push(['closed', status, status === 'won' ? value : null, null, null, null, owner, end]);
          version++;
          updated = end;
        }
        const assignments: unknown[][] = [[null, owner, creator, null, created]];
        let assignedAt = created;
        if (!closed && rand() < 0.12) {
          // Reassigned: recently, mostly, so new-for-me has rows.
          const at = Math.max(created + 1000, now + Math.log(1 - rand()) * 20 * DAY);
          const from = 2 + Math.floor(rand() * (advisorCount - 1));
          assignments.push([from, owner, managerOf(owner), rand() < 0.5 ? 'Please follow up this week' : null, at]);
          assignedAt = at;
          updated = Math.max(updated, at);
          version++;
        }
        insert.opportunity.run(
          id,
          `${pick(WORDS)} ${pick(WORDS)} ${pick(LAST)} ${id}`,
          rand() < 0.3 ? `Discussed ${pick(WORDS)} and ${pick(WORDS)} with the client.` : null,
          contactId,
          organizationId,
          referrerAdvisor || referrerContact ? 1 : pick(campaignIds),
          STAGES[finalStage],
          iso(stageEnteredAt),
          status,
          owner,
          iso(assignedAt),
          creator,
          value,
          closeDate,
          status === 'won' ? value : null,
          closed ? iso(end).slice(0, 10) : null,
          status === 'lost' ? pick(['Went with a competitor', 'No longer interested', 'Timing']) : null,
          iso(created),
          iso(updated),
          version,
          referrerAdvisor,
          referrerContact,
        );
        counts.opportunities++;
        for (let k = 0; k < path.length; k++)
          insert.stage.run(id, STAGES[path[k]], k ? STAGES[path[k - 1]] : null, iso(times[k]), k ? owner : creator);
        counts.stageChanges += path.length;
        for (const [kind, outcome, amount, reason, byAdvisor, byContact, by, at] of events)
          insert.event.run(id, kind, outcome, amount, reason, byAdvisor, byContact, by, iso(at as number));
        counts.events += events.length;
        for (const [from, to, by, message, at] of assignments)
          insert.assignment.run(id, from, to, by, message, iso(at as number));
        counts.assignments += assignments.length;
        const recent = recentOf[owner];
        recent.push(id);
        if (recent.length > 60) recent.shift();

        if (rand() < 0.4) {
          const at = created + rand() * (end - created);
          const author = rand() < 0.8 ? owner : managerOf(owner);
          const noteId = Number(
            insert.note.run(id, author, `Note on ${pick(WORDS)}: call back about ${pick(WORDS)}.`, iso(at), iso(at))
              .lastInsertRowid,
          );
          counts.notes++;
          if (rand() < 0.3) {
            if (rand() < 0.6) insert.share.run(noteId, null, teamOf[owner]);
            else insert.share.run(noteId, pick(teammates[teamOf[owner]]), null);
          }
        }

        // Activities: exponential count around the mean, spread over the opportunity's life.
        const n = Math.round(-Math.log(1 - rand()) * ACTIVITIES_PER_OPPORTUNITY * 0.92);
        for (let k = 0; k < n; k++) {
          const r = rand();
          activities.push({
            at: created + rand() * (end - created),
            kind: r < 0.55 ? 'email' : r < 0.7 ? 'appointment' : r < 0.85 ? 'phone_call' : 'task',
            status: 'completed',
            opportunityId: id,
            by: rand() < 0.85 ? owner : pick(teammates[teamOf[owner]]),
            contactId,
            nextStep: false,
          });
        }
        if (!closed) {
          // Next steps in the future for about half the open opportunities; some overdue tasks.
          if (rand() < 0.55) {
            const r = rand();
            activities.push({
              at: now + (1 + rand() * 30) * DAY,
              kind: r < 0.5 ? 'appointment' : r < 0.8 ? 'task' : 'phone_call',
              status: 'open',
              opportunityId: id,
              by: owner,
              contactId,
              nextStep: rand() < 0.5,
            });
          }
          if (rand() < 0.1)
            activities.push({
              at: now - rand() * 20 * DAY,
              kind: 'task',
              status: 'open',
              opportunityId: id,
              by: owner,
              contactId,
              nextStep: false,
            });
        }
      }
    })();

    const activityStarted = Date.now();
    activities.sort((a, b) => a.at - b.at);
    for (let from = 0; from < activities.length; from += 50_000)
      db.transaction(() => {
        for (const a of activities.slice(from, from + 50_000)) {
          activitySeq++;
          const future = a.at > now;
          const createdAt = iso(future ? now - rand() * 5 * DAY : a.at);
          const updatedAt = iso(future ? now - rand() * 5 * DAY : a.at + 60_000);
          const email = a.contactId ? contactEmails[a.contactId] : null;
          const subject = `${a.kind === 'email' ? 'Re: ' : ''}${pick(WORDS)} ${pick(WORDS)}`;
          const direction = rand() < 0.5 ? 'incoming' : 'outgoing';
          const startAt = a.kind === 'email' ? null : iso(a.at);
          const activityId = Number(
            insert.activity.run(
              a.kind,
              subject,
              a.status,
              a.kind === 'email' ? iso(a.at) : null,
              startAt,
              a.kind === 'appointment' ? iso(a.at + (30 + Math.floor(rand() * 4) * 15) * 60_000) : null,
              a.kind === 'appointment' ? pick(['Office', 'Teams', 'Client home', 'Cafe']) : null,
              a.opportunityId,
              a.kind === 'email' ? `<firm-${activitySeq}@mail.example>` : null,
              a.kind === 'email' ? `conv-${a.opportunityId}-${activitySeq % 3}` : null,
              a.kind === 'appointment' ? `firm-appointment-${activitySeq}` : null,
              a.by,
              createdAt,
              updatedAt,
              a.kind === 'email' || a.kind === 'phone_call' ? direction : null,
              a.kind === 'phone_call' ? 5 + Math.floor(rand() * 40) : null,
              a.contactId,
              a.nextStep ? 1 : 0,
              a.status === 'completed' ? updatedAt : null,
            ).lastInsertRowid,
          );
          counts.activities++;
          if (email && (a.kind === 'email' || a.kind === 'appointment')) {
            insert.participant.run(
              activityId,
              a.kind === 'appointment' ? 'attendee' : direction === 'incoming' ? 'from' : 'to',
              email,
            );
            counts.participants++;
          }
        }
      })();
    activitySeconds += (Date.now() - activityStarted) / 1000;
    if (last % 50_000 < OPPORTUNITIES_PER_CHUNK || last === total)
      log(
        `  ${last.toLocaleString('en')} opportunities, ${counts.activities.toLocaleString('en')} activities (${((Date.now() - opportunityStarted) / 1000).toFixed(0)} s)`,
      );
  }
  const opportunitySeconds = (Date.now() - opportunityStarted) / 1000 - activitySeconds;
  timings.push(
    {
      phase: 'opportunities, stage changes, events, assignments, notes',
      seconds: opportunitySeconds,
      rows: counts.opportunities + counts.stageChanges + counts.events + counts.assignments + counts.notes,
    },
    { phase: 'activities and participants', seconds: activitySeconds, rows: counts.activities + counts.participants },
  );
  log(`opportunities etc.: ${opportunitySeconds.toFixed(1)} s; activities: ${activitySeconds.toFixed(1)} s`);
  log(JSON.stringify(counts));

  phase('secondary indexes', () => {
    for (const { sql } of setAside.filter((object) => object.type === 'index')) db.exec(sql);
    return 0;
  });
  phase('search indexes (full text)', () => {
    db.transaction(() =>
      db.exec(`INSERT INTO organization_search (rowid, name, domains) SELECT id, name, domains FROM organization_search_source;
        INSERT INTO contact_search (rowid, name, email, phone) SELECT id, name, email, phone FROM contact_search_source;
        INSERT INTO opportunity_search (rowid, topic, customer) SELECT id, topic, customer FROM opportunity_search_source;`),
    )();
    for (const { sql } of setAside.filter((object) => object.type === 'trigger')) db.exec(sql);
    return organizationCount + contactCount + total;
  });
  phase('recent', () => {
    const recent = run(
      'INSERT OR IGNORE INTO opportunity_recent (advisor_id, opportunity_id, used_at) VALUES (?, ?, ?)',
    );
    let rows = 0;
    db.transaction(() => {
      for (let advisor = 1; advisor <= advisorCount; advisor++)
        recentOf[advisor].forEach((id, k, all) => {
          recent.run(advisor, id, iso(now - (all.length - k) * 3_600_000));
          rows++;
        });
    })();
    return rows;
  });
  phase('holidays', () => {
    const holiday = run('INSERT OR IGNORE INTO holidays (date, name, created_at) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const year of [2025, 2026, 2027]) {
        holiday.run(`${year}-01-01`, "New Year's Day", iso(start));
        holiday.run(`${year}-07-04`, 'Independence Day', iso(start));
        holiday.run(`${year}-12-25`, 'Christmas Day', iso(start));
      }
    })();
    return 9;
  });
  phase('analyze', () => {
    db.exec('ANALYZE');
    return 0;
  });
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return timings;
}

/** Who the benchmark plays, found in a seeded database (so a kept database can be reused). */
export interface FirmPersonas {
  bigOwner: { id: number; book: number };
  smallOwner: { id: number; book: number };
  manager: { id: number };
  admin: { id: number };
  /** Emails of contacts who have open opportunities (suggestions with hits). */
  emailsWithHits: string[];
  /** The big owner's open opportunities. */
  openOpportunityIds: number[];
  /** Emails on the big owner's open opportunities, with their sender/recipient: what the pane opens on. */
  messages: { internetMessageId: string; email: string }[];
}

export function findPersonas(db: Db): FirmPersonas {
  const books = db
    .prepare(
      `SELECT a.id, a.role, count(o.id) AS book FROM advisors a LEFT JOIN opportunities o ON o.owner_id = a.id
         GROUP BY a.id ORDER BY book DESC`,
    )
    .all() as { id: number; role: string; book: number }[];
  const advisors = books.filter((b) => b.role === 'advisor');
  const bigOwner = advisors[0];
  const smallOwner = advisors.filter((b) => b.book > 0 && b.book < 20)[0] ?? advisors[advisors.length - 1];
  const manager =
    (db
      .prepare(
        `SELECT a.id FROM advisors a JOIN team_members m ON m.advisor_id = a.id
           WHERE a.role = 'manager' AND m.team_id IN (SELECT team_id FROM team_members WHERE advisor_id = ?) LIMIT 1`,
      )
      .pluck()
      .get(bigOwner.id) as number | undefined) ??
    (db.prepare("SELECT id FROM advisors WHERE role = 'manager'").pluck().get() as number);
  const admin = db.prepare("SELECT id FROM advisors WHERE role = 'admin'").pluck().get() as number;
  const contactCount = db.prepare('SELECT max(id) FROM contacts').pluck().get() as number;
  const stride = Math.max(1, Math.floor(contactCount / 2_000));
  const emailsWithHits = db
    .prepare(
      `SELECT c.email FROM contacts c WHERE c.id % ? = 0 AND c.email IS NOT NULL
         AND EXISTS (SELECT 1 FROM opportunities o WHERE o.customer_contact_id = c.id AND o.status = 'open') LIMIT 500`,
    )
    .pluck()
    .all(stride) as string[];
  const openOpportunityIds = db
    .prepare("SELECT id FROM opportunities WHERE owner_id = ? AND status = 'open' LIMIT 1000")
    .pluck()
    .all(bigOwner.id) as number[];
  const messages = db
    .prepare(
      `SELECT a.internet_message_id AS internetMessageId, p.email FROM activities a
         JOIN activity_participants p ON p.activity_id = a.id
         WHERE a.regarding_opportunity_id IN (SELECT value FROM json_each(?)) AND a.kind = 'email' LIMIT 500`,
    )
    .all(JSON.stringify(openOpportunityIds.slice(0, 300))) as { internetMessageId: string; email: string }[];
  return {
    bigOwner: { id: bigOwner.id, book: bigOwner.book },
    smallOwner: { id: smallOwner.id, book: smallOwner.book },
    manager: { id: manager },
    admin: { id: admin },
    emailsWithHits,
    openOpportunityIds,
    messages,
  };
}

/** A bearer token for each persona, issued in the database as `npm run admin` would. */
export async function issuePersonaTokens(db: Db, personas: FirmPersonas) {
  const repo = createSqliteRepository(db);
  const issue = async (id: number) => (await issueAccessToken(repo, id, 'bench', new Date())).token;
  return {
    bigOwner: await issue(personas.bigOwner.id),
    smallOwner: await issue(personas.smallOwner.id),
    manager: await issue(personas.manager.id),
    admin: await issue(personas.admin.id),
  };
}

/**
 * The schema the generator loads in bulk. Later migrations derive their tables (due times, the search index's
 * owner tokens, report indexes) from these rows, so they run after the load, as they would on a firm's upgrade.
 */
export const SEEDED_SCHEMA_VERSION = 18;

/** Migrates an empty database to SEEDED_SCHEMA_VERSION, seeds it, then applies the later migrations. */
export function seedFirmDatabase(db: Db, size: FirmSize, options: Parameters<typeof seedFirm>[2] = {}) {
  migrate(db, { to: SEEDED_SCHEMA_VERSION });
  const timings = seedFirm(db, size, options);
  const log = options.log;
  migrate(db, log ? { log: { write: (text: string) => log(String(text).trimEnd()) } } : {});
  return timings;
}

/** Creates (or overwrites) `file` with a migrated, seeded firm. */
export function buildFirmDatabase(file: string, size: FirmSize, log: (line: string) => void) {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  const db = openDatabase(file);
  const began = Date.now();
  const timings = seedFirmDatabase(db, size, { log });
  const seconds = (Date.now() - began) / 1000;
  db.close();
  return { timings, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const size = args[args.indexOf('--size') + 1] ?? '100k';
  const file = args.includes('--keep') ? args[args.indexOf('--keep') + 1] : undefined;
  if (!isFirmSize(size) || !file) {
    process.stderr.write(`usage: tsx bench/seed-firm.ts --size ${Object.keys(FIRM_SIZES).join('|')} --keep <file>\n`);
    process.exit(2);
  }
  const { seconds } = buildFirmDatabase(file, size, (line) => process.stderr.write(`${line}\n`));
  process.stderr.write(
    `seeded ${size} into ${file} in ${seconds.toFixed(0)} s (${(fs.statSync(file).size / 1e6).toFixed(0)} MB)\n`,
  );
}
