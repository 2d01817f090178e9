import { useCallback, useEffect, useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { ActivityPointsEntry } from '../../shared/schemas/activity-points';
import { ACTIVITY_POINTS_MAX } from '../../shared/constants';
import type { ApiClient } from '../api/client';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  grid: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(130px, 1fr))',
    gap: tokens.spacingVerticalS,
    border: 'none',
    margin: 0,
    padding: 0,
  },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS },
  points: { maxWidth: '90px' },
});

/** What the admin typed is a whole number in range, or the sentence that says why not. */
function problemOf(value: string): string | null {
  if (!/^\d+$/.test(value.trim())) return 'Give a whole number of points';
  if (Number(value) > ACTIVITY_POINTS_MAX) return `At most ${ACTIVITY_POINTS_MAX} points`;
  return null;
}

/** The admin's points per category and per outcome: a completed call or task earns its category's plus its outcome's. */
export function ActivityPointsEditor({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [entries, setEntries] = useState<ActivityPointsEntry[] | null>(null);
  const [typed, setTyped] = useState<Record<number, string>>({});
  const { run, busy, error, outcome } = useAction();
  const load = useCallback(
    () =>
      run(async (signal) => {
        const table = await api.call('getActivityPoints', { signal });
        setEntries(table.entries);
        setTyped(Object.fromEntries(table.entries.map((entry) => [entry.id, String(entry.points)])));
      }),
    [run, api],
  );
  useEffect(() => void load(), [load]);

  const changed = (entries ?? []).filter((entry) => typed[entry.id]?.trim() !== String(entry.points));
  const invalid = changed.some((entry) => problemOf(typed[entry.id] ?? '') !== null);

  const save = () =>
    run(
      async (signal) => {
        const table = await api.call('updateActivityPoints', {
          body: { entries: changed.map((entry) => ({ labelId: entry.id, points: Number(typed[entry.id]) })) },
          signal,
        });
        setEntries(table.entries);
        setTyped(Object.fromEntries(table.entries.map((entry) => [entry.id, String(entry.points)])));
        return changed.length;
      },
      { done: (count) => `Saved ${count === 1 ? 'one new value' : `${count} new values`}.` },
    );

  return (
    <section aria-labelledby="activity-points" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="activity-points">
        Activity points
      </Text>
      <Text size={200}>
        A completed call or task earns its category&apos;s points plus its outcome&apos;s. Reports count with these
        values, past months included.
      </Text>
      {entries === null && !error && <Text>Loading…</Text>}
      {entries && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
          className={styles.root}
        >
          {(['category', 'outcome'] as const).map((kind) => (
            <fieldset key={kind} className={styles.grid}>
              <legend className={styles.legend}>
                <Text weight="semibold">{kind === 'category' ? 'Points per category' : 'Points per outcome'}</Text>
              </legend>
              {entries
                .filter((entry) => entry.kind === kind)
                .map((entry) => {
                  const value = typed[entry.id] ?? '';
                  return (
                    <FormField
                      key={entry.id}
                      label={entry.retired ? `${entry.name} (retired)` : entry.name}
                      error={value.trim() === String(entry.points) ? null : problemOf(value)}
                    >
                      <TextInput
                        className={styles.points}
                        inputMode="numeric"
                        value={value}
                        onChange={(e) => setTyped((now) => ({ ...now, [entry.id]: e.target.value }))}
                      />
                    </FormField>
                  );
                })}
            </fieldset>
          ))}
          <Button type="submit" appearance="primary" disabled={busy || changed.length === 0 || invalid}>
            Save points
          </Button>
        </form>
      )}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
