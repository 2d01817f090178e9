import type { Activity, OutlookItem } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import {
  existingItemId,
  readComposeHeader,
  readInternetHeaders,
  saveNewItem,
  setInternetHeader,
  toOutlookItem,
  type ItemSnapshot,
} from '../office/item';
import { sameItem } from '../office/item-changes';
import { ItemMarkerTooLargeError, readItemProperty, writeItemProperty } from '../office/mailbox';
import { matchSentCopy } from './draft-matching';
import type { KnownLookup } from './pane-context';

/**
 * The header a compose draft carries: a recipient's copy can be matched to the draft's link with it, and the
 * draft proves with it that its custom property was written for it. It travels to external recipients too
 * (internet-headers.md, "Recommended practices"), so it tells them nothing: a neutral name and a random token,
 * no product, opportunity or advisor.
 */
export const TRACKING_HEADER = 'X-Message-Ref';
/** The header's earlier name, still read on mail sent before the change. */
const LEGACY_TRACKING_HEADER = 'X-Regarding-Token';
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
  /** The item this link was written for: see identityOf. Absent on links written before it existed. */
  for?: string;
  /** A draft's link: whether the draft carries TRACKING_HEADER (false where Outlook refused it: #5099, #4326). */
  header?: boolean;
}

/*
 * Which item a link describes. Classic Outlook on Windows copies an item's custom properties onto its reply and
 * forward drafts (office-js #2456, "won't fix"; #6750), and a sent copy keeps its draft's (metadata-for-an-outlook-
 * add-in.md). So the property records the identity of the item it was written for, and a property that does not
 * describe the item it is found on is ignored and removed, never shown, completed or removed on the service:
 * - a received or sent email: `message:<internetMessageId>` (the same in every mailbox), else `item:<itemId>`;
 * - a draft: `draft:<trackingToken>`. The draft carries the same token in TRACKING_HEADER, and Outlook copies an
 *   add-in's custom properties onto replies and forwards but not its internet headers, so a draft whose header
 *   does not hold the token holds a copy. Where Outlook refused the header (`header: false`) the property alone
 *   is trusted, and where Outlook cannot say (no internetHeaders) the property is ignored but kept;
 * - the sent copy of a draft keeps `draft:<token>` until the pane opens it: it is trusted only while the draft's
 *   activity is pending or was completed with this very message, and completing it rewrites it to the message's;
 * - an appointment: `item:<the id the service knows it by>`, a lookup hint rather than a check: an appointment's
 *   id changes when it moves (learn.microsoft.com/graph/outlook-immutable-id), and replies and forwards are
 *   messages, which never carry an appointment's identity as theirs.
 */
function identityOf(snapshot: ItemSnapshot, trackingToken: string | null): string | undefined {
  if (snapshot.mode === 'compose') return trackingToken ? `draft:${trackingToken}` : undefined;
  if (snapshot.internetMessageId) return `message:${snapshot.internetMessageId}`;
  return snapshot.itemId ? `item:${snapshot.itemId}` : undefined;
}

/** mine: written for this item; copied: written for another (remove it); unknown: cannot tell (ignore, keep). */
type Trust = 'mine' | 'copied' | 'unknown';

async function trustOf(snapshot: ItemSnapshot, link: ItemLink): Promise<Trust> {
  if (snapshot.kind === 'appointment') return 'mine';
  const claimed = link.for ?? (link.trackingToken ? `draft:${link.trackingToken}` : undefined);
  if (!claimed) return 'unknown';
  if (snapshot.mode === 'compose') {
    if (!claimed.startsWith('draft:')) return 'copied'; // a read item's link on a reply or forward draft
    const token = claimed.slice('draft:'.length);
    let header = await readComposeHeader(snapshot.handle, TRACKING_HEADER);
    if (header === null && link.for === undefined)
      header = await readComposeHeader(snapshot.handle, LEGACY_TRACKING_HEADER);
    if (header === token) return 'mine';
    if (typeof header === 'string') return 'copied';
    if (link.header === false) return 'mine'; // Outlook refused the header when it was linked
    return header === null ? 'copied' : 'unknown';
  }
  // A sent copy with its draft's link: checked against the draft's activity once it is found.
  if (claimed.startsWith('draft:')) return 'mine';
  return claimed === identityOf(snapshot, null) ? 'mine' : 'copied';
}

/** The item's link, when it was written for this item. A copy from another item is removed from it. */
async function trustedLink(snapshot: ItemSnapshot, signal: AbortSignal): Promise<ItemLink | null> {
  const found = await readItemProperty<ItemLink>(snapshot.handle, PROPERTY);
  if (!found) return null;
  const trust = await trustOf(snapshot, found);
  if (trust === 'mine') return found;
  if (trust === 'copied') await keep(snapshot, null, signal);
  return null;
}

/** The topic of what an activity is regarding; null when the service hides it from this advisor. */
function topicOf(regarding: NonNullable<Activity['regarding']>): string | null {
  return 'hidden' in regarding ? null : regarding.topic;
}

/** What the item keeps of an activity the service confirmed; null when it is regarding nothing. */
function confirmedLink(snapshot: ItemSnapshot, activity: Activity, header?: boolean): ItemLink | null {
  if (!activity.regarding) return null;
  const trackingToken = activity.outlook.trackingToken;
  return {
    opportunityId: activity.regarding.id,
    topic: topicOf(activity.regarding),
    activityId: activity.id,
    trackingToken,
    synced: true,
    for:
      snapshot.kind === 'appointment'
        ? activity.outlook.itemId
          ? `item:${activity.outlook.itemId}`
          : undefined
        : identityOf(snapshot, trackingToken),
    ...(snapshot.mode === 'compose' && header !== undefined ? { header } : {}),
  };
}

const FIELDS: (keyof ItemLink)[] = ['opportunityId', 'topic', 'activityId', 'trackingToken', 'synced', 'for', 'header'];
const sameLink = (a: ItemLink | null, b: ItemLink | null) =>
  a === b || (a !== null && b !== null && FIELDS.every((field) => a[field] === b[field]));

export interface FlowResult {
  activity: Activity | null;
  /** Set when the service could not be reached and the intent was kept on the item. */
  unsynced?: ItemLink;
  /** Set when an earlier, unsent change was completed now. */
  resumed?: boolean;
  /** The advisor's own drafts this sent copy can be, when more than one: the advisor picks (draft-matching.ts). */
  draftChoices?: Activity[];
  /** Set when the service has the link but the item could not carry Regarding's marker (Outlook's 2,500-character limit). */
  markerTooLarge?: boolean;
}

/** Thrown when the item changed (pinned pane) before the flow finished: nothing more may be written. */
export class ItemChangedError extends Error {}

/**
 * Thrown before anything is saved when linking would save a new meeting to the organizer's calendar: the
 * advisor is told and asked first (office.appointmentcompose.yml `saveAsync` remarks).
 */
export class MeetingSaveNeededError extends Error {
  constructor() {
    super(
      'Linking would save this meeting to your calendar (no invitation is sent until you send it): link it with Set Regarding, which asks you first, or save it in Outlook first.',
    );
  }
}

function guard(signal: AbortSignal): void {
  if (signal.aborted) throw new ItemChangedError('The selected item changed.');
}

/**
 * Before every write to Outlook: the item Outlook has now must still be the one the pane read. ItemChanged does
 * not fire for some items (office-js #1096, #3470, #5965, #6287; never on outlook.live.com, #6833), so the
 * pane's signal alone cannot promise it.
 */
async function ensureSameItem(snapshot: ItemSnapshot, signal: AbortSignal): Promise<void> {
  guard(signal);
  if (!(await sameItem(snapshot)))
    throw new ItemChangedError('Outlook now shows another item, so Regarding changed nothing on it.');
  guard(signal);
}

function headerToken(headers: string): string | null {
  for (const name of [TRACKING_HEADER, LEGACY_TRACKING_HEADER]) {
    const match = new RegExp(`^${name}:\\s*([0-9a-f-]{36})\\s*$`, 'im').exec(headers);
    if (match) return match[1].toLowerCase();
  }
  return null;
}

async function lookup(
  api: ApiClient,
  query: { internetMessageId?: string; trackingToken?: string; itemId?: string },
  signal: AbortSignal,
  answered?: KnownLookup | null,
) {
  if (
    answered &&
    answered.query.internetMessageId === query.internetMessageId &&
    answered.query.itemId === query.itemId &&
    !query.trackingToken
  )
    return answered.activity;
  try {
    return await api.call('lookupActivity', { query, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function save(snapshot: ItemSnapshot, link: ItemLink | null, signal: AbortSignal): Promise<void> {
  await ensureSameItem(snapshot, signal);
  await writeItemProperty(snapshot.handle, PROPERTY, link);
}

/** Saves the link on the item; false when the item cannot carry it (over Outlook's limit): the service still has it. */
async function keep(snapshot: ItemSnapshot, link: ItemLink | null, signal: AbortSignal): Promise<boolean> {
  try {
    await save(snapshot, link, signal);
    return true;
  } catch (error) {
    if (error instanceof ItemMarkerTooLargeError) return false;
    throw error;
  }
}

/** Whether a sent message is the linked draft as it was sent: the same subject and the same To and Cc. */
function isDraftAsSent(draft: Activity, sent: ItemSnapshot): boolean {
  const recipients = (people: { email: string; role: string }[]) =>
    [...new Set(people.filter((p) => p.role === 'to' || p.role === 'cc').map((p) => p.email.toLowerCase()))]
      .sort()
      .join(' ');
  return (
    draft.subject.trim() === sent.subject.trim() && recipients(draft.participants) === recipients(sent.participants)
  );
}

/**
 * What the item is regarding now. Resumes a change the service never confirmed, and completes a
 * compose-mode link once the sent copy (with its internetMessageId) is open. `answered`: the answer of its first
 * lookup, when the pane context brought it (pane-context.ts).
 */
export async function loadRegarding(
  api: ApiClient,
  snapshot: ItemSnapshot,
  signal: AbortSignal,
  answered?: KnownLookup | null,
): Promise<FlowResult> {
  const stored = await trustedLink(snapshot, signal);
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
      activity = await lookup(api, { internetMessageId: snapshot.internetMessageId }, signal, answered);
    if (!activity) {
      // A sent copy whose draft was linked: its token is on the item, or in the headers it was sent with. Mobile
      // has no getAllInternetHeadersAsync (outlook-mobile-apis.md): readInternetHeaders answers null there.
      const token =
        stored?.trackingToken ??
        (snapshot.mode === 'read' ? headerToken((await readInternetHeaders(snapshot.handle)) ?? '') : null);
      if (token) activity = await lookup(api, { trackingToken: token }, signal);
      // Neither: the service matches the advisor's own pending drafts (draft-matching.ts).
      else ({ activity, candidates: draftChoices } = await matchSentCopy(api, snapshot, signal));
      // The draft's link was completed by another message: this item holds a copy of that message's property
      // (a forward or reply of it, office-js #2456), never its own link.
      if (
        activity &&
        stored?.for?.startsWith('draft:') &&
        snapshot.mode === 'read' &&
        !activity.outlook.pending &&
        activity.outlook.internetMessageId !== snapshot.internetMessageId
      ) {
        await keep(snapshot, null, signal);
        return { activity: null };
      }
      // A pending draft found through the token this item carries is completed at once only if this message is
      // that draft as sent (its subject and recipients): a forward or reply sent without the pane ever seeing it
      // still carries a copy of the original's property (office-js #2456) and differs. Then the advisor is asked.
      if (activity?.outlook.pending && activity.outlook.trackingToken && !isDraftAsSent(activity, snapshot)) {
        draftChoices = [activity];
        activity = null;
      }
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
    if (itemId) activity = await lookup(api, { itemId }, signal, answered);
    // Ids change when an appointment moves to another calendar or folder (learn.microsoft.com/graph/outlook-
    // immutable-id; office.appointmentread.yml seriesId): the id the service knows it by is on the item.
    const known = stored?.for?.startsWith('item:') ? stored.for.slice('item:'.length) : null;
    if (!activity && known && known !== itemId) activity = await lookup(api, { itemId: known }, signal);
  }
  guard(signal);

  // A lookup that found nothing never erases a stored link: the activity may still exist under an id this
  // item no longer has (issue 12, point 13).
  if (!activity) return draftChoices.length > 0 ? { activity, draftChoices } : { activity };
  const current = confirmedLink(snapshot, activity, stored?.header);
  if (sameLink(current, stored)) return { activity };
  const kept = await keep(snapshot, current, signal);
  return kept ? { activity } : { activity, markerTooLarge: true };
}

/** Whether linking this item would first save it as a new meeting on the organizer's calendar. */
export async function isNewMeeting(snapshot: ItemSnapshot): Promise<boolean> {
  if (snapshot.kind !== 'appointment' || snapshot.mode !== 'compose' || snapshot.seriesId) return false;
  return (await existingItemId(snapshot.handle).catch(() => 'unknown')) === null;
}

/**
 * The item as Set Regarding sends it: a compose draft gets its tracking token (kept in an internet
 * header too, so a recipient's copy can be matched), a new appointment is saved to get its id, and only
 * with `saveNewMeeting` (the advisor agreed): otherwise MeetingSaveNeededError. An existing meeting is never
 * saved: saveAsync would send an update to added or removed attendees (office.appointmentcompose.yml).
 */
export async function prepareItem(
  snapshot: ItemSnapshot,
  stored: ItemLink | null,
  signal: AbortSignal,
  options: { saveNewMeeting?: boolean } = {},
): Promise<{ item: OutlookItem; trackingToken: string | null; header?: boolean }> {
  let trackingToken = stored?.trackingToken ?? null;
  let itemId: string | null = snapshot.itemId;
  let header: boolean | undefined;
  if (snapshot.kind === 'email' && snapshot.mode === 'compose') {
    trackingToken ??= crypto.randomUUID();
    await ensureSameItem(snapshot, signal);
    // A header Outlook refuses (classic Mac replies and forwards, #5099; Windows replies, #4326) never fails
    // the link: the draft's custom property carries the token to its sent copy.
    header = await setInternetHeader(snapshot.handle, TRACKING_HEADER, trackingToken);
  }
  if (snapshot.kind === 'appointment' && snapshot.mode === 'compose' && !snapshot.seriesId) {
    await ensureSameItem(snapshot, signal);
    itemId = await existingItemId(snapshot.handle);
    if (!itemId) {
      if (!options.saveNewMeeting) throw new MeetingSaveNeededError();
      await ensureSameItem(snapshot, signal);
      itemId = await saveNewItem(snapshot.handle);
    }
  }
  return { item: toOutlookItem(snapshot, { itemId, trackingToken }), trackingToken, header };
}

/** After a link made elsewhere (New Opportunity): remember it on the item, as Set Regarding does. */
export async function rememberLink(
  snapshot: ItemSnapshot,
  activity: Activity,
  signal: AbortSignal,
  header?: boolean,
): Promise<void> {
  const link = confirmedLink(snapshot, activity, header);
  if (link) await keep(snapshot, link, signal);
}

/**
 * The step a change of the regarding takes: record the intent on the item (unsynced) first, then
 * tell the service, then keep on the item what it confirmed. When the service cannot be reached,
 * the intent stays on the item and loadRegarding completes it the next time the item is opened; a
 * refused change (any other ApiError) has nothing to retry, so the item goes back to what was
 * confirmed before. An item that cannot carry the marker (Outlook's custom property limit) is still
 * linked on the service, and the result says so.
 */
async function changeRegarding(
  snapshot: ItemSnapshot,
  stored: ItemLink | null,
  intent: ItemLink,
  signal: AbortSignal,
  send: () => Promise<Activity>,
  confirmed: (activity: Activity) => ItemLink | null,
): Promise<FlowResult> {
  const intentKept = await keep(snapshot, intent, signal);
  try {
    const activity = await send();
    const kept = await keep(snapshot, confirmed(activity), signal);
    return kept ? { activity } : { activity, markerTooLarge: true };
  } catch (error) {
    if (error instanceof ApiError && error.unreachable && intentKept) return { activity: null, unsynced: intent };
    if (error instanceof ApiError) await keep(snapshot, stored?.synced ? stored : null, signal); // refused: nothing to retry
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
  options: { saveNewMeeting?: boolean } = {},
): Promise<FlowResult> {
  const stored = previous === undefined ? await trustedLink(snapshot, signal) : previous;
  guard(signal);
  const { item, trackingToken, header } = await prepareItem(snapshot, stored, signal, options);
  const intent: ItemLink = {
    opportunityId: opportunity.id,
    topic: opportunity.topic,
    activityId: stored?.activityId ?? null,
    trackingToken,
    synced: false,
    for:
      snapshot.kind === 'appointment'
        ? item.itemId
          ? `item:${item.itemId}`
          : undefined
        : identityOf(snapshot, trackingToken),
    ...(header !== undefined ? { header } : stored?.header !== undefined ? { header: stored.header } : {}),
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
  const stored = previous === undefined ? await trustedLink(snapshot, signal) : previous;
  if (activityId === null) {
    await keep(snapshot, null, signal);
    return { activity: null };
  }
  const intent: ItemLink = {
    opportunityId: null,
    topic: null,
    activityId,
    trackingToken: stored?.trackingToken ?? null,
    synced: false,
    for: stored?.for ?? (snapshot.kind === 'email' ? identityOf(snapshot, stored?.trackingToken ?? null) : undefined),
    ...(stored?.header !== undefined ? { header: stored.header } : {}),
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
