import { useEffect, useRef } from 'react';
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

// One row that scrolls sideways when the pane is too narrow (320 px): a wrap left one tab alone on a line.
const useStyles = makeStyles({
  list: {
    position: 'relative',
    display: 'flex',
    flexWrap: 'nowrap',
    overflowX: 'auto',
    gap: tokens.spacingHorizontalXXS,
    scrollbarWidth: 'thin',
  },
  tab: {
    flexShrink: 0,
    whiteSpace: 'nowrap',
    font: 'inherit',
    fontSize: tokens.fontSizeBase300,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalSNudge}`,
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
  const selectedIndex = tabs.findIndex((tab) => tab.value === selected);
  const mounted = useRef(false);
  // The selected tab is scrolled into the row's view (a click or a view chosen elsewhere), never the page.
  useEffect(() => {
    // A new row is not scrolled, so its first tab is in view: measuring it would force a layout while the view opens.
    const first = !mounted.current;
    mounted.current = true;
    if (first && selectedIndex === 0) return;
    const element = refs.current[selectedIndex];
    const list = element?.parentElement;
    if (!element || !list) return;
    if (element.offsetLeft < list.scrollLeft) list.scrollLeft = element.offsetLeft;
    else if (element.offsetLeft + element.offsetWidth > list.scrollLeft + list.clientWidth)
      list.scrollLeft = element.offsetLeft + element.offsetWidth - list.clientWidth;
  }, [selectedIndex]);
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
