import { capabilities } from '../office/capabilities';
import { outlookMailbox } from '../office/host';
import { roaming } from '../office/mailbox';

const SETTING = 'regarding.nextStep';
const FRESH_FOR_MS = 14 * 86_400_000;

export interface NextStep {
  opportunityId: number;
  topic: string;
  subject: string;
  at?: string;
}

/** Whether this Outlook can open a new appointment form from an add-in (not iOS and Android). */
export function canOpenAppointmentForm(): boolean {
  return !outlookMailbox() || capabilities().newAppointmentForm;
}

/**
 * "Schedule next step" remembers which opportunity the new appointment is for... Where Outlook cannot open a
 * new appointment form (iOS and Android: office.mailbox.yml displayNewAppointmentForm), it says so plainly
 * and remembers nothing.
 */
export function rememberNextStep(step: NextStep): Promise<void> {
  if (outlookMailbox() && !capabilities().newAppointmentForm)
    return Promise.reject(
      new Error(
        "Schedule next step is not available in this Outlook: it cannot open a new appointment from an add-in. Schedule it in Outlook's calendar.",
      ),
    );
  return roaming.set(SETTING, JSON.stringify({ ...step, at: new Date().toISOString() }));
}

/** ...so that when the advisor opens that appointment, Set Regarding offers it first. */
export function nextStepFor(subject: string): NextStep | null {
  const raw = roaming.get(SETTING);
  if (!raw) return null;
  try {
    const step = JSON.parse(raw) as NextStep;
    const fresh = step.at && Date.now() - Date.parse(step.at) < FRESH_FOR_MS;
    return fresh && subject.trim() === step.subject.trim() ? step : null;
  } catch {
    return null;
  }
}
