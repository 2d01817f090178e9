import { useState } from 'react';
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
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
