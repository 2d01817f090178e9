import { useEffect, useState } from 'react';
import { Button, Spinner, Text } from '@fluentui/react-components';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { Tabs } from '../ui/Tabs';
import { useAction } from '../ui/useAction';
import { WorkCard } from './WorkCard';
import { useWorkStyles } from './work-styles';

const PAGE = 50;

export interface ClosedWorkProps {
  api: ApiClient;
  /** A manager may also see the team's closed opportunities (and their own). */
  manager: boolean;
  onOpen: (id: number) => void;
}

/** Closed opportunities stay visible (the standard's step E): won or lost, newest change first. */
export function ClosedWork({ api, manager, onOpen }: ClosedWorkProps) {
  const styles = useWorkStyles();
  const [whose, setWhose] = useState<'me' | 'team'>(manager ? 'team' : 'me');
  const team = manager && whose === 'team';
  return (
    <div className={styles.root}>
      {manager && (
        <Tabs
          label="Whose closed opportunities"
          selected={whose}
          onSelect={setWhose}
          tabs={[
            { value: 'me', label: 'Mine' },
            { value: 'team', label: 'My team' },
          ]}
        />
      )}
      <ClosedList key={whose} api={api} team={team} onOpen={onOpen} />
    </div>
  );
}

interface ClosedListProps {
  api: ApiClient;
  team: boolean;
  onOpen: (id: number) => void;
}

/** One scope's closed opportunities, a page at a time. */
function ClosedList({ api, team, onOpen }: ClosedListProps) {
  const styles = useWorkStyles();
  const [closed, setClosed] = useState<{ items: OpportunitySummary[]; nextOffset: number | null } | null>(null);
  const { error, run, retry } = useAction();
  const more = useAction();
  const view = team ? 'team-closed' : 'closed';
  useEffect(() => {
    const controller = new AbortController();
    void run(
      async (signal) => setClosed(await api.call('listOpportunities', { query: { view, limit: PAGE }, signal })),
      {
        signal: controller.signal,
      },
    );
    return () => controller.abort();
  }, [api, view, run]);

  if (error)
    return (
      <Notice intent="error" action={{ label: 'Try again', onClick: retry }}>
        {error.text}
      </Notice>
    );
  if (!closed) return <Spinner size="small" label="Loading closed opportunities…" />;
  const showMore = () =>
    void more.run(async (signal) => {
      const next = await api.call('listOpportunities', {
        query: { view, limit: PAGE, offset: closed.nextOffset! },
        signal,
      });
      setClosed((shown) => shown && { items: [...shown.items, ...next.items], nextOffset: next.nextOffset });
    });
  return (
    <section aria-labelledby="closed-opportunities" className={styles.section}>
      <Text as="h2" size={400} weight="semibold" id="closed-opportunities">
        {team ? 'Team closed opportunities' : 'My Closed Opportunities'} ({closed.items.length}
        {closed.nextOffset !== null ? '+' : ''})
      </Text>
      {closed.items.length === 0 ? (
        <Text>No closed opportunities.</Text>
      ) : (
        <ul className={styles.list}>
          {closed.items.map((o) => (
            <WorkCard key={o.id} opportunity={o} onOpen={onOpen} />
          ))}
        </ul>
      )}
      {closed.nextOffset !== null && (
        <Button size="small" disabled={more.busy} onClick={showMore} style={{ alignSelf: 'flex-start' }}>
          Show more
        </Button>
      )}
      <OutcomeNotice outcome={more.outcome} />
    </section>
  );
}
