import { useState } from 'react';
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { OutcomeNotice } from '../ui/Notice';
import { errorText, useAction } from '../ui/useAction';
import { PhoneCallForm, type ContactChoice } from './PhoneCallForm';
import { TaskForm } from './TaskForm';

const useStyles = makeStyles({
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalXS },
});

export interface ActivityActionsProps {
  api: ApiClient;
  activity: Activity;
  opportunityId: number;
  customerContact: ContactChoice | null;
  /** After a change: the view reloads the opportunity and announces it. */
  onChanged: (message: string) => void;
}

/**
 * The service's refusal of a status change, as a sentence about this call or task: its field names
 * ("Status: …") mean nothing here, where no field is shown; a call still to come says when it is and what to do.
 */
function refusal(activity: Activity, error: unknown): string | null {
  const fields = error instanceof ApiError && error.status === 400 ? (error.problem?.errors ?? []) : [];
  if (fields.length === 0) return null;
  if (activity.kind === 'phone_call' && activity.startAt !== null && Date.parse(activity.startAt) > Date.now()) {
    const when = new Date(activity.startAt).toLocaleString('en-US', {
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
    });
    return `“${activity.subject}” is planned for ${when}, so it cannot be completed yet: a call is completed once it has happened. If it already took place, edit its date and time first.`;
  }
  return `“${activity.subject}” was not changed: ${fields.map((e) => e.message).join(' ')}`;
}

/** Edit, Complete and Cancel of an open phone call or task, for whoever may change it. */
export function ActivityActions({ api, activity, opportunityId, customerContact, onChanged }: ActivityActionsProps) {
  const styles = useStyles();
  const [editing, setEditing] = useState(false);
  const { busy, outcome, run } = useAction();
  const what = activity.kind === 'phone_call' ? 'call' : 'task';
  const setStatus = (status: 'completed' | 'canceled') =>
    void run((signal) => api.call('updateActivityStatus', { params: { id: activity.id }, body: { status }, signal }), {
      done: () =>
        onChanged(status === 'completed' ? `Completed “${activity.subject}”.` : `Canceled “${activity.subject}”.`),
      failure: (error) => refusal(activity, error) ?? errorText(error),
    });
  const saved = (message: string) => {
    setEditing(false);
    onChanged(message);
  };

  if (editing)
    return activity.kind === 'phone_call' ? (
      <PhoneCallForm
        api={api}
        opportunityId={opportunityId}
        customerContact={customerContact}
        activity={activity}
        onSaved={saved}
        onCancel={() => setEditing(false)}
      />
    ) : (
      <TaskForm
        api={api}
        opportunityId={opportunityId}
        activity={activity}
        onSaved={saved}
        onCancel={() => setEditing(false)}
      />
    );
  return (
    <>
      <div className={styles.buttons} role="group" aria-label={`${activity.subject}: actions`}>
        <Button size="small" onClick={() => setEditing(true)}>
          Edit {what}
        </Button>
        {activity.status === 'open' && (
          <>
            <Button size="small" disabled={busy} onClick={() => setStatus('completed')}>
              Complete {what}
            </Button>
            <Button size="small" disabled={busy} onClick={() => setStatus('canceled')}>
              Cancel {what}
            </Button>
          </>
        )}
      </div>
      <OutcomeNotice outcome={outcome} />
    </>
  );
}
