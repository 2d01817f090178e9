import { COMPLETED_CALL_LEEWAY_MINUTES } from '../../shared/constants';
import { ApiError } from '../api/errors';
import type { ActionError } from '../ui/useAction';

/** The service's field errors of a failed save, by field name, to show at their fields. */
export function serverFieldErrors(error: ActionError | null): Record<string, string> {
  const problem = error?.cause instanceof ApiError ? error.cause.problem : undefined;
  return Object.fromEntries((problem?.errors ?? []).map((e) => [e.path.split('.').pop()!, e.message]));
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as a datetime-local input shows it (the advisor's own time zone). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value as an ISO instant; null when empty or not a date. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** The same rule as the service's (checkHappened), checked before sending so the message shows at once. */
export function callInFuture(startAt: string | null): boolean {
  return startAt !== null && Date.parse(startAt) > Date.now() + COMPLETED_CALL_LEEWAY_MINUTES * 60_000;
}

export const FUTURE_CALL_MESSAGE = `A call can be marked completed only once it has happened: this one starts more than ${COMPLETED_CALL_LEEWAY_MINUTES} minutes from now. Save it as open, or correct its date and time.`;

/** A whole number of minutes from 0 to a day, or the message to show. */
export function durationError(value: string): string | null {
  if (!value.trim()) return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 1440 ? null : 'Whole minutes, from 0 to 1440';
}
