import { officeCall } from './async';
import { isSetSupported, outlookMailbox } from './host';
import { currentItem, isCompose, isItemType, type ItemSnapshot } from './item';

/**
 * Whether Outlook's current item is still the one `snapshot` was read from. A pinned pane cannot rely
 * on ItemChanged alone (it does not fire for some items: office-js #1096, #3470, #5965, #6287, #6833),
 * so a write checks this first. Read items compare itemId (and internetMessageId, seriesId); compose
 * items have no id until saved, so they compare conversation, series and subject: an edited subject
 * counts as another item (the flow reloads, never writes to a guess). Outlook's own frozen item
 * (#6833) cannot be told apart from here.
 */
export async function sameItem(snapshot: ItemSnapshot): Promise<boolean> {
  const item = currentItem();
  if (!item) return false;
  const kind = isItemType(item, Office.MailboxEnums.ItemType.Appointment) ? 'appointment' : 'email';
  if (kind !== snapshot.kind) return false;
  if (!isCompose(item)) {
    if (snapshot.mode !== 'read') return false;
    return (
      (item.itemId || null) === snapshot.itemId &&
      (kind === 'email' ? (item.internetMessageId || null) === snapshot.internetMessageId : true) &&
      (item.seriesId || null) === snapshot.seriesId
    );
  }
  if (snapshot.mode !== 'compose') return false;
  if ((item.conversationId || null) !== snapshot.conversationId && kind === 'email') return false;
  if ((item.seriesId || null) !== snapshot.seriesId && kind === 'appointment') return false;
  try {
    return (await officeCall<string>((cb) => item.subject.getAsync(cb))) === snapshot.subject;
  } catch {
    return false; // Outlook cannot read the item now (error 5001 after a switch, #826): not provably the same
  }
}

/** Why the pane should look at its item again. */
export type ItemChangeReason = 'itemChanged' | 'selectionChanged' | 'focus' | 'visible';

/** mailbox.item can be null just after ItemChanged (classic Windows, pinned compose pane: office-js #2295). */
const NULL_ITEM_RETRIES = 3;
const NULL_ITEM_RETRY_MS = 150;

function listen(handler: (reason: ItemChangeReason) => void, fallbacks: boolean): () => void {
  const mailbox = outlookMailbox();
  if (!mailbox) return () => {};
  let active = true;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (active) run();
    }, ms);
    timers.add(timer);
  };
  // Waits (a few times, 150 ms apart) for Outlook to have the new item, then tells; still null means no item.
  const whenItem = (reason: ItemChangeReason, tries = 0) => {
    if (!active) return;
    if (outlookMailbox()?.item || tries >= NULL_ITEM_RETRIES) handler(reason);
    else later(() => whenItem(reason, tries + 1), NULL_ITEM_RETRY_MS);
  };

  const events: Office.EventType[] = [Office.EventType.ItemChanged];
  // Mac fires ItemChanged only in a pinned pane; SelectedItemsChanged (Mailbox 1.13) in both (office-js #4960).
  if (fallbacks && isSetSupported('Mailbox', '1.13') && Office.EventType.SelectedItemsChanged)
    events.push(Office.EventType.SelectedItemsChanged);
  for (const type of events) {
    const reason: ItemChangeReason = type === Office.EventType.ItemChanged ? 'itemChanged' : 'selectionChanged';
    officeCall<void>((cb) => mailbox.addHandlerAsync(type, () => whenItem(reason), cb)).catch(() => {
      // An event this Outlook does not raise: focus and visibility still notice a change.
    });
  }

  // Focus and visibility often arrive together: one notice for both.
  let noticePending = false;
  const notice = (reason: ItemChangeReason) => {
    if (noticePending) return;
    noticePending = true;
    later(() => {
      noticePending = false;
      whenItem(reason);
    }, 0);
  };
  const onFocus = () => notice('focus');
  const onVisibility = () => {
    if (document.visibilityState === 'visible') notice('visible');
  };
  if (fallbacks) {
    window.addEventListener('focus', onFocus);
    document.addEventListener('visibilitychange', onVisibility);
  }

  return () => {
    active = false;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (fallbacks) {
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisibility);
    }
    for (const type of events) officeCall<void>((cb) => mailbox.removeHandlerAsync(type, cb)).catch(() => {});
  };
}

/**
 * Calls `handler` whenever the user selects another item while the pane is pinned
 * (Office.EventType.ItemChanged, pinnable-taskpane.md), once mailbox.item is there (#2295). Returns a
 * function that stops listening. Outside Outlook no item ever changes, so nothing is listened to.
 */
export function onItemChanged(handler: () => void): () => void {
  return listen(() => handler(), false);
}

/**
 * Calls `handler` when the item may have changed: on ItemChanged, on SelectedItemsChanged where
 * Outlook has it, and when the pane regains focus or becomes visible, because ItemChanged does not
 * fire for some items (office-js #1096, #3470, #5965, #6287; never on outlook.live.com, #6833). The
 * handler decides with sameItem whether anything changed. Returns a function that stops listening.
 */
export function onItemMaybeChanged(handler: (reason: ItemChangeReason) => void): () => void {
  return listen(handler, true);
}
