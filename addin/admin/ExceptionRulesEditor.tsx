import { useCallback, useEffect, useState } from 'react';
import { Button, Checkbox, Text, makeStyles, tokens } from '@fluentui/react-components';
import { EXCEPTION_RULE_DAYS_MAX } from '../../shared/constants';
import type { ExceptionRules } from '../../shared/schemas/exception-rules';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { OutcomeNotice } from '../ui/Notice';
import { errorText, useAction } from '../ui/useAction';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  rule: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXS,
    border: 'none',
    margin: 0,
    padding: 0,
  },
  days: { maxWidth: '12rem' },
});

type Threshold = 'untouched' | 'noActivity';
/** The form keeps what is typed; the service checks it (400 names the field). */
type Draft = Omit<ExceptionRules, Threshold> & Record<Threshold, { on: boolean; businessDays: string }>;

const THRESHOLDS: { key: Threshold; label: string; explains: string }[] = [
  {
    key: 'untouched',
    label: 'Untouched',
    explains: 'No activity linked and no note by the owner within this many business days of assignment.',
  },
  {
    key: 'noActivity',
    label: 'No activity',
    explains: 'No activity linked at all within this many business days of creation.',
  },
];

const toDraft = (rules: ExceptionRules): Draft => ({
  ...rules,
  untouched: { on: rules.untouched.on, businessDays: String(rules.untouched.businessDays) },
  noActivity: { on: rules.noActivity.on, businessDays: String(rules.noActivity.businessDays) },
});

/** The admin's exception rules: when an open opportunity is flagged in Needs attention (and the alerts). */
export function ExceptionRulesEditor({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const { run, busy, error, outcome } = useAction();
  const load = useCallback(
    () => run((signal) => api.call('getExceptionRules', { signal }).then((rules) => setDraft(toDraft(rules)))),
    [run, api],
  );
  useEffect(() => void load(), [load]);

  const save = (current: Draft) =>
    void run(
      async (signal) => {
        setFieldErrors({});
        const body: ExceptionRules = {
          ...current,
          untouched: { on: current.untouched.on, businessDays: Number(current.untouched.businessDays) },
          noActivity: { on: current.noActivity.on, businessDays: Number(current.noActivity.businessDays) },
        };
        try {
          setDraft(toDraft(await api.call('setExceptionRules', { body, signal })));
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 400) {
            setFieldErrors(Object.fromEntries((failure.problem?.errors ?? []).map((e) => [e.path, e.message])));
          }
          throw failure;
        }
      },
      {
        done: () => 'Exception rules saved.',
        failure: (e) => (e instanceof ApiError && e.status === 400 ? null : errorText(e)),
      },
    );

  return (
    <section aria-labelledby="exception-rules" className={styles.root}>
      <Text as="h2" size={400} weight="semibold" id="exception-rules">
        Exception rules
      </Text>
      <Text size={200}>
        When an open opportunity needs attention. Business days are Monday to Friday less the holidays, in each
        owner&apos;s own time zone.
      </Text>
      {draft === null && !error && <Text>Loading…</Text>}
      {draft && (
        <form
          aria-label="Exception rules"
          className={styles.root}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            save(draft);
          }}
        >
          {THRESHOLDS.map(({ key, label, explains }) => (
            <fieldset key={key} className={styles.rule}>
              <Checkbox
                label={`${label} rule on`}
                checked={draft[key].on}
                onChange={(_, data) => setDraft({ ...draft, [key]: { ...draft[key], on: data.checked === true } })}
              />
              <div className={styles.days}>
                <FormField
                  label={`${label}: business days`}
                  hint={explains}
                  error={fieldErrors[`body.${key}.businessDays`] ?? null}
                >
                  <TextInput
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={EXCEPTION_RULE_DAYS_MAX}
                    value={draft[key].businessDays}
                    disabled={!draft[key].on}
                    onChange={(e) => setDraft({ ...draft, [key]: { ...draft[key], businessDays: e.target.value } })}
                  />
                </FormField>
              </div>
            </fieldset>
          ))}
          <Checkbox
            label="No next step rule on (no open appointment, call or task ahead)"
            checked={draft.noNextStep.on}
            onChange={(_, data) => setDraft({ ...draft, noNextStep: { on: data.checked === true } })}
          />
          <Checkbox
            label="Past close date rule on (its estimated close date has passed)"
            checked={draft.pastCloseDate.on}
            onChange={(_, data) => setDraft({ ...draft, pastCloseDate: { on: data.checked === true } })}
          />
          <Button type="submit" appearance="primary" disabled={busy} style={{ alignSelf: 'flex-start' }}>
            Save exception rules
          </Button>
        </form>
      )}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}
