import { makeResetStyles, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

// Fluent's Text without its slot machinery, for the views that load first (issue 15's bundle budget):
// the sizes and weights the pane uses, with Fluent's values (react-text useTextStyles.styles).
const useBase = makeResetStyles({
  fontFamily: tokens.fontFamilyBase,
  fontSize: tokens.fontSizeBase300,
  lineHeight: tokens.lineHeightBase300,
  fontWeight: tokens.fontWeightRegular,
  textAlign: 'start',
  display: 'inline',
  whiteSpace: 'normal',
  overflow: 'visible',
  textOverflow: 'clip',
});

const useStyles = makeStyles({
  nowrap: { whiteSpace: 'nowrap', overflow: 'hidden' },
  truncate: { textOverflow: 'ellipsis' },
  block: { display: 'block' },
  base200: { fontSize: tokens.fontSizeBase200, lineHeight: tokens.lineHeightBase200 },
  base400: { fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400 },
  semibold: { fontWeight: tokens.fontWeightSemibold },
});

export interface TextProps extends React.HTMLAttributes<HTMLElement> {
  as?: 'span' | 'p' | 'h1' | 'h2' | 'h3' | 'h4' | 'strong';
  size?: 200 | 300 | 400;
  weight?: 'regular' | 'semibold';
  block?: boolean;
  truncate?: boolean;
  /** false: on one line, cut at the edge. */
  wrap?: boolean;
}

export function Text({ as: Tag = 'span', size = 300, weight, block, truncate, wrap, className, ...props }: TextProps) {
  const styles = useStyles();
  return (
    <Tag
      {...props}
      className={mergeClasses(
        useBase(),
        wrap === false && styles.nowrap,
        truncate && styles.truncate,
        block && styles.block,
        size === 200 && styles.base200,
        size === 400 && styles.base400,
        weight === 'semibold' && styles.semibold,
        className,
      )}
    />
  );
}
