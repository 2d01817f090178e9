import type { Repository } from '../repository/repository';
import { issueAccessToken } from '../auth/access-tokens';

/** Demo tokens stop working after this many days: a demo database is never a lasting way in. */
export const DEMO_TOKEN_DAYS = 30;

export interface DemoSignIn {
  email: string;
  displayName: string;
  role: string;
  token: string;
}

const DAY = 86_400_000;

/** Fills an empty database with a small firm: four advisors, a team, customers and opportunities in several stages. */
export async function seedDemoData(repo: Repository, now: Date): Promise<DemoSignIn[]> {
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString();
  const date = (daysFromNow: number) => new Date(now.getTime() + daysFromNow * DAY).toISOString().slice(0, 10);

  const people = [
    { email: 'alex.morgan@regarding.example', displayName: 'Alex Morgan', role: 'advisor' as const },
    { email: 'blake.chen@regarding.example', displayName: 'Blake Chen', role: 'advisor' as const },
    { email: 'casey.rivera@regarding.example', displayName: 'Casey Rivera', role: 'manager' as const },
    { email: 'dana.patel@regarding.example', displayName: 'Dana Patel', role: 'admin' as const },
  ];
  const advisors = [];
  for (const person of people) advisors.push(await repo.advisors.create(person, null));
  const [alex, blake, casey] = advisors as [(typeof advisors)[0], (typeof advisors)[0], (typeof advisors)[0]];
  await repo.teams.create('Northeast Wealth', [alex.id, blake.id, casey.id], null);

  const harbor = await repo.contacts.createOrganization('Harbor Dental Group', ['harbordental.example'], null);
  const summit = await repo.contacts.createOrganization('Summit Logistics', ['summitlogistics.example'], null);
  const contact = async (name: string, email: string, organizationId: number | null) =>
    (await repo.contacts.createOrFind({ name, email, phone: null, organizationId }, null)).contact.id;
  const jordan = await contact('Jordan Lee', 'jordan.lee@harbordental.example', harbor);
  const priya = await contact('Priya Shah', 'priya.shah@gmail.com', null);
  const sam = await contact('Sam Okafor', 'sam.okafor@summitlogistics.example', summit);
  const maria = await contact('Maria Gomez', 'maria.gomez@outlook.com', null);
  const wei = await contact('Wei Zhang', 'wei.zhang@harbordental.example', harbor);

  const opportunity = async (
    daysAgo: number,
    by: number,
    fields: {
      topic: string;
      contactId: number;
      organizationId?: number | null;
      ownerId: number;
      stage: 'qualify' | 'develop' | 'propose' | 'close';
      campaignId?: number;
      value?: number;
      closeInDays?: number;
      note?: string;
      referredByAdvisorId?: number;
      referredByContactId?: number;
      /** The stages it went through after qualify, each with how many days ago (the funnel's history); the last is `stage`. */
      through?: ['develop' | 'propose' | 'close', number][];
    },
  ) => {
    const id = (
      (await repo.opportunities.create(
        {
          topic: fields.topic,
          description: null,
          customerContactId: fields.contactId,
          newContact: null,
          customerOrganizationId: fields.organizationId ?? null,
          campaignId: fields.campaignId ?? 1,
          stage: fields.through ? 'qualify' : fields.stage,
          estimatedValue: fields.value ?? null,
          estimatedCloseDate: fields.closeInDays === undefined ? null : date(fields.closeInDays),
          ownerId: fields.ownerId,
          note: fields.note ? { body: fields.note, shareWith: { advisorIds: [fields.ownerId], teamIds: [] } } : null,
          linkItem: null,
          idempotencyKey: null,
          referredByAdvisorId: fields.referredByAdvisorId ?? null,
          referredByContactId: fields.referredByContactId ?? null,
        },
        { advisorId: by, at: at(daysAgo) },
      )) as { id: number }
    ).id;
    for (const [stage, stageDaysAgo] of fields.through ?? []) {
      const { version } = (await repo.opportunities.findById(id))!;
      await repo.opportunities.update(id, version, { stage }, { advisorId: fields.ownerId, at: at(stageDaysAgo) });
    }
    return id;
  };

  const rollover = await opportunity(3, blake.id, {
    topic: 'Retirement rollover for Jordan Lee',
    contactId: jordan,
    organizationId: harbor,
    ownerId: alex.id,
    stage: 'qualify',
    value: 250_000,
    referredByAdvisorId: blake.id,
    note: 'Jordan is leaving Harbor Dental in March and asked about rolling over the 401(k). Prefers calls after 5pm.',
  });
  const college = await opportunity(10, alex.id, {
    topic: 'College savings plan for the Shah family',
    contactId: priya,
    ownerId: alex.id,
    stage: 'develop',
    through: [['develop', 6]],
    value: 60_000,
    closeInDays: 30,
    referredByContactId: maria,
  });
  const benefits = await opportunity(20, casey.id, {
    topic: 'Group benefits review, Summit Logistics',
    contactId: sam,
    organizationId: summit,
    ownerId: blake.id,
    stage: 'propose',
    through: [
      ['develop', 16],
      ['propose', 9],
    ],
    campaignId: 4,
    value: 120_000,
    closeInDays: -2,
    note: 'Met Sam at the chamber breakfast; decision before quarter end.',
  });
  await opportunity(5, alex.id, {
    topic: 'Medicare supplement for Maria Gomez',
    contactId: maria,
    ownerId: alex.id,
    stage: 'close',
    through: [
      ['develop', 4],
      ['propose', 3],
      ['close', 1],
    ],
    campaignId: 2,
    value: 4_800,
    closeInDays: 7,
  });
  const won = await opportunity(40, blake.id, {
    topic: 'Practice succession plan, Harbor Dental',
    contactId: wei,
    organizationId: harbor,
    ownerId: blake.id,
    stage: 'close',
    through: [
      ['develop', 33],
      ['propose', 21],
      ['close', 10],
    ],
    value: 500_000,
  });
  await repo.opportunities.close(
    won,
    (await repo.opportunities.findById(won))!.version,
    { status: 'won', actualValue: 480_000, closeDate: date(-1), reason: 'Signed engagement letter' },
    { advisorId: blake.id, at: at(1) },
  );

  await seedActivityPoints(repo, now, { alex: alex.id, blake: blake.id }, { rollover, college, benefits });
  // Held up in develop, then lost: the funnel shows where.
  const lost = await opportunity(30, casey.id, {
    topic: 'Estate plan review for Wei Zhang',
    contactId: wei,
    organizationId: harbor,
    ownerId: blake.id,
    stage: 'develop',
    through: [['develop', 26]],
    value: 90_000,
  });
  await repo.opportunities.close(
    lost,
    (await repo.opportunities.findById(lost))!.version,
    { status: 'lost', actualValue: null, closeDate: date(-12), reason: 'Chose their bank' },
    { advisorId: blake.id, at: at(12) },
  );

  const signIns: DemoSignIn[] = [];
  for (const advisor of advisors) {
    const { token } = await issueAccessToken(
      repo,
      advisor.id,
      'demo',
      now,
      new Date(now.getTime() + DEMO_TOKEN_DAYS * 86_400_000),
    );
    signIns.push({ email: advisor.email, displayName: advisor.displayName, role: advisor.role, token });
  }
  return signIns;
}

/**
 * A few completed calls and tasks with categories and outcomes this month (between its first instant in UTC, the
 * demo advisors' zone, and now), and quotas for Alex and Blake, so My Work shows points against a quota.
 */
async function seedActivityPoints(
  repo: Repository,
  now: Date,
  who: { alex: number; blake: number },
  on: { rollover: number; college: number; benefits: number },
): Promise<void> {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const inMonth = (fraction: number) => new Date(monthStart + (now.getTime() - monthStart) * fraction).toISOString();
  const labels = new Map((await repo.activityLabels.list()).map((label) => [label.key, label.id]));
  const done = async (
    by: number,
    opportunityId: number,
    kind: 'phone_call' | 'task',
    subject: string,
    fraction: number,
    category: string,
    outcome?: string,
  ) => {
    const at = inMonth(fraction);
    await repo.activities.createNextStep(
      {
        kind,
        subject,
        opportunityId,
        status: 'completed',
        startAt: kind === 'phone_call' ? at : null,
        endAt: null,
        categoryId: labels.get(category) ?? null,
        outcomeId: outcome ? (labels.get(outcome) ?? null) : null,
      },
      (await repo.opportunities.findById(opportunityId))!.version,
      { advisorId: by, at },
    );
  };
  await done(who.alex, on.college, 'phone_call', 'Intro call with Priya', 0.1, 'first-appointment', 'meeting-booked');
  await done(who.alex, on.college, 'phone_call', 'Walked through 529 options', 0.3, 'discovery-meeting', 'reached');
  await done(who.alex, on.college, 'task', 'Send the savings proposal', 0.5, 'proposal');
  await done(who.alex, on.rollover, 'phone_call', 'Checked in with Jordan', 0.7, 'follow-up-call', 'reached');
  await done(who.blake, on.benefits, 'phone_call', 'Benefits kickoff with Sam', 0.2, 'first-appointment', 'reached');
  await done(who.blake, on.benefits, 'task', 'Census paperwork', 0.4, 'paperwork');
  await done(who.blake, on.benefits, 'task', 'Send the benefits proposal', 0.6, 'proposal');
  const system = { kind: 'system' as const, at: now.toISOString() };
  await repo.advisors.update(who.alex, { monthlyQuota: 60 }, system);
  await repo.advisors.update(who.blake, { monthlyQuota: 50 }, system);
}
