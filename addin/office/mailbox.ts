import { officeCall } from './async';
import { outlookMailbox, outlookRoamingSettings, outlookTheme } from './host';
import type { ItemHandle } from './item';

/**
 * Calls `handler` whenever the user selects another item while the pane is pinned
 * (Office.EventType.ItemChanged). Returns a function that stops listening. Outside Outlook no item
 * ever changes, so nothing is listened to.
 */
export function onItemChanged(handler: () => void): () => void {
  const mailbox = outlookMailbox();
  if (!mailbox) return () => {};
  let active = true;
  mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => {
    if (active) handler();
  });
  return () => {
    active = false;
    mailbox.removeHandlerAsync(Office.EventType.ItemChanged);
  };
}

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

export async function writeItemProperty(item: ItemHandle, name: string, value: unknown): Promise<void> {
  const properties = await officeCall<Office.CustomProperties>((cb) => item.loadCustomPropertiesAsync(cb));
  if (value === null) properties.remove(name);
  else properties.set(name, JSON.stringify(value));
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
 * Settings that roam with the mailbox (the advisor's access token lives here). Outside Outlook they
 * are kept for the browser tab only (sessionStorage).
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
};

/** Opens Outlook's new-appointment form, prefilled. Outside Outlook there is none: throws, saying so. */
export function openNewAppointmentForm(options: {
  subject: string;
  requiredAttendees: string[];
  start: Date;
  end: Date;
  body?: string;
}): void {
  const mailbox = outlookMailbox();
  if (!mailbox)
    throw new Error('Open this pane in Outlook to schedule an appointment: outside Outlook there is no calendar.');
  mailbox.displayNewAppointmentForm({
    subject: options.subject,
    requiredAttendees: options.requiredAttendees,
    start: options.start,
    end: options.end,
    body: options.body ?? '',
  });
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
