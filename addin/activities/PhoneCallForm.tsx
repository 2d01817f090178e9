import { useState } from 'react';
import { Button, Textarea } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { ContactSearch } from '../people/ContactSearch';
import { FormField } from '../ui/FormField';
import { SelectInput, TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { FUTURE_CALL_MESSAGE, callInFuture, durationError, fromLocalInput, toLocalInput } from './fields';
import { useFormStyles } from './form-styles';
import { useActivitySave } from './useActivitySave';
import { useActivityLabels } from './useActivityLabels';
import { LabelSelect } from './LabelSelect';

export interface ContactChoice {
  id: number;
  name: string;
  email: string | null;
}

export interface PhoneCallFormProps {
  api: ApiClient;
  opportunityId: number;
  /** Offered as the call's contact, and chosen by default: the opportunity's customer contact; any other is searched. */
  customerContact: ContactChoice | null;
  /** The call to edit; absent: log a new one. */
  activity?: Activity;
  onSaved: (message: string) => void;
  onCancel: () => void;
}

/** Log a phone call on the opportunity, open or completed, or edit one. */
export function PhoneCallForm({
  api,
  opportunityId,
  customerContact,
  activity,
  onSaved,
  onCancel,
}: PhoneCallFormProps) {
  const styles = useFormStyles();
  const labels = useActivityLabels(api);
  const [direction, setDirection] = useState<'outgoing' | 'incoming'>(activity?.direction ?? 'outgoing');
  const [contactId, setContactId] = useState(
    String(activity ? (activity.contact?.id ?? '') : (customerContact?.id ?? '')),
  );
  const [when, setWhen] = useState(toLocalInput(activity ? activity.startAt : new Date().toISOString()));
  const [duration, setDuration] = useState(activity?.durationMinutes != null ? String(activity.durationMinutes) : '');
  const [subject, setSubject] = useState(activity?.subject ?? '');
  const [description, setDescription] = useState(activity?.description ?? '');
  const [categoryId, setCategoryId] = useState(String(activity?.category?.id ?? ''));
  const [outcomeId, setOutcomeId] = useState(String(activity?.outcome?.id ?? ''));
  const [status, setStatus] = useState<'open' | 'completed'>('completed');
  const { busy, outcome, run, errors, check } = useActivitySave(!activity);
  // Any contact may be chosen (the customer may be an organization, or someone else took the call).
  const [found, setFound] = useState<ContactChoice[]>([]);
  const contacts = [customerContact, activity?.contact, ...found].filter(
    (c, i, all): c is ContactChoice => c != null && all.findIndex((o) => o?.id === c.id) === i,
  );

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const startAt = fromLocalInput(when);
    const problems: Record<string, string> = {};
    if (!subject.trim()) problems.subject = 'Give it a subject';
    if (!startAt) problems.startAt = 'Give the date and time of the call';
    else if ((activity ? activity.status : status) === 'completed' && callInFuture(startAt))
      problems.startAt = FUTURE_CALL_MESSAGE;
    const badDuration = durationError(duration);
    if (badDuration) problems.durationMinutes = badDuration;
    if (!check(problems)) return;
    const fields = {
      subject: subject.trim(),
      startAt: startAt!,
      direction,
      durationMinutes: duration.trim() ? Number(duration) : null,
      contactId: contactId ? Number(contactId) : null,
      description: description.trim() || null,
      categoryId: categoryId ? Number(categoryId) : null,
      outcomeId: outcomeId ? Number(outcomeId) : null,
    };
    void run(
      (signal) =>
        activity
          ? api.call('updateActivityStatus', { params: { id: activity.id }, body: fields, signal })
          : api.call('createActivity', {
              body: {
                kind: 'phone_call',
                opportunityId,
                status,
                subject: fields.subject,
                startAt: fields.startAt,
                direction,
                durationMinutes: fields.durationMinutes ?? undefined,
                contactId: fields.contactId ?? undefined,
                description: fields.description ?? undefined,
                categoryId: fields.categoryId ?? undefined,
                outcomeId: fields.outcomeId ?? undefined,
              },
              signal,
            }),
      { done: () => onSaved(activity ? 'Call saved.' : 'Call logged.') },
    );
  };

  return (
    <form className={styles.form} aria-label={activity ? 'Edit call' : 'Log a call'} onSubmit={save} noValidate>
      {!activity && (
        <FormField label="Status" hint="Completed only if the call has already happened." error={errors.status}>
          <SelectInput value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'completed')}>
            <option value="completed">Completed</option>
            <option value="open">Open (planned)</option>
          </SelectInput>
        </FormField>
      )}
      <FormField label="Direction" error={errors.direction}>
        <SelectInput value={direction} onChange={(e) => setDirection(e.target.value as 'outgoing' | 'incoming')}>
          <option value="outgoing">Outgoing</option>
          <option value="incoming">Incoming</option>
        </SelectInput>
      </FormField>
      <FormField label="Contact" error={errors.contactId}>
        <SelectInput value={contactId} onChange={(e) => setContactId(e.target.value)}>
          {contacts.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.email ? ` (${c.email})` : ''}
            </option>
          ))}
          <option value="">No contact</option>
        </SelectInput>
      </FormField>
      <ContactSearch
        api={api}
        label="Another contact"
        onPick={(c) => {
          setFound((shown) => [...shown, { id: c.id, name: c.name, email: c.email }]);
          setContactId(String(c.id));
        }}
      />
      <FormField label="Date and time" error={errors.startAt}>
        <TextInput type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />
      </FormField>
      <FormField label="Duration (minutes)" error={errors.durationMinutes}>
        <TextInput type="number" min={0} max={1440} value={duration} onChange={(e) => setDuration(e.target.value)} />
      </FormField>
      <FormField label="Subject" error={errors.subject}>
        <TextInput value={subject} onChange={(e) => setSubject(e.target.value)} />
      </FormField>
      <FormField label="Description" error={errors.description}>
        <Textarea value={description} onChange={(_, d) => setDescription(d.value)} />
      </FormField>
      <LabelSelect
        label="Category"
        kind="category"
        labels={labels}
        current={activity?.category?.id ?? null}
        value={categoryId}
        onChange={setCategoryId}
        error={errors.categoryId}
      />
      <LabelSelect
        label="Outcome"
        kind="outcome"
        labels={labels}
        current={activity?.outcome?.id ?? null}
        value={outcomeId}
        onChange={setOutcomeId}
        error={errors.outcomeId}
      />
      <OutcomeNotice outcome={outcome} />
      <div className={styles.buttons}>
        <Button appearance="primary" type="submit" disabled={busy}>
          {activity ? 'Save call' : 'Log call'}
        </Button>
        <Button onClick={onCancel}>Discard</Button>
      </div>
    </form>
  );
}
