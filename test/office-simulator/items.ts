/**
 * The Office.js item objects (MessageRead / MessageCompose / AppointmentRead / AppointmentCompose) for a
 * simulated item, as the active profile shapes them: members it lacks are undefined, its limits and
 * quirks hold.
 */
import { asyncCall, officeError, succeed, type CountedCall } from './async';
import type { OptionalApi } from './profiles';
import { activeProfile, mailboxStore, persist, recordEffect, type ItemSpec, type PersonSpec } from './state';

const state = () => mailboxStore.state;
const lacks = (api: OptionalApi) => activeProfile().missing.includes(api);

/** EWS and REST ids differ in two characters ([REF] office.mailbox.yml convertToRestId: '/' and '+' vs '-' and '_'). */
export const toRestId = (ewsId: string) => ewsId.replace(/\//g, '-').replace(/\+/g, '_');
export const toEwsId = (restId: string) => restId.replace(/-/g, '/').replace(/_/g, '+');

const details = (person: PersonSpec): Office.EmailAddressDetails =>
  ({
    emailAddress: person.email,
    displayName: person.name ?? person.email,
    recipientType: 'externalUser',
  }) as Office.EmailAddressDetails;

/** The characters the custom property limit counts: the add-in's whole property bag, serialised. */
export const customPropertiesSize = (values: Record<string, unknown>) => JSON.stringify(values).length;

function customPropertiesFor(itemId: string): Office.CustomProperties {
  const values = { ...(state().customProperties[itemId] ?? {}) };
  return {
    get: (name: string) => values[name],
    set: (name: string, value: unknown) => {
      values[name] = value;
    },
    remove: (name: string) => {
      delete values[name];
    },
    getAll: () => ({ ...values }),
    saveAsync: (...args: unknown[]) =>
      asyncCall<void>(
        'customProperties.saveAsync',
        args,
        () => {
          const limit = activeProfile().limits.customPropertiesChars;
          // [PR] limits-...md: "All the Outlook clients return an error if the total size of all custom properties
          // of an add-in exceeds this limit." Which error is not documented: the generic 5001 here.
          if (customPropertiesSize(values) > limit)
            return {
              error: officeError(5001, 'Internal Error', `Custom properties exceed ${limit} characters for this item.`),
            };
          state().customProperties[itemId] = { ...values };
          persist();
          return { value: undefined };
        },
        'customProperties.saveAsync',
      ),
  };
}

/** A compose-mode field: `getAsync` and `setAsync`, as in Office.Subject / Office.Location / Office.Time. */
function field<T>(name: string, counted: CountedCall, read: () => T, write?: (value: T) => void) {
  return {
    getAsync: (...args: unknown[]) => asyncCall<T>(`${name}.getAsync`, args, () => ({ value: read() }), counted),
    setAsync: (value: T, ...args: unknown[]) =>
      asyncCall<void>(
        `${name}.setAsync`,
        args,
        () => {
          write?.(value);
          persist();
          return { value: undefined };
        },
        counted,
      ),
  };
}

function recipients(name: string, read: () => PersonSpec[] | undefined) {
  return {
    getAsync: (...args: unknown[]) =>
      succeed<Office.EmailAddressDetails[]>(`${name}.getAsync`, args, (read() ?? []).map(details), 'recipients'),
    setAsync: (_: unknown, ...args: unknown[]) => succeed<void>(`${name}.setAsync`, args, undefined, 'recipients'),
    addAsync: (_: unknown, ...args: unknown[]) => succeed<void>(`${name}.addAsync`, args, undefined, 'recipients'),
  };
}

function headersText(spec: ItemSpec): string {
  // [#4773], [#6796]: the sender's Sent Items copy answers "" with success, although the message carried them.
  if (spec.inSentItems && activeProfile().quirks.sentItemsHeadersEmpty) return '';
  return Object.entries(spec.headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
}

function readItem(spec: ItemSpec, common: Record<string, unknown>): Record<string, unknown> {
  const live = () => state().items[spec.id] ?? spec;
  const seriesId = spec.seriesId && activeProfile().quirks.seriesIdIsRestId ? toRestId(spec.seriesId) : spec.seriesId;
  return {
    ...common,
    itemId: spec.id,
    subject: spec.subject ?? '',
    seriesId: seriesId ?? null,
    internetMessageId: spec.type === 'message' ? (spec.internetMessageId ?? null) : undefined,
    dateTimeCreated: spec.dateTimeCreated ? new Date(spec.dateTimeCreated) : new Date(),
    from: spec.from ? details(spec.from) : undefined,
    to: (spec.to ?? []).map(details),
    cc: (spec.cc ?? []).map(details),
    organizer: spec.organizer ? details(spec.organizer) : undefined,
    requiredAttendees: (spec.requiredAttendees ?? []).map(details),
    optionalAttendees: (spec.optionalAttendees ?? []).map(details),
    start: spec.start ? new Date(spec.start) : undefined,
    end: spec.end ? new Date(spec.end) : undefined,
    location: spec.location ?? '',
    getAllInternetHeadersAsync: lacks('getAllInternetHeadersAsync')
      ? undefined
      : (...args: unknown[]) => succeed<string>('getAllInternetHeadersAsync', args, headersText(live())),
  };
}

function internetHeaders(spec: ItemSpec) {
  const live = () => state().items[spec.id] ?? spec;
  return {
    setAsync: (headers: Record<string, string>, ...args: unknown[]) =>
      asyncCall<void>('internetHeaders.setAsync', args, () => {
        // [#5099]: classic Mac, reply or forward: 5001, won't fix.
        if (activeProfile().quirks.headerSetFailsOnReplies && ['reply', 'forward'].includes(live().composeType ?? ''))
          return { error: officeError(5001, 'Internal Error', 'An internal error has occurred.') };
        state().items[spec.id].headers = { ...(live().headers ?? {}), ...headers };
        persist();
        return { value: undefined };
      }),
    getAsync: (names: string[], ...args: unknown[]) =>
      succeed<Record<string, string>>(
        'internetHeaders.getAsync',
        args,
        Object.fromEntries(names.filter((n) => live().headers?.[n] !== undefined).map((n) => [n, live().headers![n]])),
      ),
    removeAsync: (names: string[], ...args: unknown[]) =>
      asyncCall<void>('internetHeaders.removeAsync', args, () => {
        for (const name of names) delete state().items[spec.id].headers?.[name];
        persist();
        return { value: undefined };
      }),
  };
}

/**
 * [REF] office.appointmentcompose.yml saveAsync: an appointment has no draft state; a new one is saved to the
 * calendar without invitations, an existing one sends an update to added or removed attendees. A message is
 * saved to Drafts.
 */
function save(spec: ItemSpec): string {
  const live = state().items[spec.id];
  state().log.push({ method: 'saveAsync', args: spec.id });
  if (spec.type === 'message') recordEffect(spec.id, 'saved to Drafts');
  else if (!live.saved) recordEffect(spec.id, 'saved to calendar');
  else if ((live.requiredAttendees?.length ?? 0) + (live.optionalAttendees?.length ?? 0) > 0)
    recordEffect(spec.id, 'update sent to attendees');
  else recordEffect(spec.id, 'saved to calendar');
  live.saved = true;
  persist();
  return spec.id;
}

function composeItem(spec: ItemSpec, common: Record<string, unknown>): Record<string, unknown> {
  const live = () => state().items[spec.id] ?? spec;
  return {
    ...common,
    subject: field(
      'subject',
      'subject',
      () => live().subject ?? '',
      (value: string) => (state().items[spec.id].subject = value),
    ),
    to: recipients('to', () => live().to),
    cc: recipients('cc', () => live().cc),
    requiredAttendees: recipients('requiredAttendees', () => live().requiredAttendees),
    optionalAttendees: recipients('optionalAttendees', () => live().optionalAttendees),
    start: field('start', 'time', () => new Date(live().start ?? Date.now())),
    end: field('end', 'time', () => new Date(live().end ?? Date.now())),
    location: field('location', 'location', () => live().location ?? ''),
    seriesId: spec.seriesId ?? null,
    internetHeaders: lacks('internetHeaders') ? undefined : internetHeaders(spec),
    saveAsync: lacks('saveAsync')
      ? undefined
      : (...args: unknown[]) => asyncCall<string>('saveAsync', args, () => ({ value: save(spec) })),
    getItemIdAsync: lacks('getItemIdAsync')
      ? undefined
      : (...args: unknown[]) =>
          asyncCall<string>('getItemIdAsync', args, () =>
            live().saved
              ? { value: spec.id }
              : { error: officeError(9055, 'ItemNotSaved', "The item hasn't been saved yet.") },
          ),
  };
}

/**
 * [PR] delegate-access.md "Identify if a folder or mailbox is shared": in a shared folder or shared mailbox the
 * call answers the owner's address and the user's permissions; otherwise it fails (no error code is documented:
 * the generic 5001 here). Classic Windows, web, new Outlook and Mac support it (its "Supported clients" table).
 */
function getSharedPropertiesAsync(spec: ItemSpec) {
  if (lacks('getSharedPropertiesAsync')) return undefined;
  return (...args: unknown[]) =>
    asyncCall<Office.SharedProperties>('getSharedPropertiesAsync', args, () =>
      spec.sharedMailbox
        ? {
            value: {
              owner: spec.sharedMailbox,
              targetMailbox: spec.sharedMailbox,
              targetRestUrl: 'https://outlook.office.com/api',
              // Read, Write, DeleteOwn, EditOwn: an assistant's usual delegate rights.
              delegatePermissions: 1 | 2 | 4 | 16,
            },
          }
        : { error: officeError(5001, 'Internal Error', "The current folder or mailbox isn't shared.") },
    );
}

/** The Office.js item object for an item. */
export function itemObject(spec: ItemSpec): Record<string, unknown> {
  const common = {
    itemType: spec.type,
    getSharedPropertiesAsync: getSharedPropertiesAsync(spec),
    conversationId: spec.conversationId ?? null,
    loadCustomPropertiesAsync: (...args: unknown[]) =>
      succeed<Office.CustomProperties>(
        'loadCustomPropertiesAsync',
        args,
        customPropertiesFor(spec.id),
        'loadCustomPropertiesAsync',
      ),
  };
  return spec.mode === 'read' ? readItem(spec, common) : composeItem(spec, common);
}
