import type { ExceptionRules, Holiday } from '../../../shared/schemas/exception-rules';
import { transaction, type Postgres } from '../../db/postgres/connection';
import type { Actor, ExceptionRuleStore } from '../repository';
import { isUniqueViolation, writeAudit } from './support';

/** The exception_rules row as PostgreSQL answers it (booleans). */
export interface RulesRow {
  untouched_on: boolean;
  untouched_business_days: number;
  no_activity_on: boolean;
  no_activity_business_days: number;
  no_next_step_on: boolean;
  past_close_date_on: boolean;
}

const toRules = (row: RulesRow): ExceptionRules => ({
  untouched: { on: row.untouched_on, businessDays: row.untouched_business_days },
  noActivity: { on: row.no_activity_on, businessDays: row.no_activity_business_days },
  noNextStep: { on: row.no_next_step_on },
  pastCloseDate: { on: row.past_close_date_on },
});

export class PostgresExceptionRuleStore implements ExceptionRuleStore {
  constructor(private readonly db: Postgres) {}

  async get() {
    return toRules((await this.db.query<RulesRow>('SELECT * FROM exception_rules WHERE id = 1')).rows[0]);
  }

  async set(rules: ExceptionRules, actor: Actor) {
    await transaction(this.db, async (db) => {
      await db.query(
        `UPDATE exception_rules SET untouched_on = $1, untouched_business_days = $2, no_activity_on = $3,
           no_activity_business_days = $4, no_next_step_on = $5, past_close_date_on = $6, updated_at = $7 WHERE id = 1`,
        [
          rules.untouched.on,
          rules.untouched.businessDays,
          rules.noActivity.on,
          rules.noActivity.businessDays,
          rules.noNextStep.on,
          rules.pastCloseDate.on,
          actor.at,
        ],
      );
      await writeAudit(db, actor, 'exception-rules', 1, 'update', rules);
    });
    return this.get();
  }

  async holidays(range?: { from: string; to: string }) {
    const { rows } = await this.db.query<Holiday>(
      'SELECT date, name FROM holidays WHERE ($1::date IS NULL OR date BETWEEN $1 AND $2) ORDER BY date',
      [range?.from ?? null, range?.to ?? null],
    );
    return rows;
  }

  async addHoliday(holiday: Holiday, actor: Actor) {
    try {
      return await transaction(this.db, async (db) => {
        const { rows } = await db.query<{ id: number }>(
          'INSERT INTO holidays (date, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (date) DO NOTHING RETURNING id',
          [holiday.date, holiday.name, actor.at],
        );
        if (!rows[0]) return 'taken' as const;
        await writeAudit(db, actor, 'holiday', rows[0].id, 'create', holiday);
        return { date: holiday.date, name: holiday.name };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken' as const;
      throw error;
    }
  }

  removeHoliday(date: string, actor: Actor) {
    return transaction(this.db, async (db) => {
      const { rows } = await db.query<{ id: number; name: string }>(
        'DELETE FROM holidays WHERE date = $1 RETURNING id, name',
        [date],
      );
      if (!rows[0]) return false;
      await writeAudit(db, actor, 'holiday', rows[0].id, 'delete', { date, name: rows[0].name });
      return true;
    });
  }
}
