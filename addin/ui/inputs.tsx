import { forwardRef } from 'react';
import { makeResetStyles, mergeClasses, tokens } from '@fluentui/react-components';

// Native text boxes and drop-downs in the look of Fluent's outline Input and Select. Fluent's own
// Input, Select and Tag read the whole design-token table at run time, which then has to ship with the
// pane's first view (about 30 KB before compression); native controls labelled by FormField or Fluent's Field (render
// function children) are just as accessible. One class with every declaration (makeResetStyles).
const useControlClass = makeResetStyles({
  boxSizing: 'border-box',
  width: '100%',
  minHeight: '32px',
  padding: `0 ${tokens.spacingHorizontalM}`,
  fontFamily: tokens.fontFamilyBase,
  fontSize: tokens.fontSizeBase300,
  lineHeight: tokens.lineHeightBase300,
  color: tokens.colorNeutralForeground1,
  backgroundColor: tokens.colorNeutralBackground1,
  border: `1px solid ${tokens.colorNeutralStroke1}`,
  borderBottomColor: tokens.colorNeutralStrokeAccessible,
  borderRadius: tokens.borderRadiusMedium,
  outline: 'none',
  ':hover': {
    borderColor: tokens.colorNeutralStroke1Hover,
    borderBottomColor: tokens.colorNeutralStrokeAccessibleHover,
  },
  // Fluent marks focus with a 2 px brand underline.
  ':focus': {
    borderBottomColor: tokens.colorCompoundBrandStroke,
    boxShadow: `inset 0 -1px 0 0 ${tokens.colorCompoundBrandStroke}`,
  },
  '::placeholder': { color: tokens.colorNeutralForeground4 },
  '[aria-invalid="true"]': { borderColor: tokens.colorPaletteRedBorder2 },
  ':disabled': {
    cursor: 'not-allowed',
    color: tokens.colorNeutralForegroundDisabled,
    backgroundColor: tokens.colorTransparentBackground,
    borderColor: tokens.colorNeutralStrokeDisabled,
  },
});

/** A single-line text box (any `type`: text, email, number, date, password). */
export const TextInput = forwardRef<HTMLInputElement, React.InputHTMLAttributes<HTMLInputElement>>(function TextInput(
  { className, ...props },
  ref,
) {
  return <input ref={ref} type="text" {...props} className={mergeClasses(useControlClass(), className)} />;
});

/** A drop-down of `<option>`s. */
export function SelectInput({ className, ...props }: React.SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...props} className={mergeClasses(useControlClass(), className)} />;
}
