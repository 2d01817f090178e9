import { useEffect, useId, useState } from 'react';
import { ProgressBar, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { AdvisorPoints } from '../../shared/schemas/activity-points';
import type { ApiClient } from '../api/client';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { barOf, pointsValueText } from './points-text';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

/** My activity points this month (in my own time zone) against my quota. */
export function PointsProgress({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const id = useId();
  const [mine, setMine] = useState<AdvisorPoints | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    const controller = new AbortController();
    void run(
      async (signal) =>
        setMine((await api.call('pointsReport', { query: { scope: 'me' }, signal })).advisors[0] ?? null),
      { signal: controller.signal },
    );
    return () => controller.abort();
  }, [api, run]);
  if (error) return <Notice intent="error">{error.text}</Notice>;
  if (!mine) return <Spinner size="tiny" label="Loading your points…" />;
  return (
    <section aria-label="My activity points" className={styles.root}>
      {mine.quota === null ? (
        <Text>{mine.points} points this month, no quota set</Text>
      ) : (
        <>
          <Text id={id}>
            Points this month: {mine.points} / {mine.quota}
          </Text>
          <ProgressBar
            aria-labelledby={id}
            aria-valuetext={pointsValueText(mine)}
            {...barOf(mine)}
            thickness="large"
            color={mine.points >= mine.quota ? 'success' : 'brand'}
          />
        </>
      )}
    </section>
  );
}
