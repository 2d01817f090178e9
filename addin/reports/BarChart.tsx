import { makeStyles, tokens } from '@fluentui/react-components';

const ROW = 40;
const BAR = 14;

const useStyles = makeStyles({
  svg: { display: 'block', width: '100%', overflow: 'visible' },
  label: { fill: tokens.colorNeutralForeground1, fontFamily: tokens.fontFamilyBase, fontSize: tokens.fontSizeBase200 },
  track: { fill: tokens.colorNeutralBackground3 },
  bar: { fill: tokens.colorBrandBackground },
  behind: { fill: tokens.colorBrandBackground2Hover, stroke: tokens.colorBrandStroke1, strokeWidth: '1px' },
});

export interface Bar {
  key: string;
  /** The line above the bar: the stage and its numbers. */
  text: string;
  value: number;
  /** Drawn behind the bar, lighter (e.g. the 90th percentile behind the median). */
  behind?: number;
}

/**
 * Horizontal bars in plain SVG, one row per bar: its text on a line of its own above it, so the numbers stay
 * readable at 320 px, and widths in percent of the widest, so the chart fits any width without scaling the text.
 * Colours are Fluent tokens (dark theme follows). Hidden from screen readers: the caller shows the numbers in a table.
 */
export function BarChart({ id, bars }: { id: string; bars: Bar[] }) {
  const styles = useStyles();
  const max = Math.max(0, ...bars.map((bar) => Math.max(bar.value, bar.behind ?? 0)));
  const width = (value: number) => `${max > 0 ? (value / max) * 100 : 0}%`;
  return (
    <svg className={styles.svg} height={bars.length * ROW} aria-hidden="true" focusable="false" data-chart={id}>
      {bars.map((bar, index) => {
        const top = index * ROW;
        return (
          <g key={bar.key} data-bar={bar.key}>
            <text className={styles.label} x={0} y={top + 14}>
              {bar.text}
            </text>
            <rect className={styles.track} x={0} y={top + 20} width="100%" height={BAR} rx={2} />
            {bar.behind !== undefined && bar.behind > 0 && (
              <rect className={styles.behind} x={0} y={top + 20} width={width(bar.behind)} height={BAR} rx={2} />
            )}
            {bar.value > 0 && (
              <rect className={styles.bar} x={0} y={top + 20} width={width(bar.value)} height={BAR} rx={2} />
            )}
          </g>
        );
      })}
    </svg>
  );
}
