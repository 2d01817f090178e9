import { useEffect, useId, useState } from 'react';
import { ProgressBar, Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { AdvisorPoints, PointsReport } from '../../shared/schemas/activity-points';
import type { ApiClient } from '../api/client';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { barOf, pointsText, pointsValueText } from './points-text';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  row: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  line: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', gap: tokens.spacingHorizontalS },
});

/** A manager's team this month: each advisor's points against their quota. */
export function TeamPoints({ api }: { api: ApiClient }) {
  const styles = useStyles();
  const [report, setReport] = useState<PointsReport | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    const controller = new AbortController();
    void run(async (signal) => setReport(await api.call('pointsReport', { query: { scope: 'team' }, signal })), {
      signal: controller.signal,
    });
    return () => controller.abort();
  }, [api, run]);
  if (error) return <Notice intent="error">{error.text}</Notice>;
  if (!report) return <Spinner size="tiny" label="Loading the team's points…" />;
  return (
    <section aria-labelledby="team-points">
      <Text as="h3" size={300} weight="semibold" id="team-points">
        Team points this month
      </Text>
      <ul className={styles.list} aria-label="Team points this month">
        {report.advisors.map((row) => (
          <TeamRow key={row.advisorId} row={row} />
        ))}
      </ul>
    </section>
  );
}

function TeamRow({ row }: { row: AdvisorPoints }) {
  const styles = useStyles();
  const id = useId();
  return (
    <li className={styles.row}>
      <div className={styles.line}>
        <Text id={id}>{row.displayName}</Text>
        <Text>{pointsText(row)}</Text>
      </div>
      {row.quota !== null && (
        <ProgressBar
          aria-labelledby={id}
          aria-valuetext={pointsValueText(row)}
          {...barOf(row)}
          color={row.points >= row.quota ? 'success' : 'brand'}
        />
      )}
    </li>
  );
}
