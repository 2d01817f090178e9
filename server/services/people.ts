import type { z } from 'zod';
import type { CreateAdvisorRequest, CreateTeamRequest, UpdateAdvisorRequest } from '../../shared/schemas/advisors';
import type { Advisor, Me, MyWorkScope, Team } from '../../shared/schemas/advisors';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors';
import type { AdvisorPreferences, AdvisorRecord, EntraIdentity } from '../repository/repository';
import { AttentionRecompute } from './attention-recompute';
import {
  auditActorOf,
  isSystem,
  pageOf,
  type AdminCaller,
  type Caller,
  type Page,
  type ServiceContext,
} from './context';

/** The scope My Work opens on: the advisor's last choice, else team for a manager (only a manager may keep team). */
function workScopeOf({ role, workScope }: AdvisorRecord): MyWorkScope {
  if (workScope === 'team' && role !== 'manager') return 'me';
  return workScope ?? (role === 'manager' ? 'team' : 'me');
}

export function toMe({ entraTid: _tid, entraOid: _oid, ...me }: AdvisorRecord): Me {
  return { ...me, workScope: workScopeOf(me as AdvisorRecord) };
}

export function toAdvisor({
  entraTid: _tid,
  entraOid: _oid,
  workSeenAt: _seen,
  workScope: _scope,
  timeZone: _zone,
  digestOptOut: _optOut,
  monthlyQuota: _quota,
  ...advisor
}: AdvisorRecord): Advisor {
  return advisor;
}

/**
 * Advisors and teams: anyone may look people up; only an admin (or the system: the admin command
 * line) changes them, and never so that no active admin is left.
 */
export class PeopleService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly attentionRecompute = new AttentionRecompute(ctx),
  ) {}

  private requireAdmin(caller: AdminCaller): void {
    if (!isSystem(caller) && caller.role !== 'admin')
      throw new ForbiddenError('Only an admin manages advisors and teams.');
  }

  async markWorkSeen(caller: Caller): Promise<Me> {
    await this.ctx.repo.advisors.markWorkSeen(caller.id, this.ctx.clock.now().toISOString());
    return toMe((await this.ctx.repo.advisors.findById(caller.id))!);
  }

  async updatePreferences(caller: Caller, body: AdvisorPreferences): Promise<Me> {
    if (body.workScope === 'team' && caller.role !== 'manager')
      throw new ForbiddenError("Only a manager's My Work has a team scope.");
    await this.ctx.repo.advisors.setPreferences(caller.id, body);
    // A zone change of an owner with many open opportunities is recomputed in batches (migration 023).
    if (body.timeZone) await this.attentionRecompute.afterChange();
    return toMe((await this.ctx.repo.advisors.findById(caller.id))!);
  }

  /** Active advisors; deactivated ones too with `includeInactive` (the admin command line's `advisor list --all`). */
  searchAdvisors(query: {
    q?: string;
    limit: number;
    offset: number;
    includeInactive?: boolean;
  }): Promise<Page<Advisor>> {
    return pageOf(query, (limit, offset) =>
      this.ctx.repo.advisors.search(query.q, limit, offset, { includeInactive: query.includeInactive }),
    );
  }

  async createAdvisor(caller: AdminCaller, body: z.output<typeof CreateAdvisorRequest>): Promise<Advisor> {
    this.requireAdmin(caller);
    return toAdvisor(await this.ctx.repo.advisors.create(body, auditActorOf(caller, this.ctx.clock)));
  }

  /** 400 when an admin demotes or deactivates themselves; 409 when it would leave no active admin. */
  async updateAdvisor(caller: AdminCaller, id: number, body: z.output<typeof UpdateAdvisorRequest>): Promise<Advisor> {
    this.requireAdmin(caller);
    const path = body.active === false ? 'body.active' : 'body.role';
    if (!isSystem(caller) && id === caller.id && (body.active === false || (body.role && body.role !== 'admin'))) {
      throw new BadRequestError('An admin cannot deactivate or demote themselves.', [
        { path, message: 'Not allowed on your own account' },
      ]);
    }
    const updated = await this.ctx.repo.advisors.update(id, body, auditActorOf(caller, this.ctx.clock));
    if (!updated) throw new NotFoundError(`Advisor ${id}`);
    if (body.timeZone && updated !== 'last-admin') await this.attentionRecompute.afterChange();
    if (updated === 'last-admin') {
      const admin = (await this.ctx.repo.advisors.findById(id))!;
      throw new ConflictError(
        `${admin.displayName} <${admin.email}> is the last active admin: make another advisor an admin first.`,
        [{ path, message: 'Would leave no active admin' }],
      );
    }
    return toAdvisor(updated);
  }

  /**
   * An admin binds an advisor to their Entra account (tenant and object id), for an account that
   * cannot bind itself on first sign-in (its username is not the advisor's email, or its tenant binds
   * only this way), or unbinds them (null). 409 when the advisor is bound already (unbind first) or
   * another advisor holds the account; binding the account they already have changes nothing.
   */
  async bindEntraAccount(caller: AdminCaller, id: number, identity: EntraIdentity | null): Promise<AdvisorRecord> {
    this.requireAdmin(caller);
    const advisor = await this.ctx.repo.advisors.findById(id);
    if (!advisor) throw new NotFoundError(`Advisor ${id}`);
    if (identity && advisor.entraTid === identity.tid && advisor.entraOid === identity.oid) return advisor;
    if (identity && advisor.entraOid !== null) {
      throw new ConflictError(
        `${advisor.displayName} <${advisor.email}> is bound to another Entra account (tenant ${advisor.entraTid ?? 'not recorded'}, object ${advisor.entraOid}): unbind them first.`,
      );
    }
    const outcome = await this.ctx.repo.advisors.setEntraIdentity(
      id,
      identity,
      { entraTid: advisor.entraTid, entraOid: advisor.entraOid },
      auditActorOf(caller, this.ctx.clock),
    );
    if (outcome === 'missing') throw new NotFoundError(`Advisor ${id}`);
    if (outcome === 'taken') throw new ConflictError('Another advisor is bound to this Entra account.');
    if (outcome === 'changed') throw new ConflictError(`${advisor.email}'s binding changed meanwhile: try again.`);
    return (await this.ctx.repo.advisors.findById(id))!;
  }

  searchTeams(query: { q?: string; limit: number; offset: number }): Promise<Page<Team>> {
    return pageOf(query, (limit, offset) => this.ctx.repo.teams.search(query.q, limit, offset));
  }

  async createTeam(caller: AdminCaller, body: z.output<typeof CreateTeamRequest>): Promise<Team> {
    this.requireAdmin(caller);
    await this.requireAdvisors(body.memberIds, 'body.memberIds');
    return this.ctx.repo.teams.create(body.name, body.memberIds, auditActorOf(caller, this.ctx.clock));
  }

  async changeMembership(caller: AdminCaller, teamId: number, advisorId: number, member: boolean): Promise<Team> {
    this.requireAdmin(caller);
    if (!(await this.ctx.repo.teams.findById(teamId))) throw new NotFoundError(`Team ${teamId}`);
    if (!(await this.ctx.repo.advisors.findById(advisorId))) throw new NotFoundError(`Advisor ${advisorId}`);
    const actor = auditActorOf(caller, this.ctx.clock);
    if (member) await this.ctx.repo.teams.addMember(teamId, advisorId, actor);
    else await this.ctx.repo.teams.removeMember(teamId, advisorId, actor);
    return (await this.ctx.repo.teams.findById(teamId))!;
  }

  /** 400 naming the field when any id is not an active advisor. */
  async requireAdvisors(ids: number[], path: string): Promise<void> {
    const existing = new Set(await this.ctx.repo.advisors.existingIds(ids));
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length) {
      throw new BadRequestError(`No active advisor has the id ${missing.join(', ')}.`, [
        { path, message: `Unknown or inactive advisor: ${missing.join(', ')}` },
      ]);
    }
  }

  async requireTeams(ids: number[], path: string): Promise<void> {
    const existing = new Set(await this.ctx.repo.teams.existingIds(ids));
    const missing = ids.filter((id) => !existing.has(id));
    if (missing.length) {
      throw new BadRequestError(`No team has the id ${missing.join(', ')}.`, [
        { path, message: `Unknown team: ${missing.join(', ')}` },
      ]);
    }
  }
}
