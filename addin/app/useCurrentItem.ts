import { useEffect, useState } from 'react';
import { readCurrentItem, type ItemSnapshot } from '../office/item';
import { onItemMaybeChanged, sameItem, type ItemChangeReason } from '../office/item-changes';

export interface CurrentItem {
  /** Changes whenever another item is selected (pinned pane): views keyed by it start over. */
  key: number;
  snapshot: ItemSnapshot | null;
  error: string | null;
  loading: boolean;
}

/**
 * The Outlook item the pane is on. A pinned pane follows ItemChanged, SelectedItemsChanged, and its own focus
 * and visibility: ItemChanged does not fire for some items (office-js #1096, #3470, #5965, #6287; never on
 * outlook.live.com, #6833), so on each of them the item's identity is compared with the one shown (sameItem),
 * and a different item is read afresh. Outlook removes all of an add-in's ItemChanged handlers at once, so this
 * is the pane's only listener. Outside Outlook (`inOutlook` false) there is never an item.
 */
export function useCurrentItem(inOutlook: boolean): CurrentItem {
  const [state, setState] = useState<CurrentItem>({ key: 0, snapshot: null, error: null, loading: inOutlook });
  useEffect(() => {
    if (!inOutlook) return;
    let generation = 0;
    let shown: ItemSnapshot | null = null;
    const load = () => {
      const mine = ++generation;
      shown = null;
      setState({ key: mine, snapshot: null, error: null, loading: true });
      readCurrentItem().then(
        (snapshot) => {
          if (mine !== generation) return;
          shown = snapshot;
          setState({ key: mine, snapshot, error: null, loading: false });
        },
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
    // ItemChanged always reads the item again; the other signals only when the item is another one.
    const check = (reason: ItemChangeReason) => {
      const mine = generation;
      const current = shown;
      if (!current || reason === 'itemChanged') return load();
      void sameItem(current).then((same) => {
        if (!same && mine === generation) load();
      });
    };
    load();
    const stop = onItemMaybeChanged(check);
    return () => {
      generation = -1;
      stop();
    };
  }, [inOutlook]);
  return state;
}
