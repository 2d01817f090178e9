import { cloneElement, useId } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';
import { Text } from './Text';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  // As Fluent's Label, without its code.
  label: {
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    color: tokens.colorNeutralForeground1,
  },
  hint: { color: tokens.colorNeutralForeground2 },
  error: { color: tokens.colorPaletteRedForeground1 },
});

export interface FormFieldProps {
  label: string;
  hint?: string;
  error?: string | null;
  children: React.ReactElement<{ id?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }>;
}

/**
 * A label, a control, a hint and an error message, wired for screen readers. Fluent's Field does
 * the same with icons; this lighter one is used on the views that must load first.
 */
export function FormField({ label, hint, error, children }: FormFieldProps) {
  const styles = useStyles();
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={styles.root}>
      <label htmlFor={`${id}-control`} className={styles.label}>
        {label}
      </label>
      {cloneElement(children, {
        id: `${id}-control`,
        'aria-describedby': described,
        'aria-invalid': error ? true : undefined,
      })}
      {hint && (
        <Text size={200} id={`${id}-hint`} className={styles.hint}>
          {hint}
        </Text>
      )}
      {error && (
        <Text size={200} id={`${id}-error`} role="alert" className={styles.error}>
          {error}
        </Text>
      )}
    </div>
  );
}
