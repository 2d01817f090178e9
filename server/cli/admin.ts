/** `npm run admin -- ...`: add advisors and teams, and issue or revoke personal access tokens. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { issueAccessToken } from '../auth/access-tokens';
import type { AdvisorRecord } from '../repository/repository';
import { openConfiguredDatabase } from './database';

const { repo, db } = openConfiguredDatabase();
const program = new Command('admin').description('Manage the advisors, teams and access tokens of Regarding.');

const email = (value: string) => {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) throw new InvalidArgumentError('not an email address');
  return value.toLowerCase();
};
const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

async function advisorByEmail(address: string): Promise<AdvisorRecord> {
  const advisor = await repo.advisors.findByEmail(address);
  if (!advisor) throw new Error(`No advisor has the email ${address}.`);
  return advisor;
}

const advisor = program.command('advisor').description('advisors');
advisor
  .command('add')
  .requiredOption('--email <email>', 'their work email (their sign-in name in Entra ID)', email)
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--role <role>', 'role').choices(['advisor', 'manager', 'admin']).default('advisor'))
  .action(async (o: { email: string; name: string; role: 'advisor' | 'manager' | 'admin' }) => {
    const created = await repo.advisors.create({ email: o.email, displayName: o.name, role: o.role }, null);
    console.log(`Added ${created.displayName} <${created.email}> as ${created.role} (id ${created.id}).`);
  });
advisor.command('list').action(async () => {
  for (const a of await repo.advisors.search(undefined, 10_000, 0)) {
    console.log(
      `${String(a.id).padStart(4)}  ${a.displayName.padEnd(24)} ${a.email.padEnd(36)} ${a.role.padEnd(8)} ${a.teams.map((t) => t.name).join(', ')}`,
    );
  }
});
advisor
  .command('set')
  .requiredOption('--email <email>', 'which advisor', email)
  .addOption(new Option('--role <role>').choices(['advisor', 'manager', 'admin']))
  .addOption(new Option('--active <yes|no>').choices(['yes', 'no']))
  .action(async (o: { email: string; role?: 'advisor' | 'manager' | 'admin'; active?: 'yes' | 'no' }) => {
    const a = await advisorByEmail(o.email);
    const updated = await repo.advisors.update(
      a.id,
      { role: o.role, active: o.active === undefined ? undefined : o.active === 'yes' },
      { advisorId: a.id, at: new Date().toISOString() },
    );
    console.log(`${updated!.displayName}: role ${updated!.role}, ${updated!.active ? 'active' : 'inactive'}.`);
  });

const team = program.command('team').description('teams');
team
  .command('add')
  .argument('<name>', 'team name')
  .option('--members <emails>', 'comma-separated advisor emails', '')
  .action(async (name: string, o: { members: string }) => {
    const ids = [];
    for (const address of o.members
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      ids.push((await advisorByEmail(email(address))).id);
    const created = await repo.teams.create(name, ids, null);
    console.log(`Created team ${created.name} (id ${created.id}) with ${created.members.length} member(s).`);
  });
team
  .command('add-member')
  .argument('<team>', 'team name')
  .argument('<email>', 'advisor email', email)
  .action(async (name: string, address: string) => {
    const t = await repo.teams.findByName(name);
    if (!t) throw new Error(`No team is named ${name}.`);
    await repo.teams.addMember(t.id, (await advisorByEmail(address)).id, null);
    console.log(`Added ${address} to ${t.name}.`);
  });

const token = program.command('token').description('personal access tokens');
token
  .command('create')
  .requiredOption('--email <email>', 'the advisor the token signs in as', email)
  .option('--name <name>', 'what the token is for', 'outlook')
  .option('--expires-days <days>', 'expire after this many days', positive)
  .action(async (o: { email: string; name: string; expiresDays?: number }) => {
    const a = await advisorByEmail(o.email);
    const now = new Date();
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
    const revoked = await repo.tokens.revoke(id, new Date().toISOString());
    if (!revoked) program.error(`Token ${id} does not exist or is already revoked.`);
    console.log(`Revoked token ${id}.`);
  });

try {
  await program.parseAsync();
} catch (error) {
  program.error(error instanceof Error ? error.message : String(error));
} finally {
  db.close();
}
