import { officeCall } from './async';
import type { ItemHandle } from './item';

/** The signed-in mailbox's own address (excluded from "the item's people"). */
export function myEmailAddress(): string {
  return Office.context.mailbox.userProfile.emailAddress.toLowerCase();
}

/**
 * Calls `handler` whenever the user selects another item while the pane is pinned
 * (Office.EventType.ItemChanged). Returns a function that stops listening.
 */
export function onItemChanged(handler: () => void): () => void {
  let active = true;
  Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => {
    if (active) handler();
  });
  return () => {
    active = false;
    Office.context.mailbox.removeHandlerAsync(Office.EventType.ItemChanged);
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

/** Settings that roam with the mailbox (the advisor's access token lives here). */
export const roaming = {
  get(name: string): string | null {
    return (Office.context.roamingSettings.get(name) as string | undefined) ?? null;
  },
  async set(name: string, value: string | null): Promise<void> {
    if (value === null) Office.context.roamingSettings.remove(name);
    else Office.context.roamingSettings.set(name, value);
    await officeCall<void>((cb) => Office.context.roamingSettings.saveAsync(cb));
  },
};

/** Opens Outlook's new-appointment form, prefilled. */
export function openNewAppointmentForm(options: {
  subject: string;
  requiredAttendees: string[];
  start: Date;
  end: Date;
  body?: string;
}): void {
  Office.context.mailbox.displayNewAppointmentForm({
    subject: options.subject,
    requiredAttendees: options.requiredAttendees,
    start: options.start,
    end: options.end,
    body: options.body ?? '',
  });
}

/** Whether Outlook's theme is dark (falls back to the system preference where Outlook does not say). */
export function prefersDarkTheme(): boolean {
  const background = Office.context.officeTheme?.bodyBackgroundColor;
  if (background && /^#?[0-9a-f]{6}$/i.test(background)) {
    const hex = background.replace('#', '');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
  }
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}
