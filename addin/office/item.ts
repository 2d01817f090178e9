import type { OutlookItem, Participant } from '../../shared/schemas/activities';
import { dropNul } from '../../shared/text';
import { OfficeError, officeCall } from './async';
import { outlookMailbox } from './host';

/** What the pane knows about the Outlook item it is open on, read once per item. */
export interface ItemSnapshot {
  /** The Office.js item this snapshot was read from: writes go to it, never to whatever is selected later. */
  handle: ItemHandle;
  kind: 'email' | 'appointment';
  /** read: a received or sent email, or an appointment as attendee; compose: a draft, or an appointment as organizer. */
  mode: 'read' | 'compose';
  itemId: string | null;
  seriesId: string | null;
  internetMessageId: string | null;
  conversationId: string | null;
  subject: string;
  participants: Participant[];
  sentAt: string | null;
  startAt: string | null;
  endAt: string | null;
  location: string | null;
  /** The owner of the shared folder or shared mailbox the item is in; null in the user's own mailbox. */
  mailbox: string | null;
}

export type ItemHandle = Office.MessageRead &
  Office.MessageCompose &
  Office.AppointmentRead &
  Office.AppointmentCompose;
type AnyItem = ItemHandle;

const address = (detail: Office.EmailAddressDetails, role: Participant['role']): Participant => ({
  email: detail.emailAddress.toLowerCase(),
  name: detail.displayName || undefined,
  role,
});

/** The item the pane is open on; null when there is none, or no mailbox at all (outside Outlook). */
export function currentItem(): AnyItem | null {
  return (outlookMailbox()?.item as AnyItem | null | undefined) ?? null;
}

export function isCompose(item: AnyItem): boolean {
  // In compose forms, subject is an object with getAsync; in read forms, a string.
  return typeof (item.subject as unknown) !== 'string';
}

function recipients(field: Office.Recipients | undefined): Promise<Office.EmailAddressDetails[]> {
  return field ? officeCall<Office.EmailAddressDetails[]>((cb) => field.getAsync(cb)) : Promise.resolve([]);
}

function iso(value: Date | string | undefined | null): string | null {
  if (!value) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Office.js types itemType as its enum or a string; Outlook gives the enum's string value. */
export function isItemType(item: ItemHandle, type: Office.MailboxEnums.ItemType): boolean {
  return item.itemType === (type as string);
}

/**
 * The owner's address when the item is in a shared folder (delegate access, Mailbox 1.8) or a shared mailbox (1.13);
 * null in the user's own mailbox, where Outlook answers getSharedPropertiesAsync with a failure (delegate-access.md,
 * "Identify if a folder or mailbox is shared"), and where the method is missing: Outlook on iOS and Android
 * (office.messageread.yml getSharedPropertiesAsync: "isn't supported in Outlook on iOS or on Android").
 */
async function sharedMailboxOwner(item: AnyItem): Promise<string | null> {
  if (typeof item.getSharedPropertiesAsync !== 'function') return null;
  try {
    const shared = await officeCall<Office.SharedProperties>((cb) => item.getSharedPropertiesAsync(cb));
    const owner = shared?.owner?.trim().toLowerCase();
    return owner && owner !== outlookMailbox()?.userProfile?.emailAddress?.toLowerCase() ? owner : null;
  } catch {
    return null;
  }
}

/** Reads the current item; null when the pane has no item (for example, several are selected). */
export async function readCurrentItem(): Promise<ItemSnapshot | null> {
  const snapshot = await readSnapshot();
  return snapshot && withoutNul(snapshot);
}

const dropNulOrNull = (text: string | null) => text && dropNul(text);

/**
 * The snapshot with every NUL character (a malformed message's) taken out of its text, once, where it is read: the
 * service refuses text an advisor sends with one (a customer's name prefilled from a participant), and a sent copy's
 * subject is compared with its draft's as the service stored it.
 */
function withoutNul(snapshot: ItemSnapshot): ItemSnapshot {
  return {
    ...snapshot,
    itemId: dropNulOrNull(snapshot.itemId),
    seriesId: dropNulOrNull(snapshot.seriesId),
    internetMessageId: dropNulOrNull(snapshot.internetMessageId),
    conversationId: dropNulOrNull(snapshot.conversationId),
    subject: dropNul(snapshot.subject),
    participants: snapshot.participants.map((person) =>
      person.name === undefined ? person : { ...person, name: dropNul(person.name) || undefined },
    ),
    location: dropNulOrNull(snapshot.location),
  };
}

async function readSnapshot(): Promise<ItemSnapshot | null> {
  const item = currentItem();
  if (!item) return null;
  const kind = isItemType(item, Office.MailboxEnums.ItemType.Appointment) ? 'appointment' : 'email';
  if (!isCompose(item)) {
    const people: Participant[] =
      kind === 'email'
        ? [
            ...(item.from ? [address(item.from, 'from')] : []),
            ...(item.to ?? []).map((r) => address(r, 'to')),
            ...(item.cc ?? []).map((r) => address(r, 'cc')),
          ]
        : [
            ...(item.organizer ? [address(item.organizer, 'organizer')] : []),
            ...[
              ...((item.requiredAttendees as Office.EmailAddressDetails[]) ?? []),
              ...((item.optionalAttendees as Office.EmailAddressDetails[]) ?? []),
            ].map((r) => address(r, 'attendee')),
          ];
    return {
      handle: item,
      kind,
      mode: 'read',
      itemId: item.itemId ?? null,
      seriesId: item.seriesId || null,
      internetMessageId: kind === 'email' ? item.internetMessageId || null : null,
      conversationId: item.conversationId || null,
      subject: item.subject ?? '',
      participants: people,
      sentAt: kind === 'email' ? iso(item.dateTimeCreated) : null,
      startAt: kind === 'appointment' ? iso(item.start) : null,
      endAt: kind === 'appointment' ? iso(item.end) : null,
      location: kind === 'appointment' ? item.location || null : null,
      mailbox: await sharedMailboxOwner(item),
    };
  }

  const subject = await officeCall<string>((cb) => item.subject.getAsync(cb));
  if (kind === 'email') {
    const [to, cc] = await Promise.all([recipients(item.to), recipients(item.cc)]);
    return {
      handle: item,
      kind,
      mode: 'compose',
      itemId: null,
      seriesId: null,
      internetMessageId: null,
      conversationId: item.conversationId || null,
      subject,
      participants: [...to.map((r) => address(r, 'to')), ...cc.map((r) => address(r, 'cc'))],
      sentAt: null,
      startAt: null,
      endAt: null,
      location: null,
      mailbox: await sharedMailboxOwner(item),
    };
  }
  const [required, optional, start, end, location] = await Promise.all([
    recipients(item.requiredAttendees),
    recipients(item.optionalAttendees),
    officeCall<Date>((cb) => item.start.getAsync(cb)),
    officeCall<Date>((cb) => item.end.getAsync(cb)),
    officeCall<string>((cb) => item.location.getAsync(cb)),
  ]);
  return {
    handle: item,
    kind,
    mode: 'compose',
    itemId: null,
    seriesId: item.seriesId || null,
    internetMessageId: null,
    conversationId: null,
    subject,
    participants: [...required, ...optional].map((r) => address(r, 'attendee')),
    sentAt: null,
    startAt: iso(start),
    endAt: iso(end),
    location: location || null,
    mailbox: await sharedMailboxOwner(item),
  };
}

/** Outlook's answer when getItemIdAsync is asked for the id of an item that was never saved (office.messagecompose.yml). */
function isNotSaved(error: unknown): boolean {
  return error instanceof OfficeError && (error.code === 9055 || error.officeName === 'ItemNotSaved');
}

/**
 * The item's Exchange id without saving it: a read item's itemId, or for a compose item the id it has
 * if it was saved before (an existing meeting being edited); null for one never saved. The reference
 * says: "If the item is already saved, call getItemIdAsync instead" of saving (office.messageread.yml
 * `itemId`; getItemIdAsync, Mailbox 1.8). Any other failure is thrown, so an existing meeting is never
 * mistaken for a new one.
 */
export async function existingItemId(item: ItemHandle): Promise<string | null> {
  if (!isCompose(item)) return item.itemId || null;
  if (typeof item.getItemIdAsync !== 'function') return null; // before Mailbox 1.8, and on mobile: unknown
  try {
    return (await officeCall<string>((cb) => item.getItemIdAsync(cb))) || null;
  } catch (error) {
    if (isNotSaved(error)) return null;
    throw error;
  }
}

/**
 * Saves a new compose item (a meeting never saved) and returns its id. What saveAsync does
 * (office.appointmentcompose.yml `saveAsync` remarks): appointments have no draft state, so a new
 * one is saved to the organizer's calendar as a normal appointment with no invitations sent (it stays
 * there if the advisor then discards the form); on an existing meeting it sends an update to added or
 * removed attendees without the advisor pressing Send. So this refuses an item that was saved before,
 * and the flow calls it only after telling the advisor. In cached mode the id may not be usable until
 * the item syncs (getItemIdAsync remarks). Not on mobile (outlook-mobile-apis.md).
 */
export async function saveNewItem(item: ItemHandle): Promise<string> {
  if (!isCompose(item)) throw new Error('Only an item being composed can be saved.');
  if (typeof item.saveAsync !== 'function')
    throw new Error('This Outlook cannot save the item from an add-in: save or send it in Outlook first.');
  if (await existingItemId(item))
    throw new Error('This item was saved before: saving it again would send updates to its attendees.');
  const saved = await officeCall<string>((cb) => item.saveAsync(cb));
  return saved || officeCall<string>((cb) => item.getItemIdAsync(cb));
}

/**
 * All internet headers of a received message, as one string; '' where headers do not apply (a
 * compose item, an appointment); null when this Outlook cannot say: getAllInternetHeadersAsync
 * (Mailbox 1.8) is missing on mobile (outlook-mobile-apis.md), or the call failed. The headers are a
 * fallback, so a failure never fails the caller. An empty string can also mean the sender's own Sent
 * Items copy, which has none (office-js #4773, #6796).
 */
export async function readInternetHeaders(item: ItemHandle): Promise<string | null> {
  if (isCompose(item) || !isItemType(item, Office.MailboxEnums.ItemType.Message)) return '';
  if (typeof item.getAllInternetHeadersAsync !== 'function') return null;
  try {
    return await officeCall<string>((cb) => item.getAllInternetHeadersAsync(cb));
  } catch {
    return null;
  }
}

/**
 * Sets an internet header on the message being composed (it travels with the sent message, to
 * external recipients too); true when Outlook accepted it. Never throws: the call is missing on older
 * mobile clients and can fail (classic Mac replies and forwards, office-js #5099; Windows replies,
 * #4326; the 256 KB header quota, internet-headers.md), and a header is only a fallback for the link.
 */
export async function setInternetHeader(item: ItemHandle, name: string, value: string): Promise<boolean> {
  if (!isCompose(item) || typeof item.internetHeaders?.setAsync !== 'function') return false;
  try {
    await officeCall<void>((cb) => item.internetHeaders.setAsync({ [name]: value }, cb));
    return true;
  } catch {
    return false;
  }
}

/**
 * One internet header of the message being composed: its value, null when the draft does not carry it,
 * undefined when this Outlook cannot say (internetHeaders is missing, or the call failed). Headers set by
 * the add-in are not copied onto replies and forwards, unlike custom properties (office-js #2456).
 */
export async function readComposeHeader(item: ItemHandle, name: string): Promise<string | null | undefined> {
  if (!isCompose(item) || typeof item.internetHeaders?.getAsync !== 'function') return undefined;
  try {
    const headers = await officeCall<Record<string, string>>((cb) => item.internetHeaders.getAsync([name], cb));
    return headers[name] ?? null;
  } catch {
    return undefined;
  }
}

/** The item data Set Regarding sends to the service; identity rules in shared/schemas/activities.ts. */
export function toOutlookItem(
  snapshot: ItemSnapshot,
  ids: { itemId?: string | null; trackingToken?: string | null },
): OutlookItem {
  const itemId =
    snapshot.kind === 'appointment'
      ? snapshot.seriesId || ids.itemId || snapshot.itemId
      : (ids.itemId ?? snapshot.itemId);
  return {
    kind: snapshot.kind,
    internetMessageId: snapshot.internetMessageId ?? undefined,
    trackingToken: ids.trackingToken ?? undefined,
    itemId: itemId ?? undefined,
    conversationId: snapshot.conversationId ?? undefined,
    subject: snapshot.subject.slice(0, 1000),
    participants: snapshot.participants.slice(0, 500),
    sentAt: snapshot.sentAt ?? undefined,
    startAt: snapshot.startAt ?? undefined,
    endAt: snapshot.endAt ?? undefined,
    location: snapshot.location ?? undefined,
    mailbox: snapshot.mailbox ?? undefined,
  };
}
