import { ApiError } from '../api/errors';
import { errorText } from '../ui/useAction';

/** What a failed report says: a 503 here means the report was not computed, not that a change was not saved. */
export function reportFailure(error: unknown): string {
  if (error instanceof ApiError && error.status === 503)
    return 'The report could not be computed just now. Try again in a minute.';
  return errorText(error);
}
