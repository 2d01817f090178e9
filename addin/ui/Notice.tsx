import { makeStyles, mergeClasses, shorthands, tokens } from '@fluentui/react-components';
import { Button } from './Button';

export interface NoticeProps {
  intent: 'success' | 'warning' | 'error' | 'info';
  children: React.ReactNode;
  action?: { label: string; onClick: () => void };
}

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    border: '1px solid',
    color: tokens.colorNeutralForeground1,
    lineHeight: tokens.lineHeightBase300,
  },
  success: {
    backgroundColor: tokens.colorPaletteGreenBackground1,
    ...shorthands.borderColor(tokens.colorPaletteGreenBorder1),
  },
  warning: {
    backgroundColor: tokens.colorPaletteYellowBackground1,
    ...shorthands.borderColor(tokens.colorPaletteYellowBorder1),
  },
  error: {
    backgroundColor: tokens.colorPaletteRedBackground1,
    ...shorthands.borderColor(tokens.colorPaletteRedBorder1),
  },
  info: { backgroundColor: tokens.colorNeutralBackground3, ...shorthands.borderColor(tokens.colorNeutralStroke1) },
});

/** A plain-language status line, announced to screen readers (an alert for errors). */
export function Notice({ intent, children, action }: NoticeProps) {
  const styles = useStyles();
  return (
    <div className={mergeClasses(styles.root, styles[intent])} role={intent === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      {action && (
        <Button size="small" onClick={action.onClick}>
          {action.label}
        </Button>
      )}
    </div>
  );
}

/** What an action came to (useAction), or a sentence of the view's own. */
export interface Outcome {
  intent: NoticeProps['intent'];
  text: string;
  action?: NoticeProps['action'];
}

/** An outcome as a Notice, or nothing. */
export function OutcomeNotice({ outcome }: { outcome: Outcome | null }) {
  return (
    outcome && (
      <Notice intent={outcome.intent} action={outcome.action}>
        {outcome.text}
      </Notice>
    )
  );
}
