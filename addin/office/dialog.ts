import { officeCall } from './async';

/** The advisor closed the Office dialog (12006), or Outlook could not keep it open. */
export class DialogClosedError extends Error {
  constructor(readonly code: number) {
    super(code === 12006 ? 'The sign-in window was closed.' : `The sign-in window stopped (Office error ${code}).`);
  }
}

/** Whether this Outlook has the Office dialog API (DialogApi 1.1, which mobile lacks: outlook-api-requirement-sets.md). */
function officeUi(): Office.UI | null {
  const office = (globalThis as { Office?: typeof Office }).Office;
  return office?.context?.ui && typeof office.context.ui.displayDialogAsync === 'function' ? office.context.ui : null;
}

/**
 * Opens `url` (a page of this origin: the dialog's first page must be in the add-in's domain, dialog-api-in-office-add-ins.md)
 * in an Office dialog and resolves with the first message that page sends with messageParent, then closes it.
 * Messages from any other origin are ignored (DialogApi 1.2 reports the sender's origin).
 */
export async function dialogMessage(url: string): Promise<string> {
  const ui = officeUi();
  if (!ui) throw new Error('This Outlook cannot open a sign-in window.');
  const dialog = await officeCall<Office.Dialog>((cb) =>
    ui.displayDialogAsync(url, { height: 60, width: 30, displayInIframe: false }, cb),
  );
  return new Promise<string>((resolve, reject) => {
    dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
      if (!('message' in arg)) return;
      const origin = (arg as { origin?: string }).origin;
      if (origin && origin !== window.location.origin) return;
      dialog.close();
      resolve(arg.message);
    });
    dialog.addEventHandler(Office.EventType.DialogEventReceived, (arg) => {
      if ('error' in arg) reject(new DialogClosedError(arg.error));
    });
  });
}
