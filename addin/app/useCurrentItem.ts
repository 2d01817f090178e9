import { useEffect, useState } from 'react';
import { readCurrentItem, type ItemSnapshot } from '../office/item';
import { onItemChanged } from '../office/item-changes';

export interface CurrentItem {
  /** Changes whenever another item is selected (pinned pane): views keyed by it start over. */
  key: number;
  snapshot: ItemSnapshot | null;
  error: string | null;
  loading: boolean;
}

/**
 * The Outlook item the pane is on, following Office.EventType.ItemChanged when the pane is pinned.
 * Outside Outlook (`inOutlook` false) there is never one.
 */
export function useCurrentItem(inOutlook: boolean): CurrentItem {
  const [state, setState] = useState<CurrentItem>({ key: 0, snapshot: null, error: null, loading: inOutlook });
  useEffect(() => {
    if (!inOutlook) return;
    let generation = 0;
    const load = () => {
      const mine = ++generation;
      setState({ key: mine, snapshot: null, error: null, loading: true });
      readCurrentItem().then(
        (snapshot) => mine === generation && setState({ key: mine, snapshot, error: null, loading: false }),
        (error: Error) =>
          mine === generation &&
          setState({
            key: mine,
            snapshot: null,
            error: `Outlook could not read this item: ${error.message}`,
            loading: false,
          }),
      );
    };
    load();
    const stop = onItemChanged(load);
    return () => {
      generation = -1;
      stop();
    };
  }, [inOutlook]);
  return state;
}
