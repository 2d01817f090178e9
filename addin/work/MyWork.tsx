import { useCallback, useEffect, useState } from 'react';
import { Button, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Tabs } from '../ui/Tabs';
import { Pill } from '../ui/Pill';
import type { Me } from '../../shared/schemas/advisors';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { AttentionReason, NeedsAttention, NewForMe } from '../../shared/schemas/work';
import type { ApiClient } from '../api/client';
import { STAGE_LABELS, customerName, formatDate } from '../ui/labels';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { StageReport } from './StageReport';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  card: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingHorizontalM,
    textAlign: 'left',
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  reasons: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  heading: { display: 'flex', justifyContent: 'space-between', alignItems: 'center' },
});

const REASON_LABELS: Record<AttentionReason['code'], string> = {
  untouched: 'Untouched',
  'no-next-step': 'No next step',
  'past-close-date': 'Past close date',
};

export interface MyWorkProps {
  api: ApiClient;
  me: Me;
  onOpen: (id: number) => void;
  /** Opens the opportunity with the phone call form showing. */
  onLog?: (id: number) => void;
  onSeen: (me: Me) => void;
}

/** The daily check of the referral standard: what is new for me, what needs attention, my open opportunities. */
export function MyWork({ api, me, onOpen, onLog, onSeen }: MyWorkProps) {
  const styles = useStyles();
  const manager = me.role === 'manager';
  const [scope, setScope] = useState<'me' | 'team'>('me');
  const [fresh, setFresh] = useState<NewForMe | null>(null);
  const [attention, setAttention] = useState<NeedsAttention | null>(null);
  const [open, setOpen] = useState<OpportunitySummary[] | null>(null);
  const { error, run, retry } = useAction();
  const more = useAction();

  /** `scoped`: the effect's signal, which aborts when the scope changes; otherwise the view's own. */
  const load = useCallback(
    (scoped?: AbortSignal) =>
      run(
        async (signal) => {
          const [news, needs, mine] = await Promise.all([
            api.call('newForMe', { signal }),
            api.call('needsAttention', { query: { scope }, signal }),
            api.call('listOpportunities', {
              query: { view: scope === 'team' ? 'team-open' : 'my-open', limit: 50 },
              signal,
            }),
          ]);
          setFresh(news);
          setAttention(needs);
          setOpen(mine.items);
        },
        { signal: scoped },
      ),
    [api, scope, run],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  if (error)
    return (
      <Notice intent="error" action={{ label: 'Try again', onClick: retry }}>
        {error.text}
      </Notice>
    );
  if (!fresh || !attention || !open) return <Spinner size="small" label="Loading My Work…" />;

  /** The next page of a paged work list, appended to what is shown. */
  const showMoreAttention = () =>
    void more.run(async (signal) => {
      const next = await api.call('needsAttention', { query: { scope, offset: attention.nextOffset! }, signal });
      setAttention((shown) => shown && { ...next, items: [...shown.items, ...next.items] });
    });
  const showMoreFresh = () =>
    void more.run(async (signal) => {
      const next = await api.call('newForMe', { query: { offset: fresh.nextOffset! }, signal });
      setFresh((shown) => shown && { ...next, items: [...shown.items, ...next.items] });
    });
  const showMore = (onClick: () => void) => (
    <Button size="small" disabled={more.busy} onClick={onClick} style={{ alignSelf: 'flex-start' }}>
      Show more
    </Button>
  );

  const reasonsOf = new Map(attention.items.map((item) => [item.opportunity.id, item.reasons]));
  // Needs attention first (most reasons first), then newest.
  const sorted = [...open].sort(
    (a, b) =>
      (reasonsOf.get(b.id)?.length ?? 0) - (reasonsOf.get(a.id)?.length ?? 0) || b.createdAt.localeCompare(a.createdAt),
  );
  const card = (o: OpportunitySummary, extra?: React.ReactNode) => (
    <li key={o.id}>
      <div className={styles.card} role="group" aria-label={o.topic}>
        <Text weight="semibold">{o.topic}</Text>
        <Text size={200}>
          {customerName(o)} · {STAGE_LABELS[o.stage]} · owner {o.owner.displayName}
          {o.estimatedCloseDate ? ` · closes ${formatDate(o.estimatedCloseDate)}` : ''}
        </Text>
        {reasonsOf.get(o.id) && (
          <span className={styles.reasons}>
            {reasonsOf.get(o.id)!.map((r) => (
              <Pill key={r.code} tone={r.code === 'untouched' ? 'danger' : 'warning'}>
                {REASON_LABELS[r.code]}
              </Pill>
            ))}
          </span>
        )}
        {extra}
        <Button size="small" onClick={() => onOpen(o.id)} style={{ alignSelf: 'flex-start' }}>
          Open “{o.topic}”
        </Button>
        {onLog && (
          <Button size="small" onClick={() => onLog(o.id)} style={{ alignSelf: 'flex-start' }}>
            Log a call on “{o.topic}”
          </Button>
        )}
      </div>
    </li>
  );

  return (
    <div className={styles.root}>
      {manager && (
        <Tabs
          label="Whose work"
          selected={scope}
          onSelect={setScope}
          tabs={[
            { value: 'me', label: 'Mine' },
            { value: 'team', label: 'My team' },
          ]}
        />
      )}
      <section aria-labelledby="new-for-me">
        <div className={styles.heading}>
          <Text as="h2" size={400} weight="semibold" id="new-for-me">
            New for me ({fresh.items.length}
            {fresh.nextOffset !== null ? '+' : ''})
          </Text>
          {fresh.items.length > 0 && (
            <Button
              size="small"
              onClick={() =>
                void api.call('markWorkSeen').then((updated) => {
                  onSeen(updated);
                  void load();
                })
              }
            >
              Mark as seen
            </Button>
          )}
        </div>
        {fresh.items.length === 0 ? (
          <Text>Nothing new assigned to you{fresh.since ? ` since ${formatDate(fresh.since)}` : ''}.</Text>
        ) : (
          <ul className={styles.list}>
            {fresh.items.map(({ opportunity, assignment, notes, moreNotes }) =>
              card(
                opportunity,
                <>
                  <Text size={200}>
                    Assigned by {assignment.by.displayName} on {formatDate(assignment.createdAt)}
                    {assignment.message ? `: “${assignment.message}”` : ''}
                  </Text>
                  {notes.map((note) => (
                    <Text key={note.id} size={200}>
                      Note from {note.author.displayName}: {note.body}
                    </Text>
                  ))}
                  {moreNotes && <Text size={200}>Older notes are on the opportunity.</Text>}
                </>,
              ),
            )}
          </ul>
        )}
        {fresh.nextOffset !== null && showMore(showMoreFresh)}
      </section>
      <section aria-labelledby="needs-attention">
        <Text as="h2" size={400} weight="semibold" id="needs-attention">
          Needs attention ({attention.total})
        </Text>
        {attention.items.length === 0 ? (
          <Text>Nothing needs attention. Well done.</Text>
        ) : (
          <ul className={styles.list}>{attention.items.map((item) => card(item.opportunity))}</ul>
        )}
        {attention.nextOffset !== null && showMore(showMoreAttention)}
        <OutcomeNotice outcome={more.outcome} />
      </section>
      <section aria-labelledby="my-open">
        <Text as="h2" size={400} weight="semibold" id="my-open">
          {scope === 'team' ? 'Team open opportunities' : 'My Open Opportunities'} ({open.length})
        </Text>
        {open.length === 0 ? (
          <Text>No open opportunities.</Text>
        ) : (
          <ul className={styles.list}>{sorted.map((o) => card(o))}</ul>
        )}
      </section>
      <StageReport api={api} scope={scope} />
    </div>
  );
}
