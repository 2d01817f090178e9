import type { Activity, OutlookItem } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import {
  existingItemId,
  readInternetHeaders,
  saveNewItem,
  setInternetHeader,
  toOutlookItem,
  type ItemSnapshot,
} from '../office/item';
import { readItemProperty, writeItemProperty } from '../office/mailbox';
import { matchSentCopy } from './draft-matching';

/** The header a compose draft carries, so its sent copy can be matched to the draft's link. */
export const TRACKING_HEADER = 'X-Regarding-Token';
const PROPERTY = 'regarding';

/**
 * What Regarding keeps on the Outlook item itself (a custom property), so a later open shows the
 * link at once and an intended change survives the service being unreachable.
 */
export interface ItemLink {
  /** null: a removal is intended. */
  opportunityId: number | null;
  topic: string | null;
  activityId: number | null;
  trackingToken: string | null;
  /** false while the service has not confirmed it: retried when the item is next opened. */
  synced: boolean;
}

/** The topic of what an activity is regarding; null when the service hides it from this advisor. */
function topicOf(regarding: NonNullable<Activity['regarding']>): string | null {
  return 'hidden' in regarding ? null : regarding.topic;
}

/** What the item keeps of an activity the service confirmed; null when it is regarding nothing. */
function confirmedLink(activity: Activity): ItemLink | null {
  if (!activity.regarding) return null;
  return {
    opportunityId: activity.regarding.id,
    topic: topicOf(activity.regarding),
    activityId: activity.id,
    trackingToken: activity.outlook.trackingToken,
    synced: true,
  };
}

export interface FlowResult {
  activity: Activity | null;
  /** Set when the service could not be reached and the intent was kept on the item. */
  unsynced?: ItemLink;
  /** Set when an earlier, unsent change was completed now. */
  resumed?: boolean;
  /** The advisor's own drafts this sent copy can be, when more than one: the advisor picks (draft-matching.ts). */
  draftChoices?: Activity[];
}

/** Thrown when the item changed (pinned pane) before the flow finished: nothing more may be written. */
export class ItemChangedError extends Error {}

function guard(signal: AbortSignal): void {
  if (signal.aborted) throw new ItemChangedError('The selected item changed.');
}

function headerToken(headers: string): string | null {
  const match = new RegExp(`^${TRACKING_HEADER}:\\s*([0-9a-f-]{36})\\s*$`, 'im').exec(headers);
  return match ? match[1].toLowerCase() : null;
}

async function lookup(
  api: ApiClient,
  query: { internetMessageId?: string; trackingToken?: string; itemId?: string },
  signal: AbortSignal,
) {
  try {
    return await api.call('lookupActivity', { query, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function save(snapshot: ItemSnapshot, link: ItemLink | null, signal: AbortSignal): Promise<void> {
  guard(signal);
  await writeItemProperty(snapshot.handle, PROPERTY, link);
}

/**
 * What the item is regarding now. Resumes a change the service never confirmed, and completes a
 * compose-mode link once the sent copy (with its internetMessageId) is open.
 */
export async function loadRegarding(api: ApiClient, snapshot: ItemSnapshot, signal: AbortSignal): Promise<FlowResult> {
  const stored = await readItemProperty<ItemLink>(snapshot.handle, PROPERTY);
  guard(signal);
  if (stored && !stored.synced) {
    const resumed =
      stored.opportunityId !== null
        ? await linkItem(api, snapshot, { id: stored.opportunityId, topic: stored.topic ?? '' }, signal, stored)
        : await removeLink(api, snapshot, stored.activityId, signal, stored);
    return { ...resumed, resumed: !resumed.unsynced };
  }

  let activity: Activity | null = null;
  let draftChoices: Activity[] = [];
  if (snapshot.kind === 'email') {
    if (snapshot.internetMessageId)
      activity = await lookup(api, { internetMessageId: snapshot.internetMessageId }, signal);
    if (!activity) {
      // A sent copy whose draft was linked: its token is on the item, or in the headers it was sent with.
      const token =
        stored?.trackingToken ??
        (snapshot.mode === 'read' ? headerToken((await readInternetHeaders(snapshot.handle)) ?? '') : null);
      if (token) activity = await lookup(api, { trackingToken: token }, signal);
      // Neither: the service matches the advisor's own pending drafts (draft-matching.ts).
      else ({ activity, candidates: draftChoices } = await matchSentCopy(api, snapshot, signal));
    }
    // Only the draft's linker completes it (the service shows a tracking token to its writer alone); a
    // recipient whose copy carries the header sees the pending link as it is.
    if (activity?.outlook.pending && activity.outlook.trackingToken && snapshot.internetMessageId) {
      activity = await api.call('completeSent', {
        params: { id: activity.id },
        body: {
          internetMessageId: snapshot.internetMessageId,
          conversationId: snapshot.conversationId ?? undefined,
          sentAt: snapshot.sentAt ?? undefined,
        },
        signal,
      });
    }
  } else {
    const itemId = snapshot.seriesId ?? (await existingItemId(snapshot.handle).catch(() => null));
    if (itemId) activity = await lookup(api, { itemId }, signal);
  }
  guard(signal);

  const current = activity ? confirmedLink(activity) : null;
  if (JSON.stringify(current) !== JSON.stringify(stored)) await save(snapshot, current, signal);
  return draftChoices.length > 0 ? { activity, draftChoices } : { activity };
}

/**
 * The item as Set Regarding sends it: a compose draft gets its tracking token (kept in an internet
 * header too, so the sent copy can be matched), a new appointment is saved to get its id.
 */
export async function prepareItem(
  snapshot: ItemSnapshot,
  stored: ItemLink | null,
  signal: AbortSignal,
): Promise<{ item: OutlookItem; trackingToken: string | null }> {
  let trackingToken = stored?.trackingToken ?? null;
  let itemId: string | null = snapshot.itemId;
  if (snapshot.kind === 'email' && snapshot.mode === 'compose') {
    trackingToken ??= crypto.randomUUID();
    guard(signal);
    await setInternetHeader(snapshot.handle, TRACKING_HEADER, trackingToken);
  }
  if (snapshot.kind === 'appointment' && snapshot.mode === 'compose' && !snapshot.seriesId) {
    guard(signal);
    itemId = (await existingItemId(snapshot.handle)) ?? (await saveNewItem(snapshot.handle));
  }
  return { item: toOutlookItem(snapshot, { itemId, trackingToken }), trackingToken };
}

/** After a link made elsewhere (New Opportunity): remember it on the item, as Set Regarding does. */
export async function rememberLink(snapshot: ItemSnapshot, activity: Activity, signal: AbortSignal): Promise<void> {
  const link = confirmedLink(activity);
  if (link) await save(snapshot, link, signal);
}

/**
 * The step a change of the regarding takes: record the intent on the item (unsynced) first, then
 * tell the service, then keep on the item what it confirmed. When the service cannot be reached,
 * the intent stays on the item and loadRegarding completes it the next time the item is opened; a
 * refused change (any other ApiError) has nothing to retry, so the item goes back to what was
 * confirmed before.
 */
async function changeRegarding(
  snapshot: ItemSnapshot,
  stored: ItemLink | null,
  intent: ItemLink,
  signal: AbortSignal,
  send: () => Promise<Activity>,
  confirmed: (activity: Activity) => ItemLink | null,
): Promise<FlowResult> {
  await save(snapshot, intent, signal);
  try {
    const activity = await send();
    await save(snapshot, confirmed(activity), signal);
    return { activity };
  } catch (error) {
    if (error instanceof ApiError && error.unreachable) return { activity: null, unsynced: intent };
    if (error instanceof ApiError) await save(snapshot, stored?.synced ? stored : null, signal); // refused: nothing to retry
    throw error;
  }
}

/** Set Regarding: records the intent on the item first, then tells the service; idempotent, so a retry never links twice. */
export async function linkItem(
  api: ApiClient,
  snapshot: ItemSnapshot,
  opportunity: { id: number; topic: string },
  signal: AbortSignal,
  previous?: ItemLink | null,
): Promise<FlowResult> {
  const stored = previous === undefined ? await readItemProperty<ItemLink>(snapshot.handle, PROPERTY) : previous;
  guard(signal);
  const { item, trackingToken } = await prepareItem(snapshot, stored, signal);
  const intent: ItemLink = {
    opportunityId: opportunity.id,
    topic: opportunity.topic,
    activityId: stored?.activityId ?? null,
    trackingToken,
    synced: false,
  };
  return changeRegarding(
    snapshot,
    stored,
    intent,
    signal,
    () => api.call('setRegarding', { body: { item, opportunityId: opportunity.id }, signal }),
    (activity) => ({ ...intent, activityId: activity.id, synced: true }),
  );
}

/** Removes the regarding, as linkItem links: the intent on the item first, then the service. */
export async function removeLink(
  api: ApiClient,
  snapshot: ItemSnapshot,
  activityId: number | null,
  signal: AbortSignal,
  previous?: ItemLink | null,
): Promise<FlowResult> {
  const stored = previous === undefined ? await readItemProperty<ItemLink>(snapshot.handle, PROPERTY) : previous;
  if (activityId === null) {
    await save(snapshot, null, signal);
    return { activity: null };
  }
  const intent: ItemLink = {
    opportunityId: null,
    topic: null,
    activityId,
    trackingToken: stored?.trackingToken ?? null,
    synced: false,
  };
  return changeRegarding(
    snapshot,
    stored,
    intent,
    signal,
    () => api.call('removeRegarding', { params: { id: activityId }, signal }),
    () => null,
  );
}
