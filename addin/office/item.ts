import type { OutlookItem, Participant } from '../../shared/schemas/activities';
import { officeCall } from './async';
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
function currentItem(): AnyItem | null {
  return (outlookMailbox()?.item as AnyItem | null | undefined) ?? null;
}

function isCompose(item: AnyItem): boolean {
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
function isItemType(item: ItemHandle, type: Office.MailboxEnums.ItemType): boolean {
  return item.itemType === (type as string);
}

/** Reads the current item; null when the pane has no item (for example, several are selected). */
export async function readCurrentItem(): Promise<ItemSnapshot | null> {
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
  };
}

/**
 * The item's Exchange id; a compose item is saved first (a new appointment has no id until then).
 * Appointment ids are what identify a meeting for Set Regarding.
 */
export async function saveAndGetItemId(item: ItemHandle): Promise<string> {
  if (!isCompose(item)) return item.itemId;
  const saved = await officeCall<string>((cb) => item.saveAsync(cb));
  return saved || officeCall<string>((cb) => item.getItemIdAsync(cb));
}

/** The id of a compose item that was saved before (an existing appointment), without saving it; else null. */
export async function savedItemId(item: ItemHandle): Promise<string | null> {
  if (!isCompose(item)) return item.itemId ?? null;
  return officeCall<string>((cb) => item.getItemIdAsync(cb)).catch(() => null);
}

/** All internet headers of a read-mode message (Mailbox 1.8), as one string. */
export function readInternetHeaders(item: ItemHandle): Promise<string> {
  if (isCompose(item) || !isItemType(item, Office.MailboxEnums.ItemType.Message)) return Promise.resolve('');
  return officeCall<string>((cb) => item.getAllInternetHeadersAsync(cb));
}

/** Sets an internet header on the message being composed; it travels with the sent message. */
export function setInternetHeader(item: ItemHandle, name: string, value: string): Promise<void> {
  if (!isCompose(item) || !item.internetHeaders) return Promise.resolve();
  return officeCall<void>((cb) => item.internetHeaders.setAsync({ [name]: value }, cb));
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
  };
}
