import { useEffect, useId, useMemo, useState } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { Text } from '../ui/Text';
import { Busy } from '../ui/Busy';
import { FormField } from '../ui/FormField';
import { Tabs } from '../ui/Tabs';
import { OutcomePill } from '../ui/Pill';
import { TextInput } from '../ui/inputs';
import type { OpportunityChoice, OpportunitySummary } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import { STAGE_LABELS, customerName } from '../ui/labels';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { knownSuggestions, SUGGESTION_LIMIT, suggestionsFor } from './people-queries';

export type LookupView = 'suggested' | 'my-open' | 'recent' | 'all-open' | 'closed';

const VIEW_LABELS: Record<LookupView, string> = {
  suggested: 'Suggested',
  'my-open': 'My Open Opportunities',
  recent: 'Recent',
  'all-open': 'All Open',
  closed: 'Closed',
};

/** What the lookup offers to link: with its status, so linking to a closed one can ask first. */
export interface PickedOpportunity {
  id: number;
  topic: string;
  status: OpportunityChoice['status'];
}

/** While typing, the best ten matches (the pane shows about six at once; typing more narrows them), fetched per pause. */
const TYPE_AHEAD_LIMIT = 10;
/** Browsing a view without search text shows more. */
const VIEW_LIMIT = 20;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  empty: { marginTop: tokens.spacingVerticalS, marginBottom: tokens.spacingVerticalS },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: '2px',
    maxHeight: '50vh',
    overflowY: 'auto',
  },
  option: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    cursor: 'pointer',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  active: { outline: `2px solid ${tokens.colorStrokeFocus2}`, backgroundColor: tokens.colorNeutralBackground1Selected },
  topic: { display: 'block', fontWeight: tokens.fontWeightSemibold },
  meta: { display: 'block', color: tokens.colorNeutralForeground2 },
});

/** A suggestion (a whole summary) as a line of the lookup. */
const toChoice = (o: OpportunitySummary): OpportunityChoice => ({
  id: o.id,
  topic: o.topic,
  status: o.status,
  stage: o.stage,
  customerName: customerName(o),
  ownerName: o.owner.displayName,
});

export interface OpportunityLookupProps {
  api: ApiClient;
  /** The item's people (besides me), for the Suggested view. */
  people: string[];
  /** The suggestions for the first of them, when the pane context brought them: not asked again. */
  suggested?: OpportunitySummary[];
  onPick: (opportunity: PickedOpportunity) => void;
  /** Offered first (the opportunity whose next step this appointment is). */
  preferred?: { id: number; topic: string } | null;
  onCancel?: () => void;
  /** Hide one opportunity (the current regarding, when changing it). */
  exclude?: number;
  busy?: boolean;
  label?: string;
  /** A manager's Closed tab lists the team's closed opportunities, not only their own. */
  manager?: boolean;
}

/** Look for: Opportunity. Views, search as you type, keyboard only works (arrows, Enter, Esc). */
export function OpportunityLookup({
  api,
  people,
  suggested,
  onPick,
  onCancel,
  exclude,
  busy,
  preferred,
  label = 'Look for: Opportunity',
  manager = false,
}: OpportunityLookupProps) {
  const styles = useStyles();
  const id = useId();
  const [view, setView] = useState<LookupView>(people.length ? 'suggested' : 'my-open');
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  // The pane context's suggestions, when they cover all the item's people: shown in the first render, asked of no one.
  const known = useMemo(
    () => knownSuggestions(people, SUGGESTION_LIMIT, suggested)?.map(toChoice) ?? null,
    [people, suggested],
  );
  const [results, setResults] = useState<OpportunityChoice[] | null>(view === 'suggested' ? known : null);
  const { error, run } = useAction();
  const [active, setActive] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    const controller = new AbortController();
    const suggesting = view === 'suggested' && !query;
    setResults(suggesting ? known : null);
    void run(
      async (signal) => {
        const closedView = manager ? 'team-closed' : 'closed';
        const list = suggesting
          ? (known ??
            (people.length
              ? (await suggestionsFor(api, people, SUGGESTION_LIMIT, signal, suggested)).map(toChoice)
              : []))
          : (
              await api.call('lookupOpportunities', {
                // Search text looks in every open opportunity (closed ones only on the Closed tab), whatever the tab.
                query: {
                  view: view === 'closed' ? closedView : query || view === 'suggested' ? 'all-open' : view,
                  q: query || undefined,
                  limit: query ? TYPE_AHEAD_LIMIT : VIEW_LIMIT,
                },
                signal,
              })
            ).items;
        setResults(list);
        setActive(0);
      },
      { signal: controller.signal },
    );
    return () => controller.abort();
  }, [api, view, query, people, suggested, known, run, manager]);

  type Choice = PickedOpportunity & { meta: string };
  const shown = useMemo<Choice[]>(() => {
    const list = (results ?? [])
      .filter((o) => o.id !== exclude && o.id !== preferred?.id)
      .map((o) => ({
        id: o.id,
        topic: o.topic,
        status: o.status,
        meta: `${o.customerName} · ${o.ownerName}${o.status === 'open' ? ` · ${STAGE_LABELS[o.stage]}` : ''}`,
      }));
    const first =
      preferred && preferred.id !== exclude && !query && view !== 'closed'
        ? [{ ...preferred, status: 'open' as const, meta: 'The next step you scheduled' }]
        : [];
    return [...first, ...list];
  }, [results, exclude, preferred, query, view]);
  const optionId = (index: number) => `${id}-option-${index}`;

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => Math.min(i + 1, shown.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const pick = shown[active];
      if (pick && !busy) onPick({ id: pick.id, topic: pick.topic, status: pick.status });
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (text) setText('');
      else onCancel?.();
    }
  };

  return (
    <section className={styles.root} aria-label={label}>
      <Text as="h3" weight="semibold" size={300}>
        {label}
      </Text>
      <Tabs
        label="Views"
        selected={view}
        onSelect={setView}
        tabs={(Object.keys(VIEW_LABELS) as LookupView[]).map((key) => ({ value: key, label: VIEW_LABELS[key] }))}
      />
      <FormField
        label="Search opportunities"
        hint="Topic, customer name or email. Arrow keys to choose, Enter to link, Esc to clear."
      >
        <TextInput
          role="combobox"
          aria-expanded={true}
          aria-controls={`${id}-list`}
          aria-autocomplete="list"
          aria-activedescendant={shown[active] ? optionId(active) : undefined}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          autoFocus
          disabled={busy}
        />
      </FormField>
      {error && <Notice intent="error">{error.text}</Notice>}
      {results === null && !error && <Busy label="Searching…" />}
      {query && (
        <Text size={200} role="status">
          {view === 'closed' ? 'Searching closed opportunities' : 'Searching all open opportunities'}
        </Text>
      )}
      {results !== null && shown.length === 0 && (
        <Text role="status" className={styles.empty}>
          {query
            ? `No ${view === 'closed' ? 'closed' : 'open'} opportunity matches “${query}”.`
            : `Nothing in ${VIEW_LABELS[view]}.`}
        </Text>
      )}
      <ul id={`${id}-list`} role="listbox" aria-label="Opportunities" className={styles.list}>
        {shown.map((opportunity, index) => (
          <li
            key={opportunity.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            className={mergeClasses(styles.option, index === active && styles.active)}
            onMouseEnter={() => setActive(index)}
            onClick={() =>
              !busy && onPick({ id: opportunity.id, topic: opportunity.topic, status: opportunity.status })
            }
          >
            <span className={styles.topic}>{opportunity.topic}</span>
            <span className={styles.meta}>
              {opportunity.status !== 'open' && <OutcomePill status={opportunity.status} />} {opportunity.meta}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
