import { makeStyles, mergeClasses, shorthands, tokens } from '@fluentui/react-components';
import type { Stage } from '../../shared/schemas/opportunities';
import { STAGE_LABELS, STATUS_LABELS } from './labels';

const useStyles = makeStyles({
  root: {
    display: 'inline-block',
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusCircular,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    fontWeight: tokens.fontWeightSemibold,
    border: '1px solid transparent',
  },
  neutral: { backgroundColor: tokens.colorNeutralBackground3, color: tokens.colorNeutralForeground1 },
  brand: { backgroundColor: tokens.colorBrandBackground2, color: tokens.colorBrandForeground2 },
  success: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
    color: tokens.colorPaletteGreenForeground1,
    ...shorthands.borderColor(tokens.colorPaletteGreenBorder1),
  },
  warning: {
    backgroundColor: tokens.colorPaletteYellowBackground1,
    color: tokens.colorNeutralForeground1,
    ...shorthands.borderColor(tokens.colorPaletteYellowBorder1),
  },
  danger: {
    backgroundColor: tokens.colorPaletteRedBackground1,
    color: tokens.colorPaletteRedForeground1,
    ...shorthands.borderColor(tokens.colorPaletteRedBorder1),
  },
});

/** Won or Lost: how a closed opportunity is marked wherever it appears. */
export function OutcomePill({ status }: { status: 'won' | 'lost' }) {
  return <Pill tone={status === 'won' ? 'success' : 'danger'}>{STATUS_LABELS[status]}</Pill>;
}

/** An open opportunity's stage; a closed one's outcome (a won deal shows "Won", not its last stage). */
export function StageOrOutcome({ status, stage }: { status: 'open' | 'won' | 'lost'; stage: Stage }) {
  return status === 'open' ? <Pill>{STAGE_LABELS[stage]}</Pill> : <OutcomePill status={status} />;
}

/** A small status label (stage, status, attention reason). */
export function Pill({
  tone = 'neutral',
  children,
}: {
  tone?: 'neutral' | 'brand' | 'success' | 'warning' | 'danger';
  children: React.ReactNode;
}) {
  const styles = useStyles();
  return <span className={mergeClasses(styles.root, styles[tone])}>{children}</span>;
}
