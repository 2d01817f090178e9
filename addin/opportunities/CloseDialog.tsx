import { useCallback, useEffect, useState } from 'react';
import {
  Button,
  Dialog,
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

// One grid: every Complete (and Close as …) button in the second column, every Cancel in the third, so the
// dialog's Cancel sits directly under the activities' Cancel buttons and reads as one column.
const useStyles = makeStyles({
  content: {
    display: 'grid',
    gridTemplateColumns: '1fr auto auto',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalM,
    alignItems: 'center',
  },
  wide: { gridColumn: '1 / -1' },
  row: {
    gridColumn: '1 / -1',
    display: 'grid',
    gridTemplateColumns: 'subgrid',
    rowGap: tokens.spacingVerticalXS,
    alignItems: 'center',
  },
  about: { gridColumn: '1 / -1', display: 'flex', flexDirection: 'column' },
  label: { gridColumn: '1' },
  first: { gridColumn: '2' },
  second: { gridColumn: '3' },
});

const OPEN_SHOWN = 50;

export interface CloseDialogProps {
  api: ApiClient;
  opportunityId: number;
  /** Open as Close as Won or Lost; null is closed. */
  outcome: 'won' | 'lost' | null;
  /** Prefills the actual value of a win (editable). */
  estimatedValue: number | null;
  today: string;
  onClosed: () => void;
  onCancel: () => void;
}

/**
 * Close as Won / Lost. Stays mounted and closes through its `open` prop, so Fluent ends the modal (the rest of the
 * pane shown to screen readers again, focus restored) rather than an open dialog being torn down.
 */
export function CloseDialog(props: CloseDialogProps) {
  const { outcome, onCancel } = props;
  // The form stays as it was while the dialog animates out.
  const [shown, setShown] = useState(outcome);
  if (outcome !== null && outcome !== shown) setShown(outcome);
  return (
    <Dialog open={outcome !== null} modalType="modal" onOpenChange={(_, data) => !data.open && onCancel()}>
      <DialogSurface aria-describedby={undefined}>
        {shown && <CloseForm key={shown} {...props} outcome={shown} />}
      </DialogSurface>
    </Dialog>
  );
}

/** The actual value or reason, the date; open activities are offered to complete or cancel first. */
function CloseForm({
  api,
  opportunityId,
  outcome,
  estimatedValue,
  today,
  onClosed,
  onCancel,
}: CloseDialogProps & { outcome: 'won' | 'lost' }) {
  const styles = useStyles();
  const [open, setOpen] = useState<Activity[] | null>(null);
  const [moreOpen, setMoreOpen] = useState(false);
  const [value, setValue] = useState(estimatedValue === null ? '' : String(estimatedValue));
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(today);
  const action = useAction();
  const title = outcome === 'won' ? 'Close as Won' : 'Close as Lost';
  const { run } = action;

  // The open ones only, newest first: a page of them however long the timeline is.
  const loadOpen = useCallback(
    async (signal?: AbortSignal) => {
      const page = await api.call('listOpportunityActivities', {
        params: { id: opportunityId },
        query: { status: 'open', limit: OPEN_SHOWN },
        signal,
      });
      setOpen(page.items);
      setMoreOpen(page.nextCursor !== null);
    },
    [api, opportunityId],
  );
  useEffect(() => {
    void run(loadOpen);
  }, [run, loadOpen]);

  const settle = (activity: Activity, status: 'completed' | 'canceled') =>
    action.run(async () => {
      await api.call('updateActivityStatus', { params: { id: activity.id }, body: { status } });
      setOpen((list) => list && list.filter((a) => a.id !== activity.id));
    });

  // One at a time, so a refusal stops the rest and the list shows what is still open.
  const settleAll = (status: 'completed' | 'canceled') =>
    action.run(async () => {
      try {
        for (const activity of open ?? [])
          await api.call('updateActivityStatus', { params: { id: activity.id }, body: { status } });
      } finally {
        await loadOpen();
      }
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
    <DialogBody>
      <DialogTitle>{title}</DialogTitle>
      <DialogContent className={styles.content}>
        {open === null && <Spinner size="tiny" label="Checking for open activities…" className={styles.wide} />}
        {open !== null && open.length > 0 && (
          <div className={styles.wide}>
            <Notice intent="warning">
              {moreOpen
                ? `More than ${open.length} activities are still open.`
                : open.length === 1
                  ? 'One activity is still open.'
                  : `${open.length} activities are still open.`}{' '}
              Complete or cancel them first, or close anyway.
            </Notice>
          </div>
        )}
        {open?.map((activity) => (
          <div key={activity.id} className={styles.row} aria-label={`Open activity: ${activity.subject}`} role="group">
            <div className={styles.about}>
              <Text weight="semibold">{activity.subject || '(no subject)'}</Text>
              <Text size={200}>
                {activity.kind.replace('_', ' ')}
                {activity.startAt ? ` · ${new Date(activity.startAt).toLocaleString('en-US')}` : ''}
              </Text>
            </div>
            <Button
              size="small"
              className={styles.first}
              aria-label={`Complete “${activity.subject}”`}
              disabled={action.busy}
              onClick={() => void settle(activity, 'completed')}
            >
              Complete
            </Button>
            <Button
              size="small"
              className={styles.second}
              aria-label={`Cancel “${activity.subject}”`}
              disabled={action.busy}
              onClick={() => void settle(activity, 'canceled')}
            >
              Cancel
            </Button>
          </div>
        ))}
        {open !== null && open.length > 1 && (
          <div className={styles.row} role="group" aria-label="Every open activity">
            <Text className={styles.label} size={200}>
              {moreOpen ? `The ${open.length} shown:` : `All ${open.length}:`}
            </Text>
            <Button
              size="small"
              className={styles.first}
              disabled={action.busy}
              onClick={() => void settleAll('completed')}
            >
              Complete all
            </Button>
            <Button
              size="small"
              className={styles.second}
              disabled={action.busy}
              onClick={() => void settleAll('canceled')}
            >
              Cancel all
            </Button>
          </div>
        )}
        <div className={styles.wide}>
          {outcome === 'won' ? (
            <Field label="Actual value (USD)" hint="The estimate, until you change it.">
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
        </div>
        <div className={styles.wide}>
          <Field label="Close date">
            {(field) => (
              <TextInput {...field} type="date" value={date} onChange={(event) => setDate(event.target.value)} />
            )}
          </Field>
        </div>
        <div className={styles.wide}>
          <OutcomeNotice outcome={action.outcome} />
        </div>
        <div className={styles.row}>
          <Button appearance="primary" className={styles.first} disabled={action.busy} onClick={() => void close()}>
            {title}
          </Button>
          <Button className={styles.second} disabled={action.busy} onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </DialogContent>
    </DialogBody>
  );
}
