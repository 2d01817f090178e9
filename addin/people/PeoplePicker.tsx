import { useEffect, useId, useState } from 'react';
import { Button, Field, Text, makeStyles, tokens } from '@fluentui/react-components';
import { TextInput } from '../ui/inputs';
import type { ApiClient } from '../api/client';
import { isAbort } from '../api/errors';

/** An advisor or a team, as the picker offers and shows it. */
export interface PersonOrTeam {
  kind: 'advisor' | 'team';
  id: number;
  label: string;
}

/** The picks as the API's share targets. */
export function toShareTargets(picks: PersonOrTeam[]): { advisorIds: number[]; teamIds: number[] } {
  return {
    advisorIds: picks.filter((p) => p.kind === 'advisor').map((p) => p.id),
    teamIds: picks.filter((p) => p.kind === 'team').map((p) => p.id),
  };
}

const useStyles = makeStyles({
  results: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  row: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  picks: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
  },
  pick: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXXS,
    minHeight: '24px',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    fontSize: tokens.fontSizeBase200,
  },
  remove: { minWidth: 'auto', padding: `0 ${tokens.spacingHorizontalXS}` },
});

export interface PeoplePickerProps {
  api: ApiClient;
  label: string;
  hint?: string;
  /** Also offer teams (for sharing a note). */
  teams?: boolean;
  selected: PersonOrTeam[];
  onChange: (selected: PersonOrTeam[]) => void;
  /** One pick only (Assign to): choosing replaces the current one. */
  single?: boolean;
  /** Picks that cannot be removed (the owner always sees the note). */
  locked?: (pick: PersonOrTeam) => boolean;
}

/** Search advisors (and teams) by name or email; selected ones show as removable tags. */
export function PeoplePicker({
  api,
  label,
  hint,
  teams = false,
  selected,
  onChange,
  single = false,
  locked,
}: PeoplePickerProps) {
  const styles = useStyles();
  const id = useId();
  const [text, setText] = useState('');
  const [results, setResults] = useState<PersonOrTeam[]>([]);

  useEffect(() => {
    const q = text.trim();
    if (!q) {
      setResults([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      Promise.all([
        api.call('searchAdvisors', { query: { q, limit: 8 }, signal: controller.signal }),
        teams
          ? api.call('searchTeams', { query: { q, limit: 5 }, signal: controller.signal })
          : Promise.resolve({ items: [] }),
      ]).then(
        ([advisors, found]) =>
          setResults([
            ...advisors.items.map((a) => ({
              kind: 'advisor' as const,
              id: a.id,
              label: `${a.displayName} (${a.email})`,
            })),
            ...found.items.map((t) => ({ kind: 'team' as const, id: t.id, label: `Team ${t.name}` })),
          ]),
        (error: unknown) => {
          if (!isAbort(error)) setResults([]);
        },
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, text, teams]);

  const same = (a: PersonOrTeam, b: PersonOrTeam) => a.kind === b.kind && a.id === b.id;
  const add = (pick: PersonOrTeam) => {
    onChange(single ? [pick] : selected.some((s) => same(s, pick)) ? selected : [...selected, pick]);
    setText('');
  };

  return (
    <div className={styles.row}>
      <Field label={label} hint={hint}>
        {(field) => (
          <TextInput
            {...field}
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="Type a name or email"
            aria-controls={`${id}-results`}
          />
        )}
      </Field>
      {selected.length > 0 && (
        <ul className={styles.picks} aria-label={`${label}: selected`}>
          {selected.map((pick) => (
            <li key={`${pick.kind}-${pick.id}`} className={styles.pick}>
              {pick.label}
              {!single && !locked?.(pick) && (
                <Button
                  size="small"
                  appearance="transparent"
                  className={styles.remove}
                  aria-label={`Remove ${pick.label}`}
                  onClick={() => onChange(selected.filter((s) => !same(s, pick)))}
                >
                  ×
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ul id={`${id}-results`} className={styles.results} aria-label={`${label}: matches`}>
        {results.map((pick) => (
          <li key={`${pick.kind}-${pick.id}`}>
            <Button size="small" appearance="subtle" onClick={() => add(pick)}>
              {single ? 'Choose' : 'Add'} {pick.label}
            </Button>
          </li>
        ))}
      </ul>
      {text.trim() && results.length === 0 && <Text size={200}>No match yet…</Text>}
    </div>
  );
}
