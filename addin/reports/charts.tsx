import { Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Funnel } from '../../shared/schemas/reports';
import { STAGE_LABELS } from '../ui/labels';
import { BarChart } from './BarChart';

const useStyles = makeStyles({
  figure: { position: 'relative', margin: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  // In the accessibility tree, out of sight: the chart above shows the same numbers.
  hidden: {
    position: 'absolute',
    top: 0,
    left: 0,
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
});

const percent = (ratio: number | null) => (ratio === null ? '—' : `${Math.round(ratio * 1000) / 10}%`);
const days = (value: number | null) => (value === null ? '—' : `${value} d`);

/** How many reached each stage and how many of them went on; won and lost where they were closed. */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const styles = useStyles();
  return (
    <figure className={styles.figure} aria-labelledby="funnel-title">
      <Text as="h3" size={300} weight="semibold" id="funnel-title">
        Funnel
      </Text>
      <BarChart
        id="funnel"
        bars={funnel.stages.map((row) => ({
          key: row.stage,
          value: row.reached,
          text: [
            `${STAGE_LABELS[row.stage]}: ${row.reached} reached`,
            row.conversion !== null ? `${percent(row.conversion)} on` : null,
            row.won ? `${row.won} won` : null,
            row.lost ? `${row.lost} lost` : null,
          ]
            .filter(Boolean)
            .join(' · '),
        }))}
      />
      <div className={styles.hidden}>
        <table>
          <caption>Funnel by stage</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Reached</th>
              <th scope="col">Skipped</th>
              <th scope="col">Went on</th>
              <th scope="col">Conversion</th>
              <th scope="col">Won</th>
              <th scope="col">Lost</th>
            </tr>
          </thead>
          <tbody>
            {funnel.stages.map((row) => (
              <tr key={row.stage}>
                <th scope="row">{STAGE_LABELS[row.stage]}</th>
                <td>{row.reached}</td>
                <td>{row.skipped}</td>
                <td>{row.converted ?? '—'}</td>
                <td>{percent(row.conversion)}</td>
                <td>{row.won}</td>
                <td>{row.lost}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Days in each stage: the median bar, the 90th percentile behind it. */
export function TimeInStageChart({ funnel }: { funnel: Funnel }) {
  const styles = useStyles();
  return (
    <figure className={styles.figure} aria-labelledby="time-title">
      <Text as="h3" size={300} weight="semibold" id="time-title">
        Time in stage
      </Text>
      <Text size={200}>Days: median (solid bar), 90th percentile (outlined bar); open stays count up to now.</Text>
      <BarChart
        id="time-in-stage"
        bars={funnel.stages.map((row) => ({
          key: row.stage,
          value: row.medianDays ?? 0,
          behind: row.p90Days ?? 0,
          text:
            row.stayed === 0
              ? `${STAGE_LABELS[row.stage]}: no time recorded`
              : `${STAGE_LABELS[row.stage]}: median ${days(row.medianDays)} · p90 ${days(row.p90Days)}`,
        }))}
      />
      <div className={styles.hidden}>
        <table>
          <caption>Days in stage</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Median days</th>
              <th scope="col">90th percentile days</th>
              <th scope="col">Opportunities</th>
            </tr>
          </thead>
          <tbody>
            {funnel.stages.map((row) => (
              <tr key={row.stage}>
                <th scope="row">{STAGE_LABELS[row.stage]}</th>
                <td>{row.medianDays ?? '—'}</td>
                <td>{row.p90Days ?? '—'}</td>
                <td>{row.stayed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
