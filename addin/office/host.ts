/**
 * Where the pane runs. Inside Outlook, Office.js gives it a mailbox (the current item, the user's
 * profile, roaming settings). Opened in a plain browser tab, Microsoft's office.js still loads but
 * Office.onReady reports host null and there is no `Office.context.mailbox`; and Office.js itself
 * may be missing (its script failed to load). Every "is there an Outlook mailbox?" question is
 * answered here, so the rest of the pane never looks at Office.js for it.
 */

/** Where the pane is: in Outlook (with the mailbox's own address), or in a browser tab without a mailbox. */
export type PaneHost = { outlook: true; myEmail: string } | { outlook: false; myEmail: '' };

/** Office.js did not load, so the pane cannot start. */
export class OfficeJsMissingError extends Error {
  constructor(readonly source: string | null) {
    super(
      `Office.js did not load${source ? ` (from ${source})` : ''}. Close the pane and open it again; if this keeps happening, the network may be blocking it.`,
    );
  }
}

/** The Office namespace, or undefined when its script did not load (read without a ReferenceError). */
function officeNamespace(): typeof Office | undefined {
  return (globalThis as { Office?: typeof Office }).Office;
}

/** Office.context, whose parts (mailbox, roaming settings, theme) are each missing outside Outlook. */
function officeContext(): Partial<Office.Context> | undefined {
  return officeNamespace()?.context;
}

/** The script tag that was to load Office.js (Microsoft's CDN, or the simulator on the demo page). */
function officeJsSource(): string | null {
  const script = [...document.scripts].find((s) => /office(-simulator)?\.js(\?|$)/.test(s.src));
  return script ? script.getAttribute('src') : null;
}

/** The mailbox Office.js provides, or null outside Outlook (a browser tab) or without Office.js. */
export function outlookMailbox(): Office.Mailbox | null {
  return officeContext()?.mailbox ?? null;
}

/** The address of the mailbox the pane is open in (lower case), or null outside Outlook. */
export function mailboxOwnerEmail(): string | null {
  return outlookMailbox()?.userProfile.emailAddress.toLowerCase() ?? null;
}

/** Whether the pane runs inside Outlook, with a mailbox and its items. */
export function hasMailbox(): boolean {
  return outlookMailbox() !== null;
}

/** Settings that roam with the mailbox, or null outside Outlook. */
export function outlookRoamingSettings(): Office.RoamingSettings | null {
  return hasMailbox() ? (officeContext()?.roamingSettings ?? null) : null;
}

/** Outlook's theme, where Outlook says (never outside Outlook). */
export function outlookTheme(): Office.OfficeTheme | null {
  return officeContext()?.officeTheme ?? null;
}

/**
 * Whether this Outlook supports a requirement set (Mailbox, NestedAppAuth, ...); false outside Outlook.
 * Office's own check, as Microsoft advises for features newer than the manifest's minimum (outlook-api-requirement-sets.md).
 */
export function isSetSupported(name: string, version: string): boolean {
  try {
    return officeContext()?.requirements?.isSetSupported(name, version) ?? false;
  } catch {
    return false;
  }
}

/** Outlook on iOS or Android: the mobile API subset only (outlook-mobile-apis.md). */
export function isMobileOutlook(): boolean {
  const platform = officeContext()?.platform as string | undefined;
  return platform === 'iOS' || platform === 'Android';
}

/**
 * Waits for Office.js (Office.onReady), then says where the pane is. Rejects with OfficeJsMissingError
 * when Office.js did not load.
 */
export async function startOffice(): Promise<PaneHost> {
  const office = officeNamespace();
  if (!office) throw new OfficeJsMissingError(officeJsSource());
  await office.onReady();
  const mailbox = outlookMailbox();
  if (!mailbox) return { outlook: false, myEmail: '' };
  return { outlook: true, myEmail: mailbox.userProfile.emailAddress.toLowerCase() };
}
