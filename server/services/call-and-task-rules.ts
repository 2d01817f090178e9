import { COMPLETED_CALL_LEEWAY_MINUTES } from '../../shared/constants';
import type { ActivityKind, ActivityStatus } from '../../shared/schemas/activities';
import type { ActivityLabelKind } from '../../shared/schemas/activity-labels';
import { BadRequestError } from '../errors';
import type { Repository } from '../repository/repository';

type FieldError = { path: string; message: string };

/** The fields of a phone call or task a request sets (null: cleared), as the rules check them. */
export interface LoggedFieldsInput {
  direction?: string | null;
  durationMinutes?: number | null;
  contactId?: number | null;
  categoryId?: number | null;
  outcomeId?: number | null;
  scheduledNextStep?: boolean;
}

const CALL_ONLY = ['direction', 'durationMinutes', 'outcomeId'] as const;

/**
 * "Mark Complete only if it has already occurred": a phone call starting more than
 * COMPLETED_CALL_LEEWAY_MINUTES after the server's clock cannot be completed (the leeway covers clocks that
 * differ a little). A task may be done before it is due, so it has no such rule.
 */
export function checkHappened(
  kind: ActivityKind,
  status: ActivityStatus,
  times: { startAt: string | null; endAt: string | null },
  now: Date,
  path: string,
): void {
  if (kind !== 'phone_call' || status !== 'completed') return;
  const fail = (message: string, at = path) => {
    throw new BadRequestError(message, [{ path: at, message }]);
  };
  // Without a time, "it happened" cannot be checked, and the call would never show when it was.
  if (times.startAt === null)
    fail('A completed call needs the date and time it happened.', path === 'body.status' ? path : 'body.startAt');
  const latest = now.getTime() + COMPLETED_CALL_LEEWAY_MINUTES * 60_000;
  if (Date.parse(times.startAt!) > latest)
    fail(
      `A call can be marked completed only once it has happened: this one starts more than ${COMPLETED_CALL_LEEWAY_MINUTES} minutes from now. Save it as open, or correct its date and time.`,
    );
  if (times.endAt !== null && Date.parse(times.endAt) > latest)
    fail(
      `A call can be marked completed only once it has happened: this one ends more than ${COMPLETED_CALL_LEEWAY_MINUTES} minutes from now.`,
      path === 'body.status' ? path : 'body.endAt',
    );
}

/** An end, when there is one, is not before the start. */
export function checkTimes(startAt: string | null, endAt: string | null): void {
  if (startAt === null || endAt === null || Date.parse(endAt) >= Date.parse(startAt)) return;
  const message = 'The end is before the start.';
  throw new BadRequestError(message, [{ path: 'body.endAt', message }]);
}

/**
 * Each field fits the kind (a task has no direction, duration or outcome; only a task is a scheduled next
 * step), the contact exists, and a category or outcome is one of that list's entries, not retired (one the
 * activity has already may stay). Every problem is reported at once, each with its field.
 */
export async function checkLoggedFields(
  repo: Repository,
  kind: ActivityKind,
  fields: LoggedFieldsInput,
  current: { categoryId: number | null; outcomeId: number | null } = { categoryId: null, outcomeId: null },
): Promise<void> {
  const errors: FieldError[] = [];
  if (kind !== 'phone_call') {
    for (const field of CALL_ONLY)
      if (fields[field] !== undefined && fields[field] !== null)
        errors.push({ path: `body.${field}`, message: 'Only a phone call has this' });
  }
  if (kind !== 'task' && fields.scheduledNextStep)
    errors.push({ path: 'body.scheduledNextStep', message: 'Only a task is a scheduled next step' });
  if (fields.contactId != null && !(await repo.contacts.findById(fields.contactId)))
    errors.push({ path: 'body.contactId', message: 'No such contact' });
  const label = async (field: 'categoryId' | 'outcomeId', kindOfList: ActivityLabelKind, kept: number | null) => {
    const id = fields[field];
    if (id == null || id === kept) return;
    const found = await repo.activityLabels.findById(id);
    if (!found || found.kind !== kindOfList) errors.push({ path: `body.${field}`, message: `No such ${kindOfList}` });
    else if (found.retired)
      errors.push({ path: `body.${field}`, message: `This ${kindOfList} is retired: choose another` });
  };
  await label('categoryId', 'category', current.categoryId);
  await label('outcomeId', 'outcome', current.outcomeId);
  if (errors.length > 0) throw new BadRequestError('Some fields are not valid for this activity.', errors);
}
