import { useCallback, useEffect, useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ActivityLabel, ActivityLabelKind } from '../../shared/schemas/activity-labels';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { useListEditorStyles } from './list-editor-styles';
import { errorText, useAction } from '../ui/useAction';

const useRetiredStyle = makeStyles({
  retired: { color: tokens.colorNeutralForeground3, textDecorationLine: 'line-through' },
});

const HEADINGS: Record<ActivityLabelKind, string> = { category: 'Categories', outcome: 'Outcomes' };

/** The admin's list of call and task categories and outcomes: add, rename, retire or restore (never delete). */
export function ActivityLabelsEditor({ api }: { api: ApiClient }) {
  const styles = { ...useListEditorStyles(), ...useRetiredStyle() };
  const [labels, setLabels] = useState<ActivityLabel[] | null>(null);
  const { run, busy, error, outcome } = useAction();
  const load = useCallback(
    () => run((signal) => api.call('listActivityLabels', { signal }).then(setLabels)),
    [run, api],
  );
  useEffect(() => void load(), [load]);

  /** The change, then the list as the service now has it. */
  const change = (work: () => Promise<unknown>, done: string) =>
    run(
      async () => {
        await work();
        setLabels(await api.call('listActivityLabels'));
      },
      {
        done: () => done,
        // Shown next to its field already.
        failure: (e) => (e instanceof ApiError && (e.status === 400 || e.status === 409) ? null : errorText(e)),
      },
    );

  return (
    <section aria-labelledby="activity-labels" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="activity-labels">
        Call and task categories
      </Text>
      <Text size={200}>
        Advisors choose from these when they log a call or add a task. Retired ones are no longer offered.
      </Text>
      {labels === null && !error && <Text>Loading…</Text>}
      {labels &&
        (['category', 'outcome'] as const).map((kind) => (
          <LabelList
            key={kind}
            kind={kind}
            labels={labels.filter((l) => l.kind === kind)}
            busy={busy}
            change={change}
            api={api}
          />
        ))}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}

interface LabelListProps {
  kind: ActivityLabelKind;
  labels: ActivityLabel[];
  busy: boolean;
  api: ApiClient;
  change: (work: () => Promise<unknown>, done: string) => Promise<unknown>;
}

function LabelList({ kind, labels, busy, api, change }: LabelListProps) {
  const styles = { ...useListEditorStyles(), ...useRetiredStyle() };
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null);
  const singular = kind === 'category' ? 'category' : 'outcome';

  /** A field error from the service (a duplicate name is 409) shown next to the field; anything else in the notice. */
  const guarded = (work: () => Promise<unknown>) => async () => {
    setError(null);
    try {
      await work();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 400 || error.status === 409)) setError(error.message);
      throw error;
    }
  };

  return (
    <div>
      <Text as="h3" size={300} weight="semibold">
        {HEADINGS[kind]}
      </Text>
      <ul className={styles.list} aria-label={HEADINGS[kind]}>
        {labels.map((label) => (
          <li key={label.id} className={styles.row}>
            {renaming?.id === label.id ? (
              <>
                <FormField label={`New name for ${label.name}`} error={error}>
                  <TextInput
                    value={renaming.name}
                    onChange={(e) => setRenaming({ id: label.id, name: e.target.value })}
                  />
                </FormField>
                <Button
                  size="small"
                  appearance="primary"
                  disabled={busy}
                  onClick={() =>
                    void change(
                      guarded(async () => {
                        await api.call('updateActivityLabel', {
                          params: { id: label.id },
                          body: { name: renaming.name },
                        });
                        setRenaming(null);
                      }),
                      `Renamed to “${renaming.name.trim()}”.`,
                    )
                  }
                >
                  Save name
                </Button>
                <Button size="small" onClick={() => setRenaming(null)}>
                  Cancel
                </Button>
              </>
            ) : (
              <>
                <Text className={label.retired ? styles.retired : undefined}>{label.name}</Text>
                {label.retired && <Text size={200}>(retired)</Text>}
                <Button size="small" disabled={busy} onClick={() => setRenaming({ id: label.id, name: label.name })}>
                  Rename {label.name}
                </Button>
                <Button
                  size="small"
                  disabled={busy}
                  onClick={() =>
                    void change(
                      () =>
                        api.call('updateActivityLabel', {
                          params: { id: label.id },
                          body: { retired: !label.retired },
                        }),
                      label.retired ? `“${label.name}” is offered again.` : `“${label.name}” is retired.`,
                    )
                  }
                >
                  {label.retired ? `Restore ${label.name}` : `Retire ${label.name}`}
                </Button>
              </>
            )}
          </li>
        ))}
      </ul>
      <div className={styles.add}>
        <FormField label={`New ${singular}`} error={renaming ? null : error}>
          <TextInput value={name} onChange={(e) => setName(e.target.value)} />
        </FormField>
        <Button
          disabled={busy || !name.trim()}
          onClick={() =>
            void change(
              guarded(async () => {
                await api.call('createActivityLabel', { body: { kind, name } });
                setName('');
              }),
              `Added “${name.trim()}”.`,
            )
          }
        >
          Add {singular}
        </Button>
      </div>
    </div>
  );
}
