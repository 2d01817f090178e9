import { useState } from 'react';
import { Button, Textarea } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { FormField } from '../ui/FormField';
import { SelectInput, TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { fromLocalInput, toLocalInput } from './fields';
import { useFormStyles } from './form-styles';
import { useActivitySave } from './useActivitySave';
import { useActivityLabels } from './useActivityLabels';
import { LabelSelect } from './LabelSelect';

export interface TaskFormProps {
  api: ApiClient;
  opportunityId: number;
  /** The task to edit; absent: add a new one. */
  activity?: Activity;
  onSaved: (message: string) => void;
  onCancel: () => void;
}

/** Add a task to the opportunity (dated or not: an open one is its next step), or edit one. */
export function TaskForm({ api, opportunityId, activity, onSaved, onCancel }: TaskFormProps) {
  const styles = useFormStyles();
  const labels = useActivityLabels(api);
  const [subject, setSubject] = useState(activity?.subject ?? '');
  const [due, setDue] = useState(toLocalInput(activity?.startAt));
  const [description, setDescription] = useState(activity?.description ?? '');
  const [categoryId, setCategoryId] = useState(String(activity?.category?.id ?? ''));
  const [status, setStatus] = useState<'open' | 'completed'>('open');
  const { busy, outcome, run, errors, check } = useActivitySave(!activity);

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const startAt = fromLocalInput(due);
    const problems: Record<string, string> = {};
    if (!subject.trim()) problems.subject = 'Give it a subject';
    if (due && !startAt) problems.startAt = 'Give a date and time, or leave it empty for an undated task';
    if (!check(problems)) return;
    const fields = {
      subject: subject.trim(),
      description: description.trim() || null,
      categoryId: categoryId ? Number(categoryId) : null,
    };
    void run(
      (signal) =>
        activity
          ? api.call('updateActivityStatus', { params: { id: activity.id }, body: { ...fields, startAt }, signal })
          : api.call('createActivity', {
              body: {
                kind: 'task',
                opportunityId,
                status,
                subject: fields.subject,
                startAt: startAt ?? undefined,
                description: fields.description ?? undefined,
                categoryId: fields.categoryId ?? undefined,
              },
              signal,
            }),
      { done: () => onSaved(activity ? 'Task saved.' : 'Task added.') },
    );
  };

  return (
    <form className={styles.form} aria-label={activity ? 'Edit task' : 'Add a task'} onSubmit={save} noValidate>
      <FormField label="Subject" error={errors.subject}>
        <TextInput value={subject} onChange={(e) => setSubject(e.target.value)} />
      </FormField>
      <FormField label="Due" hint="Leave empty for an undated task." error={errors.startAt}>
        <TextInput type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
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
      {!activity && (
        <FormField label="Status" hint="Completed only if it is already done." error={errors.status}>
          <SelectInput value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'completed')}>
            <option value="open">Open</option>
            <option value="completed">Completed</option>
          </SelectInput>
        </FormField>
      )}
      <OutcomeNotice outcome={outcome} />
      <div className={styles.buttons}>
        <Button appearance="primary" type="submit" disabled={busy}>
          {activity ? 'Save task' : 'Add task'}
        </Button>
        <Button onClick={onCancel}>Discard</Button>
      </div>
    </form>
  );
}
