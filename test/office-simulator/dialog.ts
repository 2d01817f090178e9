/**
 * Microsoft sign-in as an Outlook client offers it, for the pane's real MSAL to talk to:
 * - the Office dialog API, `Office.context.ui.displayDialogAsync`, where the profile has DialogApi
 *   ([REF] outlook-api-requirement-sets.md: not on Android or iOS). The dialog page does not load (no network to
 *   Microsoft here): the test plays it with `window.__outlook.dialog` (what was opened, a messageParent, a close);
 * - the nested app authentication bridge, `window.nestedAppAuthBridge`, which Office provides where NestedAppAuth 1.1
 *   is supported ([REF] nested-app-auth-requirement-sets.md) and MSAL's nestable client talks to with JSON
 *   messages (@azure/msal-browser naa/BridgeProxy). The test decides what Outlook answers a token request with and
 *   reads back the requests (`window.__outlook.naa`).
 */
import { officeError, succeed } from './async';
import { activeProfile, mailboxStore } from './state';

/** DialogMessageReceived and DialogEventReceived, as Office.EventType names them. */
export const DIALOG_EVENTS = { message: 'dialogMessageReceived', event: 'dialogEventReceived' } as const;

type DialogHandler = (arg: { message?: string; origin?: string; error?: number; type: string }) => void;

interface OpenDialog {
  url: string;
  options: unknown;
  open: boolean;
  handlers: { type: string; handler: DialogHandler }[];
}

let dialog: OpenDialog | null = null;
const sentToParent: string[] = [];

/** `Office.context.ui`, or undefined where the profile has no DialogApi. */
export function officeUi() {
  if (!activeProfile().requirementSets.DialogApi) return undefined;
  return {
    displayDialogAsync(url: string, ...args: unknown[]) {
      // [REF] office.ui.yml displayDialogAsync: 12007 "A dialog box is already opened from this host window".
      if (dialog?.open) {
        succeedOrFail(args, { error: officeError(12007, 'Dialog', 'A dialog box is already opened.') });
        return;
      }
      const opened: OpenDialog = {
        url,
        options: args.find((arg) => arg && typeof arg === 'object'),
        open: true,
        handlers: [],
      };
      dialog = opened;
      const handle = {
        addEventHandler(type: string, handler: DialogHandler) {
          opened.handlers.push({ type, handler });
        },
        close() {
          opened.open = false;
        },
        messageChild() {},
      };
      succeed('displayDialogAsync', args, handle);
    },
    /** Run by a dialog page loaded with the simulator (as our auth-dialog.html is in a test): recorded. */
    messageParent(message: string) {
      sentToParent.push(message);
    },
  };
}

function succeedOrFail(args: unknown[], outcome: { error: Office.Error }) {
  const callback = args.find((arg) => typeof arg === 'function') as ((result: unknown) => void) | undefined;
  setTimeout(() => callback?.({ status: 'failed', error: outcome.error, value: undefined }), 0);
}

function raise(type: string, arg: Omit<Parameters<DialogHandler>[0], 'type'>): void {
  if (!dialog?.open) throw new Error('No Office dialog is open');
  for (const entry of dialog.handlers.filter((h) => h.type === type)) entry.handler({ ...arg, type });
}

/** What the dialog's page and its user do (`window.__outlook.dialog`). */
export const dialogControl = {
  /** The dialog the pane opened last: its URL, options and whether it is still open; null if none. */
  current() {
    return dialog && { url: dialog.url, options: dialog.options, open: dialog.open };
  },
  /** The dialog's page calls messageParent(message); `origin` is the page's origin, as DialogApi 1.2 reports it. */
  message(message: string, origin: string = window.location.origin) {
    raise(DIALOG_EVENTS.message, { message, origin });
  },
  /** What this page, loaded as a dialog page, sent with messageParent. */
  sentToParent() {
    return [...sentToParent];
  },
  /** The user closes the dialog with its X: DialogEventReceived with 12006 ([REF] dialog-api-in-office-add-ins.md). */
  closeByUser() {
    raise(DIALOG_EVENTS.event, { error: 12006 });
    if (dialog) dialog.open = false;
  },
};

/** What Outlook answers MSAL's token requests over the bridge with: a token, or a bridge error status. */
type NaaAnswer = { accessToken: string } | { status: string; code?: string; description?: string };

const naa = {
  requests: [] as { method: string; clientId?: string; scope?: string; account?: string }[],
  answer: {
    status: 'USER_INTERACTION_REQUIRED',
    code: 'interaction_required',
    description: 'No answer set',
  } as NaaAnswer,
};

const base64url = (value: object) =>
  btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/** The account Outlook is signed in with, as the bridge describes it (an id token MSAL only decodes). */
function signedInAccount() {
  const user = mailboxStore.state.user;
  const claims = {
    oid: '00000000-0000-0000-0000-00000000a11c',
    tid: '00000000-0000-0000-0000-0000000071d0',
    preferred_username: user.email,
    name: user.name ?? user.email,
    iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-0000000071d0/v2.0',
  };
  const idToken = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.simulated`;
  return {
    idToken,
    account: {
      homeAccountId: `${claims.oid}.${claims.tid}`,
      environment: 'login.microsoftonline.com',
      tenantId: claims.tid,
      username: user.email,
      localAccountId: claims.oid,
      name: claims.name,
    },
  };
}

/** Installs `window.nestedAppAuthBridge` where the profile supports NestedAppAuth (decided when Office.js loads). */
export function installNestedAppAuthBridge(): void {
  if (!activeProfile().requirementSets.NestedAppAuth) return;
  const listeners: ((message: string) => void)[] = [];
  const reply = (envelope: object) =>
    setTimeout(() => listeners.forEach((listener) => listener(JSON.stringify(envelope))), 0);
  (window as unknown as { nestedAppAuthBridge: object }).nestedAppAuthBridge = {
    addEventListener(_type: string, listener: (message: string) => void) {
      listeners.push(listener);
    },
    removeEventListener() {},
    postMessage(text: string) {
      const request = JSON.parse(text) as {
        method: string;
        requestId: string;
        tokenParams?: { clientId?: string; scope?: string; platformBrokerId?: string };
      };
      // MSAL sends the account it means (platformBrokerId: its homeAccountId) once it has an active one.
      naa.requests.push({
        method: request.method,
        clientId: request.tokenParams?.clientId,
        scope: request.tokenParams?.scope,
        account: request.tokenParams?.platformBrokerId,
      });
      const envelope = { messageType: 'NestedAppAuthResponse', requestId: request.requestId };
      if (request.method === 'GetInitContext') {
        reply({
          ...envelope,
          success: true,
          initContext: { sdkName: 'simulated Outlook', sdkVersion: '1.0', capabilities: { queryAccount: false } },
        });
        return;
      }
      const answer = naa.answer;
      if (!('accessToken' in answer)) {
        reply({ ...envelope, success: false, error: answer });
        return;
      }
      const { idToken, account } = signedInAccount();
      reply({
        ...envelope,
        success: true,
        token: {
          access_token: answer.accessToken,
          expires_in: 3600,
          id_token: idToken,
          properties: null,
          scope: request.tokenParams?.scope,
        },
        account,
      });
    },
  };
}

/** The nested app authentication bridge as a test sees it (`window.__outlook.naa`). */
export const naaControl = {
  /** Every request MSAL sent over the bridge (GetInitContext, GetToken silent, GetTokenPopup), with its client id, scopes and account. */
  requests() {
    return [...naa.requests];
  },
  /** What Outlook answers the next token requests with: `{ accessToken }`, or a bridge error such as `{ status: 'ACCOUNT_UNAVAILABLE' }`. */
  answerWith(answer: NaaAnswer) {
    naa.answer = answer;
  },
};
