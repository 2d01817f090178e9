import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Combobox, Option, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { AdvisorPoints } from '../../shared/schemas/activity-points';
import type { ApiClient } from '../api/client';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { zoneList, zonesMatching } from '../ui/time-zones';
import { useAction } from '../ui/useAction';

const QUOTA_MAX = 1_000_000;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    gap: tokens.spacingVerticalM,
  },
  advisor: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    margin: 0,
    padding: 0,
    border: 'none',
    minWidth: 0,
  },
  zone: { minWidth: 0, maxWidth: '100%' },
  quota: { maxWidth: '110px' },
});

interface Typed {
  zone: string;
  quota: string;
}

/** Blank is no quota; otherwise a whole number in range, or the sentence that says why not. */
function problemOf(value: string): string | null {
  if (value.trim() === '') return null;
  if (!/^\d+$/.test(value.trim())) return 'Give a whole number of points, or leave it blank for no quota';
  if (Number(value) > QUOTA_MAX) return `At most ${QUOTA_MAX.toLocaleString('en')} points`;
  return null;
}

const shown = (quota: number | null) => (quota === null ? '' : String(quota));
const typedOf = (row: AdvisorPoints): Typed => ({ zone: row.timeZone, quota: shown(row.quota) });

/** One advisor's zone: typing narrows the list; only a zone from it can be saved. */
function ZoneField({
  label,
  zones,
  value,
  onChange,
}: {
  label: string;
  zones: string[];
  value: string;
  onChange: (zone: string) => void;
}) {
  const styles = useStyles();
  const known = zones.includes(value.trim());
  // The saved zone alone would narrow the list to itself: the whole list is offered until the admin types.
  const options = useMemo(() => zonesMatching(zones, known ? '' : value), [zones, known, value]);
  return (
    <FormField label={label} error={known ? null : 'Choose a time zone from the list, e.g. Europe/Paris'}>
      <Combobox
        className={styles.zone}
        freeform
        placeholder="Type a city, e.g. Paris"
        value={value}
        onChange={(event) => onChange(event.target.value)}
        onOptionSelect={(_, data) => data.optionValue && onChange(data.optionValue)}
      >
        {options.map((zone) => (
          <Option key={zone} value={zone}>
            {zone}
          </Option>
        ))}
      </Combobox>
    </FormField>
  );
}

/** The admin's view of each active advisor: their time zone and monthly points quota (blank: none). */
export function MonthlyQuotasEditor({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [advisors, setAdvisors] = useState<AdvisorPoints[] | null>(null);
  const [typed, setTyped] = useState<Record<number, Typed>>({});
  const { run, busy, error, outcome } = useAction();
  const reload = useCallback(
    async (signal?: AbortSignal) => {
      const report = await api.call('pointsReport', { query: { scope: 'all' }, signal });
      setAdvisors(report.advisors);
      setTyped(Object.fromEntries(report.advisors.map((row) => [row.advisorId, typedOf(row)])));
    },
    [api],
  );
  useEffect(() => void run(reload), [run, reload]);
  const zones = useMemo(() => zoneList(...(advisors ?? []).map((row) => row.timeZone)), [advisors]);

  const edits = (advisors ?? []).flatMap((row) => {
    const now = typed[row.advisorId] ?? typedOf(row);
    const zone = now.zone.trim() !== row.timeZone ? now.zone.trim() : undefined;
    const quota = now.quota.trim() !== shown(row.quota) ? now.quota.trim() : undefined;
    return zone === undefined && quota === undefined ? [] : [{ id: row.advisorId, zone, quota }];
  });
  const invalid = edits.some(
    (edit) =>
      (edit.zone !== undefined && !zones.includes(edit.zone)) || (edit.quota !== undefined && problemOf(edit.quota)),
  );
  const edit = (id: number, change: Partial<Typed>) =>
    setTyped((now) => ({ ...now, [id]: { ...(now[id] ?? { zone: '', quota: '' }), ...change } }));

  // One request per advisor changed (PATCH /advisors/:id); the list is read again after, so it shows what was saved.
  const save = () =>
    run(
      async (signal) => {
        for (const { id, zone, quota } of edits) {
          await api.call('updateAdvisor', {
            params: { id },
            body: {
              ...(zone !== undefined && { timeZone: zone }),
              ...(quota !== undefined && { monthlyQuota: quota === '' ? null : Number(quota) }),
            },
            signal,
          });
        }
        await reload(signal);
        return edits.length;
      },
      { done: (count) => `Saved ${count === 1 ? 'one advisor' : `${count} advisors`}.` },
    );

  return (
    <section aria-labelledby="monthly-quotas" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="monthly-quotas">
        Advisors: time zone and monthly quota
      </Text>
      <Text size={200}>
        Each advisor's business days and dates are counted in their time zone. The quota is the activity points they are
        expected to earn in a month; blank: no quota.
      </Text>
      {advisors === null && !error && <Text>Loading…</Text>}
      {advisors && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
          className={styles.root}
        >
          <ul className={styles.list} aria-label="Advisors">
            {advisors.map((row) => {
              const now = typed[row.advisorId] ?? typedOf(row);
              return (
                <li key={row.advisorId}>
                  <fieldset className={styles.advisor}>
                    <legend>
                      <Text weight="semibold">{row.displayName}</Text>
                    </legend>
                    <ZoneField
                      label={`Time zone for ${row.displayName}`}
                      zones={zones}
                      value={now.zone}
                      onChange={(zone) => edit(row.advisorId, { zone })}
                    />
                    <FormField label={`Quota for ${row.displayName}`} error={problemOf(now.quota)}>
                      <TextInput
                        className={styles.quota}
                        inputMode="numeric"
                        value={now.quota}
                        onChange={(e) => edit(row.advisorId, { quota: e.target.value })}
                      />
                    </FormField>
                  </fieldset>
                </li>
              );
            })}
          </ul>
          <Button type="submit" appearance="primary" disabled={busy || edits.length === 0 || invalid}>
            Save advisors
          </Button>
        </form>
      )}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
