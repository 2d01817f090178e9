import type { Activity } from '../../shared/schemas/activities';
import type { OpportunityDetail } from '../../shared/schemas/timeline';
import type { ApiClient } from '../api/client';
import { appointmentSubject, openNewAppointmentForm } from '../office/mailbox';
import { canOpenAppointmentForm, rememberNextStep } from '../regarding/next-step';
import { errorText, type Action } from '../ui/useAction';

export interface ScheduleNextStepOptions {
  api: ApiClient;
  opportunity: OpportunityDetail['opportunity'];
  today: string;
  meId?: number;
  /** The view's action: its busy flag and its notice. */
  action: Pick<Action, 'run' | 'announce'>;
  /** After a task is recorded: the view shows the opportunity again. */
  refresh: () => Promise<void>;
}

const isMyNextStep = (meId: number | undefined) => (a: Activity) =>
  a.kind === 'task' && a.status === 'open' && a.scheduledNextStep && a.createdBy.id === meId;

/**
 * "Schedule next step": records the next step as an open task on the service at once (so "No next step" clears),
 * then opens Outlook's appointment form where this Outlook can; the appointment, once linked, may replace the task.
 * When I already have an open next-step task here, it records no other (each click made a duplicate).
 */
export async function scheduleNextStep({ api, opportunity: o, today, meId, action, refresh }: ScheduleNextStepOptions) {
  const { run, announce } = action;
  const subject = appointmentSubject(`${o.topic}: next step`);
  const start = new Date(`${today}T15:00:00Z`);
  start.setUTCDate(start.getUTCDate() + 1);
  // Fresh from the service, not the timeline's first page: the task may be older, or added in another pane.
  const found = await run(async (signal) => {
    const open = await api.call('listOpportunityActivities', {
      params: { id: o.id },
      query: { status: 'open', limit: 100 },
      signal,
    });
    const existing = open.items.find(isMyNextStep(meId));
    if (existing) return { existing };
    await api.call('createActivity', {
      body: { kind: 'task', opportunityId: o.id, subject, startAt: start.toISOString(), scheduledNextStep: true },
      signal,
    });
    return { existing: null };
  });
  if (!found) return;
  const { existing } = found;
  if (!existing) await refresh();
  const recorded = existing
    ? `Your next step “${existing.subject}” is already scheduled.`
    : 'Next step recorded as a task.';
  if (!canOpenAppointmentForm()) {
    announce({
      intent: 'info',
      text: `${recorded} Schedule next step is not available in this Outlook: it cannot open a new appointment from an add-in. Schedule it in Outlook's calendar.`,
    });
    return;
  }
  // The existing task's time, unless it has passed (the form would open in the past).
  const at = existing?.startAt && Date.parse(existing.startAt) > Date.now() ? new Date(existing.startAt) : start;
  const title = existing ? appointmentSubject(existing.subject) : subject;
  try {
    await rememberNextStep({ opportunityId: o.id, topic: o.topic, subject: title });
    await openNewAppointmentForm({
      subject: title,
      requiredAttendees: o.customerContact?.email ? [o.customerContact.email] : [],
      start: at,
      end: new Date(at.getTime() + 30 * 60_000),
      body: `Regarding: ${o.topic}`,
    });
  } catch (error) {
    announce({ intent: 'error', text: `${errorText(error)} The next step is recorded as a task meanwhile.` });
    return;
  }
  announce({
    intent: 'success',
    text: `${recorded} Outlook opened a new appointment: when you link it, it can replace the task.`,
  });
}
