import { useCallback, useEffect, useState } from 'react';
import { Button, Text } from '@fluentui/react-components';
import type { Holiday } from '../../shared/schemas/exception-rules';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { formatDate } from '../ui/labels';
import { OutcomeNotice } from '../ui/Notice';
import { useListEditorStyles } from './list-editor-styles';
import { errorText, useAction } from '../ui/useAction';

/** The firm's holidays (no business days, on that date in each advisor's own zone): add and remove. */
export function HolidaysEditor({ api }: { api: ApiClient }) {
  const styles = useListEditorStyles();
  const [holidays, setHolidays] = useState<Holiday[] | null>(null);
  const [date, setDate] = useState('');
  const [name, setName] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const { run, busy, error, outcome } = useAction();
  const load = useCallback(() => run((signal) => api.call('listHolidays', { signal }).then(setHolidays)), [run, api]);
  useEffect(() => void load(), [load]);

  /** The change, then the list as the service now has it; a field's error next to the field. */
  const change = (work: () => Promise<unknown>, done: string) =>
    void run(
      async () => {
        setFieldErrors({});
        try {
          await work();
        } catch (failure) {
          if (failure instanceof ApiError && (failure.status === 400 || failure.status === 409)) {
            setFieldErrors(Object.fromEntries((failure.problem?.errors ?? []).map((e) => [e.path, e.message])));
          }
          throw failure;
        }
        setHolidays(await api.call('listHolidays'));
      },
      {
        done: () => done,
        failure: (e) => (e instanceof ApiError && (e.status === 400 || e.status === 409) ? null : errorText(e)),
      },
    );

  return (
    <section aria-labelledby="holidays" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="holidays">
        Holidays
      </Text>
      <Text size={200}>No business day for anyone: the date counts in each advisor&apos;s own time zone.</Text>
      {holidays === null && !error && <Text>Loading…</Text>}
      {holidays && holidays.length === 0 && <Text>No holidays yet.</Text>}
      {holidays && holidays.length > 0 && (
        <ul className={styles.list} aria-label="Holidays">
          {holidays.map((holiday) => (
            <li key={holiday.date} className={styles.row}>
              <Text>
                {formatDate(holiday.date)}: {holiday.name}
              </Text>
              <Button
                size="small"
                disabled={busy}
                onClick={() =>
                  change(
                    () => api.call('removeHoliday', { params: { date: holiday.date } }),
                    `Removed “${holiday.name}”.`,
                  )
                }
              >
                Remove {holiday.name}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form
        aria-label="Add a holiday"
        className={styles.add}
        onSubmit={(e) => {
          e.preventDefault();
          change(async () => {
            await api.call('addHoliday', { body: { date, name } });
            setDate('');
            setName('');
          }, `Added “${name.trim()}”.`);
        }}
      >
        <FormField label="Holiday date" error={fieldErrors['body.date'] ?? null}>
          <TextInput type="date" value={date} onChange={(e) => setDate(e.target.value)} />
        </FormField>
        <FormField label="Holiday name" error={fieldErrors['body.name'] ?? null}>
          <TextInput value={name} onChange={(e) => setName(e.target.value)} />
        </FormField>
        <Button type="submit" disabled={busy || !date || !name.trim()}>
          Add holiday
        </Button>
      </form>
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
