import { useEffect, useState } from 'react';
import { Spinner, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { StageReport as Report } from '../../shared/schemas/work';
import type { ApiClient } from '../api/client';
import { STAGE_LABELS, formatMoney } from '../ui/labels';
import { reportFailure } from '../reports/failure';
import { Notice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

const useStyles = makeStyles({
  table: {
    borderCollapse: 'collapse',
    width: '100%',
    '& th, & td': {
      textAlign: 'left',
      padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalXS}`,
      borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    },
  },
  number: { textAlign: 'right' },
});

/** Counts and value by stage, and where open opportunities wait longest. */
export function StageReport({ api, scope }: { api: ApiClient; scope: 'me' | 'team' }) {
  const styles = useStyles();
  const [report, setReport] = useState<Report | null>(null);
  const { error, run, retry } = useAction();
  useEffect(() => {
    const controller = new AbortController();
    void run(async (signal) => setReport(await api.call('stageReport', { query: { scope }, signal })), {
      signal: controller.signal,
      failure: reportFailure,
    });
    return () => controller.abort();
  }, [api, scope, run]);
  if (error)
    return (
      <Notice intent="error" action={{ label: 'Try again', onClick: retry }}>
        {error.text}
      </Notice>
    );
  if (!report) return <Spinner size="tiny" label="Loading the stage report…" />;
  const open = report.rows.filter((r) => r.status === 'open');
  const longest = [...report.daysInStage]
    .filter((d) => d.medianDays !== null)
    .sort((a, b) => (b.medianDays ?? 0) - (a.medianDays ?? 0))[0];
  return (
    <section aria-labelledby="report-title">
      <Text as="h3" size={300} weight="semibold" id="report-title">
        Stage report ({scope === 'me' ? 'mine' : 'team'})
      </Text>
      <table className={styles.table}>
        <caption style={{ textAlign: 'left' }}>
          <Text size={200}>Open opportunities by stage; won and lost totals below.</Text>
        </caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col" className={styles.number}>
              Open
            </th>
            <th scope="col" className={styles.number}>
              Value
            </th>
            <th scope="col" className={styles.number}>
              Median days
            </th>
          </tr>
        </thead>
        <tbody>
          {report.daysInStage.map((d) => {
            const row = open.find((r) => r.stage === d.stage);
            return (
              <tr key={d.stage}>
                <th scope="row">{STAGE_LABELS[d.stage]}</th>
                <td className={styles.number}>{row?.count ?? 0}</td>
                <td className={styles.number}>{formatMoney(row?.estimatedValue ?? 0)}</td>
                <td className={styles.number}>{d.medianDays ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Text as="p" size={200}>
        Won: {report.rows.filter((r) => r.status === 'won').reduce((n, r) => n + r.count, 0)} (
        {formatMoney(report.rows.filter((r) => r.status === 'won').reduce((n, r) => n + r.actualValue, 0))}) · Lost:{' '}
        {report.rows.filter((r) => r.status === 'lost').reduce((n, r) => n + r.count, 0)}
        {longest ? ` · Waiting longest in ${STAGE_LABELS[longest.stage]} (median ${longest.medianDays} days)` : ''}
      </Text>
    </section>
  );
}
