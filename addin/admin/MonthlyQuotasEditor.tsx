import { useCallback, useEffect, useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { AdvisorPoints } from '../../shared/schemas/activity-points';
import type { ApiClient } from '../api/client';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const QUOTA_MAX = 1_000_000;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
    gap: tokens.spacingVerticalS,
  },
  quota: { maxWidth: '110px' },
});

/** Blank is no quota; otherwise a whole number in range, or the sentence that says why not. */
function problemOf(value: string): string | null {
  if (value.trim() === '') return null;
  if (!/^\d+$/.test(value.trim())) return 'Give a whole number of points, or leave it blank for no quota';
  if (Number(value) > QUOTA_MAX) return `At most ${QUOTA_MAX.toLocaleString('en')} points`;
  return null;
}

const shown = (quota: number | null) => (quota === null ? '' : String(quota));

/** The admin's monthly points quota of each active advisor (blank: none). */
export function MonthlyQuotasEditor({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [advisors, setAdvisors] = useState<AdvisorPoints[] | null>(null);
  const [typed, setTyped] = useState<Record<number, string>>({});
  const { run, busy, error, outcome } = useAction();
  const reload = useCallback(
    async (signal?: AbortSignal) => {
      const report = await api.call('pointsReport', { query: { scope: 'all' }, signal });
      setAdvisors(report.advisors);
      setTyped(Object.fromEntries(report.advisors.map((row) => [row.advisorId, shown(row.quota)])));
    },
    [api],
  );
  useEffect(() => void run(reload), [run, reload]);

  const changed = (advisors ?? []).filter((row) => (typed[row.advisorId] ?? '').trim() !== shown(row.quota));
  const invalid = changed.some((row) => problemOf(typed[row.advisorId] ?? '') !== null);

  // One request per advisor changed (PATCH /advisors/:id); the list is read again after, so it shows what was saved.
  const save = () =>
    run(
      async (signal) => {
        for (const row of changed) {
          const value = (typed[row.advisorId] ?? '').trim();
          await api.call('updateAdvisor', {
            params: { id: row.advisorId },
            body: { monthlyQuota: value === '' ? null : Number(value) },
            signal,
          });
        }
        await reload(signal);
        return changed.length;
      },
      { done: (count) => `Saved ${count === 1 ? 'one quota' : `${count} quotas`}.` },
    );

  return (
    <section aria-labelledby="monthly-quotas" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="monthly-quotas">
        Monthly quotas
      </Text>
      <Text size={200}>The activity points each advisor is expected to earn in a month. Blank: no quota.</Text>
      {advisors === null && !error && <Text>Loading…</Text>}
      {advisors && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
          className={styles.root}
        >
          <ul className={styles.list} aria-label="Monthly quotas">
            {advisors.map((row) => {
              const value = typed[row.advisorId] ?? '';
              return (
                <li key={row.advisorId}>
                  <FormField label={`Quota for ${row.displayName}`} error={problemOf(value)}>
                    <TextInput
                      className={styles.quota}
                      inputMode="numeric"
                      value={value}
                      onChange={(e) => setTyped((now) => ({ ...now, [row.advisorId]: e.target.value }))}
                    />
                  </FormField>
                </li>
              );
            })}
          </ul>
          <Button type="submit" appearance="primary" disabled={busy || changed.length === 0 || invalid}>
            Save quotas
          </Button>
        </form>
      )}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
