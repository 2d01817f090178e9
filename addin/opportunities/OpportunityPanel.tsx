import { makeStyles, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
});

/**
 * How a form of the opportunity view makes its change: the view runs it (busy, and its outcome
 * announced above the actions), closes the form when it succeeds and reloads the opportunity.
 */
export type SubmitChange = (change: () => Promise<unknown>, success: string) => void;

/** A form of the opportunity view: a named region under its actions. */
export function OpportunityPanel({ label, children }: { label: string; children: React.ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.panel} aria-label={label}>
      {children}
    </section>
  );
}
