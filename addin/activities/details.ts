import type { Activity } from '../../shared/schemas/activities';

/** What a timeline entry says of a phone call or task besides its subject and status. */
export function activityDetails(a: Activity): string {
  const parts: string[] = [];
  if (a.kind === 'phone_call' && a.direction) parts.push(a.direction === 'outgoing' ? 'Outgoing' : 'Incoming');
  if (a.contact) parts.push(`with ${a.contact.name}`);
  if (a.durationMinutes != null) parts.push(`${a.durationMinutes} min`);
  if (a.kind === 'task')
    parts.push(
      a.startAt
        ? `due ${new Date(a.startAt).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })}`
        : 'no due date',
    );
  if (a.category) parts.push(a.category.name);
  if (a.outcome) parts.push(a.outcome.name);
  if (a.scheduledNextStep) parts.push('next step');
  if (a.replacedById !== null) parts.push('replaced by an appointment');
  return parts.join(' · ');
}
