import { useEffect, useState } from 'react';
import { Spinner, Text } from '@fluentui/react-components';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { WorkCard } from './WorkCard';
import { useWorkStyles } from './work-styles';

export interface ClosedWorkProps {
  api: ApiClient;
  /** A manager sees the team's closed opportunities (and their own). */
  team: boolean;
  onOpen: (id: number) => void;
}

/** Closed opportunities stay visible (the standard's step E): won or lost, newest change first. */
export function ClosedWork({ api, team, onOpen }: ClosedWorkProps) {
  const styles = useWorkStyles();
  const [closed, setClosed] = useState<OpportunitySummary[] | null>(null);
  const { error, run, retry } = useAction();
  useEffect(() => {
    const controller = new AbortController();
    void run(
      async (signal) =>
        setClosed(
          (await api.call('listOpportunities', { query: { view: team ? 'team-closed' : 'closed', limit: 50 }, signal }))
            .items,
        ),
      { signal: controller.signal },
    );
    return () => controller.abort();
  }, [api, team, run]);

  if (error)
    return (
      <Notice intent="error" action={{ label: 'Try again', onClick: retry }}>
        {error.text}
      </Notice>
    );
  if (!closed) return <Spinner size="small" label="Loading closed opportunities…" />;
  return (
    <section aria-labelledby="closed-opportunities" className={styles.section}>
      <Text as="h2" size={400} weight="semibold" id="closed-opportunities">
        {team ? 'Team closed opportunities' : 'My Closed Opportunities'} ({closed.length})
      </Text>
      {closed.length === 0 ? (
        <Text>No closed opportunities.</Text>
      ) : (
        <ul className={styles.list}>
          {closed.map((o) => (
            <WorkCard key={o.id} opportunity={o} onOpen={onOpen} />
          ))}
        </ul>
      )}
    </section>
  );
}
