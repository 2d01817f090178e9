import { useState } from 'react';
import { useAction, type Action } from '../ui/useAction';
import { serverFieldErrors } from './fields';

export interface ActivitySave extends Action {
  /** The pane's own checks and the service's refusals, by the form's field names. */
  errors: Record<string, string | undefined>;
  /** Shows the pane's own checks at their fields; true when there is none, so the form may send. */
  check: (problems: Record<string, string>) => boolean;
}

/**
 * The save of the call and task forms: the service's field errors shown at the fields, as the pane's own.
 * The forms have one field for the time, so an end the service refuses (before the start, or in the future)
 * is shown there too; so is a status refusal where the form has no Status field (editing).
 */
export function useActivitySave(hasStatusField: boolean): ActivitySave {
  const action = useAction();
  const [checked, setChecked] = useState<Record<string, string>>({});
  const server = serverFieldErrors(action.error);
  const time = server.startAt ?? server.endAt ?? (hasStatusField ? undefined : server.status);
  const errors = { ...server, startAt: time, ...checked };
  const check = (problems: Record<string, string>) => {
    setChecked(problems);
    return Object.keys(problems).length === 0;
  };
  return { ...action, errors, check };
}
