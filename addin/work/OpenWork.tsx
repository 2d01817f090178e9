import { useCallback, useEffect, useState } from 'react';
import { Button, Spinner, Text } from '@fluentui/react-components';
import type { Me } from '../../shared/schemas/advisors';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { NeedsAttention, NewForMe } from '../../shared/schemas/work';
import type { ApiClient } from '../api/client';
import { PAGE_MAX } from '../../shared/constants';
import { formatDate } from '../ui/labels';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { WorkCard } from './WorkCard';
import { useWorkStyles } from './work-styles';

export interface OpenWorkProps {
  api: ApiClient;
  scope: 'me' | 'team';
  onOpen: (id: number) => void;
  onLog?: (id: number) => void;
  onTask?: (id: number) => void;
  onSeen: (me: Me) => void;
}

/** The daily check: what is new for me, what needs attention, the rest of the open ones; each opportunity once. */
export function OpenWork({ api, scope, onOpen, onLog, onTask, onSeen }: OpenWorkProps) {
  const styles = useWorkStyles();
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
            // A full page, so an opportunity needing attention is shown once, with its flags, not also among the rest.
            api.call('needsAttention', { query: { scope, limit: PAGE_MAX }, signal }),
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

  if (error || !fresh || !attention || !open)
    return (
      // The first section's heading stands while the lists load (or failed), so the report headings below keep their
      // level whichever answer comes first.
      <section aria-labelledby="new-for-me" className={styles.section}>
        <Text as="h2" size={400} weight="semibold" id="new-for-me">
          New for me
        </Text>
        {error ? (
          <Notice intent="error" action={{ label: 'Try again', onClick: retry }}>
            {error.text}
          </Notice>
        ) : (
          <Spinner size="small" label="Loading My Work…" />
        )}
      </section>
    );

  /** The next page of a paged work list, appended to what is shown. */
  const showMoreAttention = () =>
    void more.run(async (signal) => {
      const next = await api.call('needsAttention', {
        query: { scope, limit: PAGE_MAX, offset: attention.nextOffset! },
        signal,
      });
      setAttention((shown) => shown && { ...next, items: [...shown.items, ...next.items] });
    });
  const showMoreFresh = () =>
    void more.run(async (signal) => {
      const next = await api.call('newForMe', { query: { offset: fresh.nextOffset! }, signal });
      setFresh((shown) => shown && { ...next, items: [...shown.items, ...next.items] });
    });
  const markSeen = () =>
    void more.run(async (signal) => {
      onSeen(await api.call('markWorkSeen', { signal }));
      await load();
    });
  const showMore = (onClick: () => void) => (
    <Button size="small" disabled={more.busy} onClick={onClick} style={{ alignSelf: 'flex-start' }}>
      Show more
    </Button>
  );

  const reasonsOf = new Map(attention.items.map((item) => [item.opportunity.id, item.reasons]));
  // Each opportunity once, in the first section it belongs to, with all its flags on its one card.
  const isNew = new Set(fresh.items.map((item) => item.opportunity.id));
  const attentionShown = attention.items.filter((item) => !isNew.has(item.opportunity.id));
  const elsewhere = attention.items.length - attentionShown.length;
  // The rest of the open ones (those not shown above), newest first.
  const rest = open
    .filter((o) => !isNew.has(o.id) && !reasonsOf.has(o.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const card = (o: OpportunitySummary, children?: React.ReactNode) => (
    <WorkCard
      key={o.id}
      opportunity={o}
      isNew={isNew.has(o.id)}
      reasons={reasonsOf.get(o.id)}
      onOpen={onOpen}
      onLog={onLog}
      onTask={onTask}
    >
      {children}
    </WorkCard>
  );

  return (
    <>
      <section aria-labelledby="new-for-me" className={styles.section}>
        <div className={styles.heading}>
          <Text as="h2" size={400} weight="semibold" id="new-for-me">
            New for me ({fresh.items.length}
            {fresh.nextOffset !== null ? '+' : ''})
          </Text>
          {fresh.items.length > 0 && (
            <Button size="small" disabled={more.busy} onClick={markSeen}>
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
      <section aria-labelledby="needs-attention" className={styles.section}>
        <Text as="h2" size={400} weight="semibold" id="needs-attention">
          Needs attention ({attention.total})
        </Text>
        {elsewhere > 0 && <Text size={200}>{elsewhere} of them shown under New for me.</Text>}
        {attention.items.length === 0 ? (
          <Text>Nothing needs attention. Well done.</Text>
        ) : (
          attentionShown.length > 0 && (
            <ul className={styles.list}>{attentionShown.map((item) => card(item.opportunity))}</ul>
          )
        )}
        {attention.nextOffset !== null && showMore(showMoreAttention)}
        <OutcomeNotice outcome={more.outcome} />
      </section>
      <section aria-labelledby="my-open" className={styles.section}>
        <Text as="h2" size={400} weight="semibold" id="my-open">
          {scope === 'team' ? 'Team open opportunities' : 'My Open Opportunities'} ({open.length})
        </Text>
        {open.length === 0 ? (
          <Text>No open opportunities.</Text>
        ) : rest.length === 0 ? (
          <Text>All of them are shown above.</Text>
        ) : (
          <ul className={styles.list}>{rest.map((o) => card(o))}</ul>
        )}
      </section>
    </>
  );
}
