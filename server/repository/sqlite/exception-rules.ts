import type { Db } from '../../db/connection';
import type { ExceptionRules, Holiday } from '../../../shared/schemas/exception-rules';
import type { Actor, ExceptionRuleStore } from '../repository';
import { isUniqueViolation, sql, writeAudit } from './support';
import { write } from './writes';

interface RulesRow {
  untouched_on: number;
  untouched_business_days: number;
  no_activity_on: number;
  no_activity_business_days: number;
  no_next_step_on: number;
  past_close_date_on: number;
}

const toRules = (row: RulesRow): ExceptionRules => ({
  untouched: { on: row.untouched_on === 1, businessDays: row.untouched_business_days },
  noActivity: { on: row.no_activity_on === 1, businessDays: row.no_activity_business_days },
  noNextStep: { on: row.no_next_step_on === 1 },
  pastCloseDate: { on: row.past_close_date_on === 1 },
});

export class SqliteExceptionRuleStore implements ExceptionRuleStore {
  constructor(private readonly db: Db) {}

  async get() {
    return toRules(sql(this.db, 'SELECT * FROM exception_rules WHERE id = 1').get() as RulesRow);
  }

  async set(rules: ExceptionRules, actor: Actor) {
    await write(this.db, () => {
      sql(
        this.db,
        `UPDATE exception_rules SET untouched_on = ?, untouched_business_days = ?, no_activity_on = ?,
           no_activity_business_days = ?, no_next_step_on = ?, past_close_date_on = ?, updated_at = ? WHERE id = 1`,
      ).run(
        Number(rules.untouched.on),
        rules.untouched.businessDays,
        Number(rules.noActivity.on),
        rules.noActivity.businessDays,
        Number(rules.noNextStep.on),
        Number(rules.pastCloseDate.on),
        actor.at,
      );
      writeAudit(this.db, actor, 'exception-rules', 1, 'update', rules);
    });
    return this.get();
  }

  async holidays(range?: { from: string; to: string }) {
    return sql(
      this.db,
      `SELECT date, name FROM holidays WHERE (:from IS NULL OR date BETWEEN :from AND :to) ORDER BY date`,
    ).all({ from: range?.from ?? null, to: range?.to ?? null }) as Holiday[];
  }

  async addHoliday(holiday: Holiday, actor: Actor) {
    try {
      return await write(this.db, () => {
        if (sql(this.db, 'SELECT 1 FROM holidays WHERE date = ?').get(holiday.date)) return 'taken' as const;
        const id = Number(
          sql(this.db, 'INSERT INTO holidays (date, name, created_at) VALUES (?, ?, ?)').run(
            holiday.date,
            holiday.name,
            actor.at,
          ).lastInsertRowid,
        );
        writeAudit(this.db, actor, 'holiday', id, 'create', holiday);
        return { date: holiday.date, name: holiday.name };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'taken' as const;
      throw error;
    }
  }

  async removeHoliday(date: string, actor: Actor) {
    return write(this.db, () => {
      const row = sql(this.db, 'SELECT id, name FROM holidays WHERE date = ?').get(date) as
        { id: number; name: string } | undefined;
      if (!row) return false;
      sql(this.db, 'DELETE FROM holidays WHERE id = ?').run(row.id);
      writeAudit(this.db, actor, 'holiday', row.id, 'delete', { date, name: row.name });
      return true;
    });
  }
}
