import type { OpportunityAccessFacts, OpportunityRecord, Repository } from '../repository/repository';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Caller } from './context';

/**
 * The access rules for opportunities, in one place:
 * - an advisor acts on (changes, assigns, closes, reopens) the opportunities they own or created;
 * - a manager also acts on those owned by anyone in their teams;
 * - everyone reads every open opportunity; a closed one only those who may act on it.
 * Admins manage people; on opportunities they have an advisor's rights.
 */
export class OpportunityAccess {
  private teammates: Promise<number[]> | undefined;

  constructor(
    private readonly repo: Repository,
    private readonly caller: Caller,
  ) {}

  /** The owners whose opportunities a manager acts on (the caller for anyone else). */
  managedOwnerIds(): Promise<number[]> {
    if (this.caller.role !== 'manager') return Promise.resolve([this.caller.id]);
    this.teammates ??= this.repo.advisors.teammateIds(this.caller.id);
    return this.teammates;
  }

  async canAct(opportunity: OpportunityAccessFacts): Promise<boolean> {
    if (opportunity.owner.id === this.caller.id || opportunity.createdBy.id === this.caller.id) return true;
    return (await this.managedOwnerIds()).includes(opportunity.owner.id);
  }

  async canRead(opportunity: OpportunityAccessFacts): Promise<boolean> {
    return opportunity.status === 'open' || this.canAct(opportunity);
  }

  /** The opportunity if the caller may read it; 404 otherwise (a closed one of others is not revealed). */
  async readable(id: number): Promise<OpportunityRecord> {
    const opportunity = await this.repo.opportunities.findById(id);
    if (!opportunity || !(await this.canRead(opportunity))) throw new NotFoundError(`Opportunity ${id}`);
    return opportunity;
  }

  /** The same check as `readable`, for a caller who needs only its answer and version, not the record. */
  async requireReadable(id: number): Promise<OpportunityAccessFacts> {
    const opportunity = await this.repo.opportunities.findAccessFacts(id);
    if (!opportunity || !(await this.canRead(opportunity))) throw new NotFoundError(`Opportunity ${id}`);
    return opportunity;
  }

  /** The opportunity if the caller may act on it; 404 if unreadable, 403 if only readable. */
  async actionable(id: number): Promise<OpportunityRecord> {
    const opportunity = await this.readable(id);
    if (!(await this.canAct(opportunity))) {
      throw new ForbiddenError(
        `Only the owner (${opportunity.owner.displayName}), its creator or their manager may change opportunity ${id}.`,
      );
    }
    return opportunity;
  }
}
