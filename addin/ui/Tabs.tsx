import { useRef } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  list: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  tab: {
    font: 'inherit',
    fontSize: tokens.fontSizeBase300,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    border: 'none',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: 'transparent',
    color: tokens.colorNeutralForeground2,
    cursor: 'pointer',
    borderBottom: '2px solid transparent',
    ':hover': { backgroundColor: tokens.colorSubtleBackgroundHover, color: tokens.colorNeutralForeground1 },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  selected: {
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    borderBottom: `2px solid ${tokens.colorCompoundBrandStroke}`,
  },
});

export interface TabsProps<T extends string> {
  label: string;
  tabs: { value: T; label: string }[];
  selected: T;
  onSelect: (value: T) => void;
}

/**
 * A WAI-ARIA tab list: one tab in the tab order, arrow keys move between tabs, Enter or Space
 * (or the arrow itself) selects. Small on purpose: the pane's first view must load fast.
 */
export function Tabs<T extends string>({ label, tabs, selected, onSelect }: TabsProps<T>) {
  const styles = useStyles();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (index: number) => {
    const next = (index + tabs.length) % tabs.length;
    refs.current[next]?.focus();
    onSelect(tabs[next].value);
  };
  return (
    <div role="tablist" aria-label={label} className={styles.list}>
      {tabs.map((tab, index) => (
        <button
          key={tab.value}
          ref={(element) => {
            refs.current[index] = element;
          }}
          type="button"
          role="tab"
          aria-selected={tab.value === selected}
          tabIndex={tab.value === selected ? 0 : -1}
          className={mergeClasses(styles.tab, tab.value === selected && styles.selected)}
          onClick={() => onSelect(tab.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowRight') move(index + 1);
            else if (event.key === 'ArrowLeft') move(index - 1);
            else if (event.key === 'Home') move(0);
            else if (event.key === 'End') move(tabs.length - 1);
            else return;
            event.preventDefault();
          }}
        >
          {tab.label}
        </button>
      ))}
    </div>
  );
}
