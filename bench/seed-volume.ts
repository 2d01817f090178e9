import { issueAccessToken } from '../server/auth/access-tokens';
import type { Db } from '../server/db/connection';
import { createSqliteRepository } from '../server/repository/sqlite';

export const WORDS = [
  'retirement',
  'rollover',
  'college',
  'savings',
  'benefits',
  'annuity',
  'estate',
  'trust',
  'insurance',
  'medicare',
  'pension',
  'portfolio',
  'review',
  'succession',
  'education',
  'income',
  'planning',
  'tax',
  'charitable',
  'mortgage',
];
export const FIRST_NAMES = [
  'Jordan',
  'Priya',
  'Sam',
  'Maria',
  'Wei',
  'Olivia',
  'Liam',
  'Noah',
  'Emma',
  'Ava',
  'Mateo',
  'Zoe',
  'Ethan',
  'Aria',
  'Lucas',
];
export const LAST = [
  'Lee',
  'Shah',
  'Okafor',
  'Gomez',
  'Zhang',
  'Smith',
  'Brown',
  'Garcia',
  'Miller',
  'Davis',
  'Lopez',
  'Wilson',
  'Khan',
  'Kim',
];

/** A deterministic pseudo-random sequence, so every run seeds the same data (and a test's failure replays). */
export function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Fills a migrated database with volume: advisors, contacts, opportunities and activities. Returns a token. */
export async function seedVolume(
  db: Db,
  counts: { advisors: number; contacts: number; opportunities: number; activities: number },
) {
  const rand = random(42);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
  const now = Date.parse('2026-11-01T00:00:00Z');
  const iso = (offsetDays: number) => new Date(now - offsetDays * 86_400_000).toISOString();

  db.transaction(() => {
    const advisor = db.prepare(
      "INSERT INTO advisors (email, display_name, role, created_at) VALUES (?, ?, 'advisor', ?)",
    );
    for (let i = 1; i <= counts.advisors; i++) advisor.run(`advisor${i}@firm.example`, `Advisor ${i}`, iso(400));
    const contact = db.prepare('INSERT INTO contacts (name, email, created_at, updated_at) VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= counts.contacts; i++) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST);
      contact.run(
        `${first} ${last}`,
        `${first}.${last}.${i}@client${i % 500}.example`.toLowerCase(),
        iso(300),
        iso(300),
      );
    }
    const stages = ['qualify', 'develop', 'propose', 'close'];
    const opportunity = db.prepare(
      `INSERT INTO opportunities (topic, customer_contact_id, campaign_id, stage, stage_entered_at, status, owner_id, assigned_at,
         created_by_id, estimated_value, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 1; i <= counts.opportunities; i++) {
      const at = iso(rand() * 365);
      const owner = 1 + Math.floor(rand() * counts.advisors);
      opportunity.run(
        `${pick(WORDS)} ${pick(WORDS)} ${i}`,
        1 + Math.floor(rand() * counts.contacts),
        1 + Math.floor(rand() * 5),
        pick(stages),
        at,
        rand() < 0.7 ? 'open' : rand() < 0.5 ? 'won' : 'lost',
        owner,
        at,
        owner,
        Math.round(rand() * 500_000),
        at,
        at,
      );
    }
    const activity = db.prepare(
      `INSERT INTO activities (kind, subject, status, sent_at, regarding_opportunity_id, internet_message_id, conversation_id,
         created_by_id, created_at, updated_at) VALUES ('email', ?, 'completed', ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 1; i <= counts.activities; i++) {
      const at = iso(rand() * 365);
      activity.run(
        `Re: ${pick(WORDS)}`,
        at,
        1 + Math.floor(rand() * counts.opportunities),
        `<seed-${i}@mail.example>`,
        `conv-${i % 50_000}`,
        1 + Math.floor(rand() * counts.advisors),
        at,
        at,
      );
    }
  })();
  db.pragma('optimize');
  const repo = createSqliteRepository(db);
  const { token } = await issueAccessToken(repo, 1, 'bench', new Date());
  return {
    token,
    contactEmail: (i: number) => db.prepare('SELECT email FROM contacts WHERE id = ?').pluck().get(i) as string,
    openOpportunityIds: db
      .prepare("SELECT id FROM opportunities WHERE status = 'open' LIMIT 1000")
      .pluck()
      .all() as number[],
  };
}
