import { z } from 'zod';
import { EXCEPTION_RULE_DAYS_MAX } from '../constants';
import { IsoDate, visibleText } from './common';

const BusinessDays = z
  .number()
  .int('A whole number of business days')
  .min(1, 'At least 1 business day')
  .max(EXCEPTION_RULE_DAYS_MAX, `At most ${EXCEPTION_RULE_DAYS_MAX} business days`);

/**
 * When an open opportunity needs attention, as an admin sets it. Business days are Monday to Friday less
 * the holidays, counted in the owner's own time zone.
 */
export const ExceptionRules = z
  .object({
    untouched: z
      .object({ on: z.boolean(), businessDays: BusinessDays })
      .describe('No activity linked and no note by the owner within this many business days of assignment'),
    noActivity: z
      .object({ on: z.boolean(), businessDays: BusinessDays })
      .describe('No activity linked at all within this many business days of creation'),
    noNextStep: z.object({ on: z.boolean() }).describe('No open appointment, call or task ahead'),
    pastCloseDate: z
      .object({ on: z.boolean() })
      .describe("Its estimated close date has passed in the owner's time zone"),
  })
  .strict()
  .meta({ id: 'ExceptionRules' });
export type ExceptionRules = z.infer<typeof ExceptionRules>;

/** A holiday's date: in the years `GET /holidays?year=` can list. */
const HolidayDate = IsoDate.refine((date) => date >= '1970-01-01' && date <= '9999-12-31', 'A date from 1970 on');

/** A day off for the whole firm: that local date in each advisor's own time zone. */
export const Holiday = z.object({ date: IsoDate, name: z.string() }).meta({ id: 'Holiday' });
export type Holiday = z.infer<typeof Holiday>;

export const CreateHolidayRequest = z
  .object({ date: HolidayDate, name: visibleText('Give it a name', 80) })
  .meta({ id: 'CreateHolidayRequest' });

export const HolidayParams = z.object({ date: IsoDate });
export const HolidayQuery = z.object({
  year: z
    .string()
    .regex(/^(19[7-9]\d|[2-9]\d{3})$/, 'A year from 1970 to 9999, as four digits')
    .transform(Number)
    .optional()
    .describe('Only this year'),
});
