import type { z } from 'zod';
import type { CreateHolidayRequest, ExceptionRules, Holiday } from '../../shared/schemas/exception-rules';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { AttentionRecompute } from './attention-recompute';
import { actorOf, type Caller, type ServiceContext } from './context';

/**
 * The exception rules and the firm's holidays: anyone signed in reads them (the pane explains why an
 * opportunity is flagged), only an admin changes them.
 */
export class ExceptionRuleService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly attentionRecompute = new AttentionRecompute(ctx),
  ) {}

  private requireAdmin(caller: Caller, what: string): void {
    if (caller.role !== 'admin') throw new ForbiddenError(`Only an admin changes the ${what}.`);
  }

  get(): Promise<ExceptionRules> {
    return this.ctx.repo.exceptionRules.get();
  }

  /**
   * The changed rules' due times are recomputed in batches (migration 023): this answers after the first; until
   * the last, an opportunity not reached yet keeps the old rules' answer.
   */
  async set(caller: Caller, rules: ExceptionRules): Promise<ExceptionRules> {
    this.requireAdmin(caller, 'exception rules');
    const saved = await this.ctx.repo.exceptionRules.set(rules, actorOf(caller, this.ctx.clock));
    await this.attentionRecompute.afterChange();
    return saved;
  }

  holidays(year?: number): Promise<Holiday[]> {
    return this.ctx.repo.exceptionRules.holidays(
      year === undefined ? undefined : { from: `${year}-01-01`, to: `${year}-12-31` },
    );
  }

  async addHoliday(caller: Caller, body: z.output<typeof CreateHolidayRequest>): Promise<Holiday> {
    this.requireAdmin(caller, 'holidays');
    const added = await this.ctx.repo.exceptionRules.addHoliday(body, actorOf(caller, this.ctx.clock));
    if (added === 'taken') {
      throw new ConflictError(`${body.date} is a holiday already.`, [
        { path: 'body.date', message: 'This date is a holiday already' },
      ]);
    }
    return added;
  }

  async removeHoliday(caller: Caller, date: string): Promise<Holiday> {
    this.requireAdmin(caller, 'holidays');
    const existing = (await this.ctx.repo.exceptionRules.holidays({ from: date, to: date }))[0];
    if (!existing || !(await this.ctx.repo.exceptionRules.removeHoliday(date, actorOf(caller, this.ctx.clock))))
      throw new NotFoundError(`Holiday ${date}`);
    return existing;
  }
}
