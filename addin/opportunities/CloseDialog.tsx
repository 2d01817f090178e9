import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { TextInput } from '../ui/inputs';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  activity: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    paddingBottom: tokens.spacingVerticalS,
  },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS },
});

const OPEN_SHOWN = 50;

export interface CloseDialogProps {
  api: ApiClient;
  opportunityId: number;
  outcome: 'won' | 'lost';
  today: string;
  onClosed: () => void;
  onCancel: () => void;
}

/** Close as Won / Lost: the actual value or reason, the date; open activities are offered to complete or cancel first. */
export function CloseDialog({ api, opportunityId, outcome, today, onClosed, onCancel }: CloseDialogProps) {
  const styles = useStyles();
  const [open, setOpen] = useState<Activity[] | null>(null);
  const [moreOpen, setMoreOpen] = useState(false);
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(today);
  const action = useAction();
  const title = outcome === 'won' ? 'Close as Won' : 'Close as Lost';
  const { run } = action;

  // The open ones only, newest first: a page of them however long the timeline is.
  useEffect(() => {
    void run(async (signal) => {
      const page = await api.call('listOpportunityActivities', {
        params: { id: opportunityId },
        query: { status: 'open', limit: OPEN_SHOWN },
        signal,
      });
      setOpen(page.items);
      setMoreOpen(page.nextCursor !== null);
    });
  }, [api, opportunityId, run]);

  const settle = (activity: Activity, status: 'completed' | 'canceled') =>
    action.run(async () => {
      await api.call('updateActivityStatus', { params: { id: activity.id }, body: { status } });
      setOpen((list) => list && list.filter((a) => a.id !== activity.id));
    });

  const close = () =>
    action.run(async () => {
      await api.call('closeOpportunity', {
        params: { id: opportunityId },
        body: {
          outcome,
          actualValue: value ? Number(value) : undefined,
          closeDate: date || undefined,
          reason: reason.trim() || undefined,
        },
      });
      onClosed();
    });

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && onCancel()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent className={styles.content}>
            {open === null && <Spinner size="tiny" label="Checking for open activities…" />}
            {open !== null && open.length > 0 && (
              <Notice intent="warning">
                {moreOpen
                  ? `More than ${open.length} activities are still open.`
                  : open.length === 1
                    ? 'One activity is still open.'
                    : `${open.length} activities are still open.`}{' '}
                Complete or cancel them first, or close anyway.
              </Notice>
            )}
            {open?.map((activity) => (
              <div
                key={activity.id}
                className={styles.activity}
                aria-label={`Open activity: ${activity.subject}`}
                role="group"
              >
                <Text weight="semibold">{activity.subject || '(no subject)'}</Text>
                <Text size={200}>
                  {activity.kind.replace('_', ' ')}
                  {activity.startAt ? ` · ${new Date(activity.startAt).toLocaleString('en-US')}` : ''}
                </Text>
                <div className={styles.buttons}>
                  <Button size="small" disabled={action.busy} onClick={() => void settle(activity, 'completed')}>
                    Complete “{activity.subject}”
                  </Button>
                  <Button size="small" disabled={action.busy} onClick={() => void settle(activity, 'canceled')}>
                    Cancel “{activity.subject}”
                  </Button>
                </div>
              </div>
            ))}
            {outcome === 'won' ? (
              <Field label="Actual value (USD)">
                {(field) => (
                  <TextInput
                    {...field}
                    type="number"
                    min={0}
                    value={value}
                    onChange={(event) => setValue(event.target.value)}
                  />
                )}
              </Field>
            ) : (
              <Field label="Reason">
                <Textarea value={reason} onChange={(_, data) => setReason(data.value)} />
              </Field>
            )}
            <Field label="Close date">
              {(field) => (
                <TextInput {...field} type="date" value={date} onChange={(event) => setDate(event.target.value)} />
              )}
            </Field>
            <OutcomeNotice outcome={action.outcome} />
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={action.busy} onClick={() => void close()}>
              {title}
            </Button>
            <Button disabled={action.busy} onClick={onCancel}>
              Cancel
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
