import { makeResetStyles, makeStyles, mergeClasses, shorthands, tokens } from '@fluentui/react-components';

// A native button in the look of Fluent's Button, for the views that load first. Fluent's Button ships
// every appearance, shape, size and icon state (about 6 KB gzip with its ARIA hooks), which made the
// first view's bundle too big (issue 15: ≤ 1.2× a minimal Fluent app); views that load on demand keep
// Fluent's. Values are Fluent's own (react-button useButtonStyles.styles), focus by :focus-visible, without
// the colour transitions.
const useBase = makeResetStyles({
  alignItems: 'center',
  boxSizing: 'border-box',
  display: 'inline-flex',
  justifyContent: 'center',
  verticalAlign: 'middle',
  margin: 0,
  overflow: 'hidden',
  backgroundColor: tokens.colorNeutralBackground1,
  color: tokens.colorNeutralForeground1,
  border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  fontFamily: tokens.fontFamilyBase,
  outlineStyle: 'none',
  padding: `5px ${tokens.spacingHorizontalM}`,
  minWidth: '96px',
  borderRadius: tokens.borderRadiusMedium,
  fontSize: tokens.fontSizeBase300,
  fontWeight: tokens.fontWeightSemibold,
  lineHeight: tokens.lineHeightBase300,
  ':hover': {
    backgroundColor: tokens.colorNeutralBackground1Hover,
    borderColor: tokens.colorNeutralStroke1Hover,
    color: tokens.colorNeutralForeground1Hover,
    cursor: 'pointer',
  },
  ':hover:active': {
    backgroundColor: tokens.colorNeutralBackground1Pressed,
    borderColor: tokens.colorNeutralStroke1Pressed,
    color: tokens.colorNeutralForeground1Pressed,
  },
  ':focus-visible': {
    borderColor: tokens.colorStrokeFocus2,
    outline: `${tokens.strokeWidthThick} solid ${tokens.colorTransparentStroke}`,
    boxShadow: `0 0 0 ${tokens.strokeWidthThin} ${tokens.colorStrokeFocus2} inset`,
    zIndex: 1,
  },
  ':disabled,:disabled:hover,:disabled:hover:active': {
    backgroundColor: tokens.colorNeutralBackgroundDisabled,
    borderColor: tokens.colorNeutralStrokeDisabled,
    color: tokens.colorNeutralForegroundDisabled,
    cursor: 'not-allowed',
  },
  '@media (forced-colors: active)': {
    ':hover,:hover:active': { backgroundColor: 'HighlightText', borderColor: 'Highlight', color: 'Highlight' },
    ':disabled,:disabled:hover': { backgroundColor: 'ButtonFace', borderColor: 'GrayText', color: 'GrayText' },
  },
});

const useStyles = makeStyles({
  primary: {
    backgroundColor: tokens.colorBrandBackground,
    ...shorthands.borderColor('transparent'),
    color: tokens.colorNeutralForegroundOnBrand,
    ':hover': {
      backgroundColor: tokens.colorBrandBackgroundHover,
      ...shorthands.borderColor('transparent'),
      color: tokens.colorNeutralForegroundOnBrand,
    },
    ':hover:active': { backgroundColor: tokens.colorBrandBackgroundPressed },
    ':focus-visible': {
      ...shorthands.borderColor(tokens.colorStrokeFocus2),
      boxShadow: `${tokens.shadow2}, 0 0 0 ${tokens.strokeWidthThin} ${tokens.colorStrokeFocus2} inset, 0 0 0 ${tokens.strokeWidthThick} ${tokens.colorNeutralForegroundOnBrand} inset`,
    },
    '@media (forced-colors: active)': {
      backgroundColor: 'Highlight',
      ...shorthands.borderColor('HighlightText'),
      color: 'HighlightText',
      forcedColorAdjust: 'none',
    },
  },
  subtle: {
    backgroundColor: tokens.colorSubtleBackground,
    ...shorthands.borderColor('transparent'),
    color: tokens.colorNeutralForeground2,
    ':hover': {
      backgroundColor: tokens.colorSubtleBackgroundHover,
      ...shorthands.borderColor('transparent'),
      color: tokens.colorNeutralForeground2Hover,
    },
    ':hover:active': {
      backgroundColor: tokens.colorSubtleBackgroundPressed,
      color: tokens.colorNeutralForeground2Pressed,
    },
  },
  // A disabled primary or subtle button keeps no border (Fluent's useRootDisabledStyles).
  disabledBorderless: { ':disabled,:disabled:hover': { ...shorthands.borderColor('transparent') } },
  disabledSubtle: { ':disabled,:disabled:hover': { backgroundColor: tokens.colorTransparentBackground } },
  small: {
    minWidth: '64px',
    padding: `3px ${tokens.spacingHorizontalS}`,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightRegular,
    lineHeight: tokens.lineHeightBase200,
  },
});

export interface ButtonProps extends React.ButtonHTMLAttributes<HTMLButtonElement> {
  appearance?: 'secondary' | 'primary' | 'subtle';
  size?: 'small' | 'medium';
}

/** A button (type="button" unless told otherwise, as Fluent's). */
export function Button({
  appearance = 'secondary',
  size = 'medium',
  className,
  type = 'button',
  ...props
}: ButtonProps) {
  const styles = useStyles();
  return (
    <button
      type={type}
      {...props}
      className={mergeClasses(
        useBase(),
        appearance === 'primary' && styles.primary,
        appearance === 'subtle' && styles.subtle,
        appearance !== 'secondary' && styles.disabledBorderless,
        appearance === 'subtle' && styles.disabledSubtle,
        size === 'small' && styles.small,
        className,
      )}
    />
  );
}
