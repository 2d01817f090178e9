import { officeCall } from './async';
import { capabilities } from './capabilities';
import { hasMailbox, isSetSupported, outlookMailbox, outlookRoamingSettings, outlookTheme } from './host';
import type { ItemHandle } from './item';

/** Per-item data Regarding keeps on the Outlook item itself (custom properties, saved with the item). */
export async function readItemProperty<T>(item: ItemHandle, name: string): Promise<T | null> {
  const properties = await officeCall<Office.CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
  const value = properties.get(name) as string | undefined;
  if (!value) return null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

/**
 * All of an add-in's custom properties on an item share 2,500 characters, measured as the JSON object
 * of every name and value; over it saveAsync fails (office.customproperties.yml remarks;
 * limits-for-activation-and-javascript-api-for-outlook-add-ins.md).
 */
export const CUSTOM_PROPERTIES_MAX_CHARS = 2500;

/** The item cannot carry Regarding's marker: it would take the add-in's custom properties over Outlook's limit. */
export class ItemMarkerTooLargeError extends Error {
  constructor(readonly size: number) {
    super(
      `This item cannot carry Regarding's marker: it would need ${size} of the ${CUSTOM_PROPERTIES_MAX_CHARS} characters Outlook allows.`,
    );
  }
}

/**
 * Keeps `value` (JSON) on the item under `name`; null removes it. Throws ItemMarkerTooLargeError,
 * before saving anything, when the add-in's properties would exceed Outlook's 2,500 characters, so
 * the caller can still link on the service and say the item could not carry the marker.
 */
export async function writeItemProperty(item: ItemHandle, name: string, value: unknown): Promise<void> {
  const properties = await officeCall<Office.CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
  if (value === null) properties.remove(name);
  else {
    const text = JSON.stringify(value);
    const all = { ...((properties.getAll?.() as Record<string, unknown> | undefined) ?? {}), [name]: text };
    const size = JSON.stringify(all).length;
    if (size > CUSTOM_PROPERTIES_MAX_CHARS) throw new ItemMarkerTooLargeError(size);
    properties.set(name, text);
  }
  await officeCall<void>((cb) => properties.saveAsync(cb));
}

/** Outside Outlook (a browser tab) there are no roaming settings: such settings last as long as the tab. */
const TAB_PREFIX = 'regarding.tab.';
function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage is disabled: nothing is kept
  }
}

/**
 * Settings that roam with the mailbox (preferences such as the last next step; never a credential:
 * roaming settings "shouldn't be used to store credentials or security tokens", metadata-for-an-outlook-add-in.md).
 * Outside Outlook they are kept for the browser tab only (sessionStorage).
 */
export const roaming = {
  get(name: string): string | null {
    const settings = outlookRoamingSettings();
    if (!settings) return tabStorage()?.getItem(TAB_PREFIX + name) ?? null;
    return (settings.get(name) as string | undefined) ?? null;
  },
  async set(name: string, value: string | null): Promise<void> {
    const settings = outlookRoamingSettings();
    if (!settings) {
      const storage = tabStorage();
      if (value === null) storage?.removeItem(TAB_PREFIX + name);
      else storage?.setItem(TAB_PREFIX + name, value);
      return;
    }
    if (value === null) settings.remove(name);
    else settings.set(name, value);
    await officeCall<void>((cb) => settings.saveAsync(cb));
  },
  /** Whether `name` is in the mailbox's roaming settings themselves (never true outside Outlook). */
  has(name: string): boolean {
    return outlookRoamingSettings()?.get(name) != null;
  },
};

/**
 * Office's key for the add-in's partition of the origin's storage, as Microsoft advises for private data
 * (persisting-add-in-state-and-settings.md, "Storage partitioning"; office.context.yml partitionKey); empty
 * where the browser control does not partition, such as classic Outlook on Windows.
 */
function partitionKey(): string {
  const context = (globalThis as { Office?: { context?: { partitionKey?: string } } }).Office?.context;
  return context?.partitionKey ?? '';
}

/**
 * The add-in origin's own storage: localStorage inside Outlook (under Office's partition key), sessionStorage
 * (this tab only) outside Outlook, as `roaming` does there. Null where the browser refuses storage.
 */
export const originStorage = {
  get(name: string): string | null {
    try {
      return hasMailbox()
        ? window.localStorage.getItem(partitionKey() + name)
        : (tabStorage()?.getItem(TAB_PREFIX + name) ?? null);
    } catch {
      return null;
    }
  },
  /** Returns whether the value was kept (false where the browser refuses storage). */
  set(name: string, value: string | null): boolean {
    try {
      const [storage, key] = hasMailbox()
        ? [window.localStorage, partitionKey() + name]
        : [tabStorage(), TAB_PREFIX + name];
      if (!storage) return false;
      if (value === null) storage.removeItem(key);
      else storage.setItem(key, value);
      return true;
    } catch {
      return false;
    }
  },
};

/** displayNewAppointmentForm throws when the subject is over 255 characters (office.mailbox.yml; limits… "Set the subject"). */
export const APPOINTMENT_SUBJECT_MAX_CHARS = 255;
/** ...or the body over 32 KB (office.mailbox.yml): kept within 32 KB whether Outlook counts UTF-16 or UTF-8. */
export const APPOINTMENT_BODY_MAX_BYTES = 32 * 1024;

/** Cuts text to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, end);
}

/** A subject Outlook's new-appointment form accepts (at most 255 characters); the one the form will show. */
export function appointmentSubject(subject: string): string {
  return cut(subject, APPOINTMENT_SUBJECT_MAX_CHARS);
}

function appointmentBody(body: string): string {
  let text = cut(body, APPOINTMENT_BODY_MAX_BYTES / 2);
  const encoder = new TextEncoder();
  while (encoder.encode(text).length > APPOINTMENT_BODY_MAX_BYTES) text = cut(text, text.length - 1);
  return text;
}

/**
 * Opens Outlook's new-appointment form, prefilled (subject and body cut to Outlook's limits). Uses
 * displayNewAppointmentFormAsync (Mailbox 1.9) where supported, so Outlook's errors come back;
 * displayNewAppointmentForm elsewhere. Throws a plain Error outside Outlook, and on Outlook for iOS and
 * Android, where neither exists ("This method isn't supported in Outlook on Android or on iOS",
 * office.mailbox.yml).
 */
export async function openNewAppointmentForm(options: {
  subject: string;
  requiredAttendees: string[];
  start: Date;
  end: Date;
  body?: string;
}): Promise<void> {
  const mailbox = outlookMailbox();
  if (!mailbox)
    throw new Error('Open this pane in Outlook to schedule an appointment: outside Outlook there is no calendar.');
  if (!capabilities().newAppointmentForm)
    throw new Error(
      "Schedule the next step in Outlook's calendar: this Outlook cannot open a new appointment from an add-in.",
    );
  const form: Office.AppointmentForm = {
    subject: appointmentSubject(options.subject),
    requiredAttendees: options.requiredAttendees,
    start: options.start,
    end: options.end,
    body: appointmentBody(options.body ?? ''),
  };
  if (isSetSupported('Mailbox', '1.9') && typeof mailbox.displayNewAppointmentFormAsync === 'function') {
    await officeCall<void>((cb) => mailbox.displayNewAppointmentFormAsync(form, cb));
    return;
  }
  mailbox.displayNewAppointmentForm(form);
}

/** Whether Outlook's theme is dark (falls back to the system preference where Outlook does not say). */
export function prefersDarkTheme(): boolean {
  const background = outlookTheme()?.bodyBackgroundColor;
  if (background && /^#?[0-9a-f]{6}$/i.test(background)) {
    const hex = background.replace('#', '');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
