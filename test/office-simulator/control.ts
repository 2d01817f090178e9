/**
 * The test and demo side of the simulator, `window.__outlook`: what the Outlook user does (open, select,
 * reply, forward, send, move) and what a test reads back (custom properties, roaming settings, the call
 * log, side effects the user would notice, concurrent-call counts).
 */
import { asyncStats, injectFailure, officeError, resetAsyncStats } from './async';
import { dialogControl, naaControl } from './dialog';
import { PROFILES, versionAtLeast, type ProfileName } from './profiles';
import {
  activeProfile,
  emptyState,
  mailboxStore,
  persist,
  recordEffect,
  type ItemSpec,
  type PersonSpec,
} from './state';

type Handler = (event: { type: string }) => void;

/** In-memory host state (lost on a pane reload, as Outlook's would be). */
export const host = {
  itemChanged: [] as Handler[],
  selectedItemsChanged: [] as Handler[],
  /** [#2295]: between ItemChanged and the item becoming available. */
  switching: false,
  /** [#6833]: the item `mailbox.item` stays on, where the profile freezes it. */
  frozenOn: undefined as string | null | undefined,
};

const state = () => mailboxStore.state;

function fire(handlers: Handler[], type: string): void {
  for (const handler of [...handlers]) handler({ type });
}

/** Whether the active profile raises ItemChanged for a switch to `id` (see profiles.ts quirks). */
function raisesItemChanged(id: string): boolean {
  const { quirks } = activeProfile();
  const target = state().items[id];
  if (quirks.itemFrozen) return false; // [#6833]
  if (target?.kind && quirks.itemChangedSkips.includes(target.kind)) return false; // [#3470]
  const visited = state().visited ?? [];
  // [#1096]: in a conversation, going back to an item already visited does not raise it.
  return !(
    quirks.itemChangedOncePerConversationItem &&
    state().conversationView &&
    target?.conversationId &&
    visited.includes(id)
  );
}

function switchTo(id: string): void {
  state().selected = id;
  state().visited = [...(state().visited ?? []).filter((v) => v !== id), id];
  persist();
  // SelectedItemsChanged (Mailbox 1.13) fires where ItemChanged may not ([#4960]).
  if (versionAtLeast(activeProfile().requirementSets.Mailbox, '1.13'))
    fire(host.selectedItemsChanged, 'olkSelectedItemsChanged');
}

function draftFrom(originalId: string, composeType: 'reply' | 'forward', draftId?: string): ItemSpec {
  const original = state().items[originalId];
  const draft: ItemSpec = {
    id: draftId ?? `${originalId}-${composeType}`,
    type: 'message',
    mode: 'compose',
    composeType,
    subject: `${composeType === 'reply' ? 'RE' : 'FW'}: ${original.subject ?? ''}`,
    to: composeType === 'reply' && original.from ? [original.from] : [],
    conversationId: original.conversationId,
  };
  state().items[draft.id] = draft;
  // [#2456], [#6750]: classic Windows copies the original's custom properties onto the draft.
  if (activeProfile().quirks.copiesCustomPropertiesToReplies && state().customProperties[originalId])
    state().customProperties[draft.id] = { ...state().customProperties[originalId] };
  persist();
  return draft;
}

export const control = {
  reset(options: { user?: PersonSpec; profile?: ProfileName } = {}) {
    mailboxStore.state = emptyState(options.user ?? state().user, options.profile ?? state().profile);
    persist();
  },
  setUser(user: PersonSpec) {
    state().user = user;
    persist();
  },
  setTheme(bodyBackgroundColor: string | null) {
    state().theme = bodyBackgroundColor ? { bodyBackgroundColor } : null;
    persist();
  },
  /** The client Outlook is: takes effect at once for calls, and for onReady's platform on the next load. */
  setProfile(name: ProfileName) {
    if (!PROFILES[name]) throw new Error(`No profile ${name}: ${Object.keys(PROFILES).join(', ')}`);
    state().profile = name;
    persist();
  },
  profile() {
    return activeProfile();
  },
  /**
   * An older build of the same client: e.g. `setRequirementSet('NestedAppAuth', null)` for classic Outlook on
   * Windows before Version 2409 ([REF] nested-app-auth-requirement-sets.md). The NAA bridge follows on the next load.
   */
  setRequirementSet(name: 'NestedAppAuth' | 'DialogApi', version: string | null) {
    state().requirementSets = { ...state().requirementSets, [name]: version };
    persist();
  },
  /** The Office dialog the pane opened (dialog.ts): read it, message from its page, close it as the user. */
  dialog: dialogControl,
  /** The nested app authentication bridge (dialog.ts): what Outlook answers, and what MSAL asked. */
  naa: naaControl,
  /** Turns conversation view on in the reading pane ([#1096] needs it). */
  setConversationView(on: boolean) {
    state().conversationView = on;
    persist();
  },
  /** Puts an item in the mailbox (or updates it) without selecting it. */
  put(spec: ItemSpec) {
    state().items[spec.id] = { ...state().items[spec.id], ...spec };
    persist();
  },
  /** Opens the pane on an item (before it loads, or as a fresh pane: no ItemChanged). */
  open(spec: ItemSpec | string) {
    if (typeof spec !== 'string') control.put(spec);
    const id = typeof spec === 'string' ? spec : spec.id;
    state().selected = id;
    state().visited = [id];
    host.frozenOn = id;
    persist();
  },
  /**
   * Selects another item while the pane is pinned. Raises ItemChanged unless the profile drops it for this
   * item; on classic Windows a compose item is null for a moment after the event ([#2295]). Returns whether
   * ItemChanged was raised.
   */
  select(spec: ItemSpec | string): boolean {
    if (typeof spec !== 'string') control.put(spec);
    const id = typeof spec === 'string' ? spec : spec.id;
    const raises = raisesItemChanged(id);
    switchTo(id);
    if (!raises) return false;
    if (activeProfile().quirks.nullItemMidSwitchToCompose && state().items[id]?.mode === 'compose') {
      host.switching = true;
      setTimeout(() => (host.switching = false), 150);
    }
    fire(host.itemChanged, 'olkItemSelectedChanged');
    return true;
  },
  /** Selects another item and raises no ItemChanged, whatever the profile (the reported gaps of [#1096], [#5965]...). */
  selectWithoutEvent(spec: ItemSpec | string) {
    if (typeof spec !== 'string') control.put(spec);
    switchTo(typeof spec === 'string' ? spec : spec.id);
  },
  /** The user replies to `id`: a compose draft, not selected. Classic Windows copies custom properties onto it. */
  reply(id: string, draftId?: string): ItemSpec {
    return draftFrom(id, 'reply', draftId);
  },
  /** The user forwards `id`: a compose draft, not selected. Classic Windows copies custom properties onto it. */
  forward(id: string, draftId?: string): ItemSpec {
    return draftFrom(id, 'forward', draftId);
  },
  /**
   * Sends the compose message `draftId`: the sent copy is a new read-mode item in Sent Items with an
   * internetMessageId. It keeps the draft's custom properties ([PR] metadata-for-an-outlook-add-in.md) and the
   * message carries its headers, but Outlook answers "" for the copy's headers ([#4773], [#6796]).
   * `customProperties: false`: the copy shows none of them, as from another client ([#5467]) or from classic
   * Windows when the draft was never saved after they were set ([PR] metadata-for-an-outlook-add-in.md).
   */
  send(
    draftId: string,
    sent: { id: string; internetMessageId: string },
    options: { customProperties?: boolean } = {},
  ): ItemSpec {
    const draft = state().items[draftId];
    const copy: ItemSpec = {
      ...draft,
      id: sent.id,
      mode: 'read',
      composeType: undefined,
      inSentItems: true,
      internetMessageId: sent.internetMessageId,
      from: state().user,
      dateTimeCreated: new Date().toISOString(),
    };
    state().items[sent.id] = copy;
    state().customProperties[sent.id] =
      options.customProperties === false ? {} : { ...(state().customProperties[draftId] ?? {}) };
    delete state().items[draftId];
    delete state().customProperties[draftId];
    persist();
    recordEffect(sent.id, 'sent');
    return copy;
  },
  /**
   * Moves an item to another folder or calendar: its id changes (learn.microsoft.com/graph/outlook-immutable-id;
   * [REF] office.appointmentread.yml seriesId), a series' id too. Custom properties go with it. Returns the item.
   */
  move(id: string, to: { id?: string; seriesId?: string } = {}): ItemSpec {
    const item = state().items[id];
    const moved: ItemSpec = {
      ...item,
      id: to.id ?? `${id}-moved`,
      seriesId: item.seriesId ? (to.seriesId ?? `${item.seriesId}-moved`) : undefined,
    };
    state().items[moved.id] = moved;
    if (state().customProperties[id]) state().customProperties[moved.id] = state().customProperties[id];
    delete state().items[id];
    delete state().customProperties[id];
    if (state().selected === id) state().selected = moved.id;
    if (host.frozenOn === id) host.frozenOn = moved.id; // the same item, under its new id
    persist();
    recordEffect(moved.id, `moved from ${id}`);
    return moved;
  },
  customProperties(itemId: string) {
    return state().customProperties[itemId] ?? {};
  },
  item(itemId: string) {
    return state().items[itemId] ?? null;
  },
  roaming() {
    return { ...state().roaming };
  },
  log() {
    return [...state().log];
  },
  /** What the user would have noticed: "saved to calendar", "update sent to attendees", "sent", "moved from …". */
  effects() {
    return [...(state().effects ?? [])];
  },
  /** Counted asynchronous calls: in flight now, the most at once since the last reset, and how many were refused. */
  asyncCalls() {
    return asyncStats();
  },
  resetAsyncCalls() {
    resetAsyncStats();
  },
  /**
   * Makes the next `times` calls of `method` fail with an Office.Error, as Outlook does under load or after a
   * switch (9020 [#6806], 5001 [#826], 9019 [#3983]). Methods: 'loadCustomPropertiesAsync',
   * 'customProperties.saveAsync', 'getAllInternetHeadersAsync', 'internetHeaders.setAsync', 'saveAsync',
   * 'getItemIdAsync', 'roamingSettings.saveAsync', 'subject.getAsync', 'to.getAsync', 'start.getAsync', ...
   */
  failNext(method: string, error: { code: number; name?: string; message?: string }, times = 1) {
    injectFailure(method, officeError(error.code, error.name ?? 'Error', error.message ?? 'An error occurred.'), times);
  },
};
