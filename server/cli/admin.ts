/**
 * `npm run admin -- ...`: add advisors and teams, bind advisors to their Entra ID accounts, and issue or
 * revoke personal access tokens, and send the email digest now.
 * Changes go through the same services (and rules) as the API; the audit log records them as the
 * system, never as an advisor.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { z } from 'zod';
import {
  CreateAdvisorRequest,
  CreateTeamRequest,
  UpdateAdvisorRequest,
  type Advisor,
  type Role,
} from '../../shared/schemas/advisors';
import { runDigests } from '../alerts/digest/run-digests';
import { alertContext, alertOrigin } from '../alerts/scheduler/scheduler';
import { issueAccessToken } from '../auth/access-tokens';
import { systemClock } from '../clock';
import type { AdvisorRecord } from '../repository/repository';
import { createServices } from '../services';
import { SYSTEM } from '../services/context';
import { openConfiguredStorage } from './database';

const { repo, config } = await openConfiguredStorage();
const clock = systemClock;
const { people, attentionRecompute } = createServices({ repo, clock });
const program = new Command('admin').description('Manage the advisors, teams and access tokens of Regarding.');
const ROLES = ['advisor', 'manager', 'admin'] as const;

const email = (value: string) => {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) throw new InvalidArgumentError('not an email address');
  return value.toLowerCase();
};
const guid = (value: string) => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
    throw new InvalidArgumentError('not an Entra ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)');
  return value.toLowerCase();
};
const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

/** A request body checked by the API's own schema, so the command line accepts what the API accepts. */
function valid<S extends z.ZodType>(schema: S, body: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

async function advisorByEmail(address: string): Promise<AdvisorRecord> {
  const advisor = await repo.advisors.findByEmail(address);
  if (!advisor) throw new Error(`No advisor has the email ${address}.`);
  return advisor;
}

const advisorLine = (a: Advisor) =>
  `${String(a.id).padStart(4)}  ${a.displayName.padEnd(24)} ${a.email.padEnd(36)} ${a.role.padEnd(8)} ${(a.active ? 'active' : 'inactive').padEnd(8)} ${a.teams.map((t) => t.name).join(', ')}`.trimEnd();

const advisor = program.command('advisor').description('advisors');
advisor
  .command('add')
  .requiredOption('--email <email>', 'their work email (their sign-in name in Entra ID)', email)
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--role <role>', 'role').choices(ROLES).default('advisor'))
  .action(async (o: { email: string; name: string; role: Role }) => {
    const body = valid(CreateAdvisorRequest, { email: o.email, displayName: o.name, role: o.role });
    const created = await people.createAdvisor(SYSTEM, body);
    console.log(`Added ${created.displayName} <${created.email}> as ${created.role} (id ${created.id}).`);
  });
advisor
  .command('list')
  .description('active advisors; with --all, deactivated ones too')
  .option('--all', 'include deactivated advisors')
  .action(async (o: { all?: boolean }) => {
    for (let offset: number | null = 0; offset !== null;) {
      const page = await people.searchAdvisors({ limit: 500, offset, includeInactive: o.all === true });
      for (const a of page.items) console.log(advisorLine(a));
      offset = page.nextOffset;
    }
  });
advisor
  .command('set')
  .description("change an advisor's role, time zone or monthly points quota, or deactivate or reactivate them")
  .requiredOption('--email <email>', 'which advisor', email)
  .addOption(new Option('--role <role>').choices(ROLES))
  .addOption(new Option('--active <yes|no>').choices(['yes', 'no']))
  .option('--time-zone <zone>', 'their IANA time zone, such as Europe/Paris (business days, digest hour, month)')
  .option('--quota <points|none>', 'their monthly activity-points quota, or none')
  .action(async (o: { email: string; role?: Role; active?: 'yes' | 'no'; timeZone?: string; quota?: string }) => {
    if ([o.role, o.active, o.timeZone, o.quota].every((value) => value === undefined))
      throw new Error('Nothing to change: give --role, --active, --time-zone or --quota.');
    const body = valid(UpdateAdvisorRequest, {
      role: o.role,
      active: o.active === undefined ? undefined : o.active === 'yes',
      timeZone: o.timeZone,
      monthlyQuota: o.quota === undefined ? undefined : o.quota === 'none' ? null : Number(o.quota),
    });
    const a = await advisorByEmail(o.email);
    const updated = await people.updateAdvisor(SYSTEM, a.id, body);
    const record = (await repo.advisors.findById(a.id))!;
    console.log(
      `${updated.displayName}: role ${updated.role}, ${updated.active ? 'active' : 'inactive'}, time zone ${record.timeZone}, quota ${record.monthlyQuota ?? 'none'}.`,
    );
  });
advisor
  .command('bind')
  .description(
    'bind an advisor to their Entra ID account (tenant and object id), or with --unbind remove the binding; ' +
      'for an account that cannot bind itself on first sign-in',
  )
  .requiredOption('--email <email>', 'which advisor', email)
  .option('--tenant <tid>', "the account's tenant id (the token's tid)", guid)
  .option('--oid <oid>', "the account's object id in that tenant (the token's oid)", guid)
  .option('--unbind', 'remove the binding, so that the next sign-in binds again')
  .action(async (o: { email: string; tenant?: string; oid?: string; unbind?: boolean }) => {
    if (o.unbind ? o.tenant || o.oid : !o.tenant || !o.oid)
      throw new Error('Give --tenant and --oid to bind, or --unbind alone.');
    const a = await advisorByEmail(o.email);
    const identity = o.unbind ? null : { tid: o.tenant!, oid: o.oid! };
    const updated = await people.bindEntraAccount(SYSTEM, a.id, identity);
    console.log(
      updated.entraOid
        ? `${updated.displayName} is bound to tenant ${updated.entraTid} object ${updated.entraOid}.`
        : `${updated.displayName} is not bound: their next sign-in from a configured tenant binds them.`,
    );
  });

const team = program.command('team').description('teams');
team
  .command('add')
  .argument('<name>', 'team name')
  .option('--members <emails>', 'comma-separated advisor emails', '')
  .action(async (name: string, o: { members: string }) => {
    const memberIds = [];
    for (const address of o.members
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      memberIds.push((await advisorByEmail(email(address))).id);
    const created = await people.createTeam(SYSTEM, valid(CreateTeamRequest, { name, memberIds }));
    console.log(`Created team ${created.name} (id ${created.id}) with ${created.members.length} member(s).`);
  });
team
  .command('add-member')
  .argument('<team>', 'team name')
  .argument('<email>', 'advisor email', email)
  .action(async (name: string, address: string) => {
    const t = await repo.teams.findByName(name);
    if (!t) throw new Error(`No team is named ${name}.`);
    await people.changeMembership(SYSTEM, t.id, (await advisorByEmail(address)).id, true);
    console.log(`Added ${address} to ${t.name}.`);
  });

// Tokens have no service (the API never issues them): the store audits issuing and revoking as the system.
const token = program.command('token').description('personal access tokens');
token
  .command('create')
  .requiredOption('--email <email>', 'the advisor the token signs in as', email)
  .option('--name <name>', 'what the token is for', 'outlook')
  .option('--expires-days <days>', 'expire after this many days', positive)
  .action(async (o: { email: string; name: string; expiresDays?: number }) => {
    const a = await advisorByEmail(o.email);
    const now = clock.now();
    const expires = o.expiresDays ? new Date(now.getTime() + o.expiresDays * 86_400_000) : null;
    const { token: secret, record } = await issueAccessToken(repo, a.id, o.name, now, expires);
    console.log(
      `Token ${record.id} for ${a.displayName}${expires ? `, expires ${expires.toISOString()}` : ''}. Shown once; store it safely:`,
    );
    console.log(secret);
  });
token
  .command('list')
  .requiredOption('--email <email>', 'whose tokens', email)
  .action(async (o: { email: string }) => {
    const a = await advisorByEmail(o.email);
    for (const t of await repo.tokens.listFor(a.id)) {
      const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'active';
      console.log(
        `${String(t.id).padStart(4)}  ${t.name.padEnd(16)} created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}  ${state}`,
      );
    }
  });
token
  .command('revoke')
  .argument('<id>', 'token id (see token list)', positive)
  .action(async (id: number) => {
    const at = clock.now().toISOString();
    if (!(await repo.tokens.revoke(id, at, { kind: 'system', at })))
      throw new Error(`Token ${id} does not exist or is already revoked.`);
    console.log(`Revoked token ${id}.`);
  });

const alerts = program.command('alerts').description('email alerts');
alerts
  .command('send-now')
  .description("send the daily digest now, whatever the hour (recorded, so today's scheduled one is not sent again)")
  .option('--email <email>', 'only this advisor', email)
  .action(async (o: { email?: string }) => {
    if (o.email) await advisorByEmail(o.email);
    const ctx = alertContext({
      config,
      repo,
      clock,
      logger: pino({ level: config.logLevel }, pino.destination(2)),
      origin: alertOrigin(config, config.port),
    });
    if (!ctx)
      throw new Error('SMTP_URL is not set, so no email can be sent (see "Configuring email alerts" in the README).');
    try {
      const outcomes = await runDigests(ctx, { force: true, email: o.email });
      for (const outcome of outcomes) {
        const what =
          outcome.status === 'sent'
            ? `sent (${outcome.opportunities} opportunities)`
            : outcome.status.replace(/-/g, ' ');
        console.log(`${outcome.email.padEnd(36)} ${outcome.localDate}  ${what}`);
      }
      if (outcomes.some((outcome) => outcome.status === 'failed')) throw new Error('Some digests could not be sent.');
    } finally {
      ctx.mailer.close();
    }
  });

try {
  await program.parseAsync();
  // A zone change of an owner with many opportunities queues the rest of its due times (migration 023): the CLI
  // finishes them before it closes the database, as no server would know to.
  await attentionRecompute.drain();
} catch (error) {
  // A refused change (the last admin, an unknown advisor, a taken name) exits 1 with the reason; nothing was written.
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await repo.close();
}
