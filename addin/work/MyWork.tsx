import { useCallback, useEffect, useState } from 'react';
import { Button, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import { Tabs } from '../ui/Tabs';
import { OutcomePill, Pill } from '../ui/Pill';
import type { Me, MyWorkScope } from '../../shared/schemas/advisors';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { AttentionReason, NeedsAttention, NewForMe } from '../../shared/schemas/work';
import type { ApiClient } from '../api/client';
import { customerName, formatDate, formatMoney, stageOrOutcome } from '../ui/labels';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { StageReport } from './StageReport';
import { ActivityLabelsEditor } from '../admin/ActivityLabelsEditor';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
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
  /** Opens New opportunity (with or without an item). */
  onNew?: () => void;
}

/** The daily check of the referral standard: what is new for me, what needs attention, my open opportunities; or the closed ones. */
export function MyWork({ api, me, onOpen, onLog, onSeen, onNew }: MyWorkProps) {
  const styles = useStyles();
  const manager = me.role === 'manager';
  // Remembered on the service, so it follows the advisor across clients (GET /me).
  const [scope, setScope] = useState<MyWorkScope>(me.workScope);
  const openScope = scope === 'closed' ? 'me' : scope;
  const [fresh, setFresh] = useState<NewForMe | null>(null);
  const [attention, setAttention] = useState<NeedsAttention | null>(null);
  const [open, setOpen] = useState<OpportunitySummary[] | null>(null);
  const [closed, setClosed] = useState<OpportunitySummary[] | null>(null);
  const { error, run, retry } = useAction();
  const more = useAction();
  const remember = useAction();

  const choose = (next: MyWorkScope) => {
    setScope(next);
    void remember.run(async (signal) =>
      onSeen(await api.call('updatePreferences', { body: { workScope: next }, signal })),
    );
  };

  /** `scoped`: the effect's signal, which aborts when the scope changes; otherwise the view's own. */
  const load = useCallback(
    (scoped?: AbortSignal) =>
      run(
        async (signal) => {
          if (scope === 'closed') {
            const list = await api.call('listOpportunities', {
              query: { view: manager ? 'team-closed' : 'closed', limit: 50 },
              signal,
            });
            setClosed(list.items);
            return;
          }
          const [news, needs, mine] = await Promise.all([
            api.call('newForMe', { signal }),
            api.call('needsAttention', { query: { scope: openScope }, signal }),
            api.call('listOpportunities', {
              query: { view: openScope === 'team' ? 'team-open' : 'my-open', limit: 50 },
              signal,
            }),
          ]);
          setFresh(news);
          setAttention(needs);
          setOpen(mine.items);
        },
        { signal: scoped },
      ),
    [api, scope, openScope, manager, run],
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
  const tabs = (
    <>
      <Tabs
        label="Whose work"
        selected={scope}
        onSelect={choose}
        tabs={[
          { value: 'me', label: 'Mine' },
          ...(manager ? [{ value: 'team' as const, label: 'My team' }] : []),
          { value: 'closed', label: 'Closed' },
        ]}
      />
      <OutcomeNotice outcome={remember.outcome} />
    </>
  );
  if (scope === 'closed') {
    if (!closed) return <Spinner size="small" label="Loading closed opportunities…" />;
    return (
      <div className={styles.root}>
        {tabs}
        <section aria-labelledby="closed-opportunities" className={styles.section}>
          <Text as="h2" size={400} weight="semibold" id="closed-opportunities">
            {manager ? 'Team closed opportunities' : 'My Closed Opportunities'} ({closed.length})
          </Text>
          {closed.length === 0 ? (
            <Text>No closed opportunities.</Text>
          ) : (
            <ul className={styles.list}>
              {closed.map((o) => (
                <li key={o.id}>
                  <div className={styles.card} role="group" aria-label={o.topic}>
                    <Text weight="semibold">{o.topic}</Text>
                    <Text size={200}>
                      {customerName(o)} · owner {o.owner.displayName}
                      {o.estimatedValue !== null ? ` · estimated ${formatMoney(o.estimatedValue)}` : ''}
                    </Text>
                    <span className={styles.reasons}>{o.status !== 'open' && <OutcomePill status={o.status} />}</span>
                    <Button size="small" onClick={() => onOpen(o.id)} style={{ alignSelf: 'flex-start' }}>
                      Open “{o.topic}”
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    );
  }
  if (!fresh || !attention || !open) return <Spinner size="small" label="Loading My Work…" />;

  /** The next page of a paged work list, appended to what is shown. */
  const showMoreAttention = () =>
    void more.run(async (signal) => {
      const next = await api.call('needsAttention', {
        query: { scope: openScope, offset: attention.nextOffset! },
        signal,
      });
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
  // Each opportunity once, in the first section it belongs to, with all its flags on its one card.
  const isNew = new Set(fresh.items.map((item) => item.opportunity.id));
  const attentionShown = attention.items.filter((item) => !isNew.has(item.opportunity.id));
  const elsewhere = attention.items.length - attentionShown.length;
  // The rest of the open ones (those not shown above), newest first.
  const sorted = open
    .filter((o) => !isNew.has(o.id) && !reasonsOf.has(o.id))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const card = (o: OpportunitySummary, extra?: React.ReactNode) => (
    <li key={o.id}>
      <div className={styles.card} role="group" aria-label={o.topic}>
        <Text weight="semibold">{o.topic}</Text>
        <Text size={200}>
          {customerName(o)} · {stageOrOutcome(o)} · owner {o.owner.displayName}
          {o.estimatedCloseDate ? ` · closes ${formatDate(o.estimatedCloseDate)}` : ''}
          {o.referredBy ? ` · referred by ${o.referredBy.name}` : ''}
        </Text>
        {(isNew.has(o.id) || reasonsOf.has(o.id)) && (
          <span className={styles.reasons}>
            {isNew.has(o.id) && <Pill tone="brand">New for me</Pill>}
            {(reasonsOf.get(o.id) ?? []).map((r) => (
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
      {onNew && (
        <Button appearance="primary" onClick={onNew} style={{ alignSelf: 'flex-start' }}>
          New opportunity
        </Button>
      )}
      {tabs}
      <section aria-labelledby="new-for-me" className={styles.section}>
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
          {openScope === 'team' ? 'Team open opportunities' : 'My Open Opportunities'} ({open.length})
        </Text>
        {open.length === 0 ? (
          <Text>No open opportunities.</Text>
        ) : sorted.length === 0 ? (
          <Text>All of them are shown above.</Text>
        ) : (
          <ul className={styles.list}>{sorted.map((o) => card(o))}</ul>
        )}
      </section>
      <StageReport api={api} scope={openScope} />
      {me.role === 'admin' && <ActivityLabelsEditor api={api} />}
    </div>
  );
}
