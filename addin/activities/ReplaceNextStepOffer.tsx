import { useEffect, useState } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';
import { Button } from '../ui/Button';
import { Text } from '../ui/Text';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

export interface ReplaceNextStepOfferProps {
  api: ApiClient;
  /** The appointment just linked (or found linked). */
  appointment: Activity;
  myEmail: string;
}

/**
 * After an appointment is linked to an opportunity on which the same advisor recorded "Schedule next step"
 * (an open task flagged as such), offers to let the appointment replace that task, so the next step is
 * counted once. The task is canceled, not completed: it did not happen by itself, and completed activities
 * are what a later issue's points count; the task keeps the appointment's id (replacedById).
 */
export function ReplaceNextStepOffer({ api, appointment, myEmail }: ReplaceNextStepOfferProps) {
  const styles = useStyles();
  const [task, setTask] = useState<Activity | null>(null);
  const { busy, outcome, run } = useAction();
  const regarding = appointment.regarding;
  const opportunityId = regarding && !('hidden' in regarding) ? regarding.id : null;

  useEffect(() => {
    if (appointment.kind !== 'appointment' || opportunityId === null) return;
    const controller = new AbortController();
    api
      .call('listOpportunityActivities', {
        params: { id: opportunityId },
        query: { status: 'open', limit: 100 },
        signal: controller.signal,
      })
      .then(
        (page) =>
          setTask(
            page.items.find(
              (a) =>
                a.kind === 'task' && a.scheduledNextStep && a.createdBy.email.toLowerCase() === myEmail.toLowerCase(),
            ) ?? null,
          ),
        () => undefined,
      );
    return () => controller.abort();
  }, [api, appointment.kind, opportunityId, myEmail]);

  if (outcome && !task) return <OutcomeNotice outcome={outcome} />;
  if (!task) return null;
  const replace = () =>
    void run(
      (signal) =>
        api.call('updateActivityStatus', {
          params: { id: task.id },
          body: { status: 'canceled', replacedById: appointment.id },
          signal,
        }),
      {
        done: () => {
          setTask(null);
          return `This appointment replaced the next-step task “${task.subject}” (canceled, so the next step counts once).`;
        },
      },
    );
  return (
    <section className={styles.root} aria-label="Replace the next-step task?">
      <Text>
        You recorded the next step “{task.subject}” as a task. Let this appointment replace it? The task is then
        canceled, so the next step is counted once.
      </Text>
      <div className={styles.buttons}>
        <Button appearance="primary" disabled={busy} onClick={replace}>
          Replace the task with this appointment
        </Button>
        <Button disabled={busy} onClick={() => setTask(null)}>
          Keep both
        </Button>
      </div>
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
