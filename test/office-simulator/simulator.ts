/**
 * A simulated Outlook host: the part of Office.js the Regarding pane uses, following the @types/office-js
 * signatures, as one of the Outlook clients the manifest claims (profiles.ts; the default is new Outlook /
 * Outlook on the web). Tests (and the demo page) serve it instead of Microsoft's office.js and drive it
 * through `window.__outlook` (control.ts).
 *
 *   profiles.ts  each client's platform, requirement sets, missing APIs, limits and quirks, with citations
 *   state.ts     the mailbox, kept in localStorage so it survives reloads of the pane as Outlook's would
 *   async.ts     callbacks with an Office.AsyncResult; the simultaneous-call limit
 *   items.ts     the item objects (read and compose, message and appointment)
 *   control.ts   window.__outlook: what the user does and what a test reads back
 */
import { asyncCall, officeError, succeed } from './async';
import { control, host } from './control';
import { DIALOG_EVENTS, installNestedAppAuthBridge, officeUi } from './dialog';
import { itemObject, toEwsId, toRestId } from './items';
import { activeProfile, mailboxStore, persist } from './state';

export type { ItemSpec, PersonSpec, SideEffect } from './state';
import { versionAtLeast, type OptionalApi } from './profiles';
export type { ProfileName, Surface } from './profiles';

const state = () => mailboxStore.state;
const lacks = (api: OptionalApi) => activeProfile().missing.includes(api);

const ITEM_CHANGED = 'olkItemSelectedChanged';
const SELECTED_ITEMS_CHANGED = 'olkSelectedItemsChanged';

/** The id of the item `mailbox.item` describes: the selected one, or a frozen one ([#6833]). */
function currentItemId(): string | null {
  if (!activeProfile().quirks.itemFrozen) return state().selected;
  host.frozenOn ??= state().selected;
  return host.frozenOn;
}

const mailbox = {
  get item() {
    if (host.switching) return null; // [#2295]
    const id = currentItemId();
    return id && state().items[id] ? itemObject(state().items[id]) : null;
  },
  userProfile: {
    get emailAddress() {
      return state().user.email;
    },
    get displayName() {
      return state().user.name ?? state().user.email;
    },
    // [REF] office.userprofile.yml accountType (Mailbox 1.6): outlookCom for an Outlook.com mailbox.
    get accountType() {
      return state().user.accountType ?? (activeProfile().name === 'outlook-live' ? 'outlookCom' : 'office365');
    },
    timeZone: 'UTC',
  },
  get diagnostics() {
    return { hostName: 'Outlook', hostVersion: 'simulated', OWAView: 'ThreeColumns' };
  },
  addHandlerAsync: (eventType: string, handler: (event: { type: string }) => void, ...args: unknown[]) => {
    const handlers =
      eventType === ITEM_CHANGED
        ? host.itemChanged
        : eventType === SELECTED_ITEMS_CHANGED && versionAtLeast(activeProfile().requirementSets.Mailbox, '1.13')
          ? host.selectedItemsChanged
          : null;
    if (!handlers) {
      asyncCall<void>('addHandlerAsync', args, () => ({
        error: officeError(5001, 'Internal Error', `Unsupported event ${eventType}`),
      }));
      return;
    }
    handlers.push(handler);
    succeed<void>('addHandlerAsync', args, undefined);
  },
  removeHandlerAsync: (eventType: string, ...args: unknown[]) => {
    (eventType === SELECTED_ITEMS_CHANGED ? host.selectedItemsChanged : host.itemChanged).length = 0;
    succeed<void>('removeHandlerAsync', args, undefined);
  },
  get displayNewAppointmentForm() {
    if (lacks('displayNewAppointmentForm')) return undefined;
    return (parameters: Record<string, unknown>) => {
      const { limits } = activeProfile();
      // [REF] office.mailbox.yml displayNewAppointmentForm: "If any of the parameters exceed the specified size
      // limits, or if an unknown parameter name is specified, an exception is thrown."
      const known = [
        'requiredAttendees',
        'optionalAttendees',
        'start',
        'end',
        'location',
        'resources',
        'subject',
        'body',
      ];
      const unknown = Object.keys(parameters).find((name) => !known.includes(name));
      if (unknown) throw new Error(`displayNewAppointmentForm: unknown parameter ${unknown}`);
      if (((parameters.subject as string | undefined) ?? '').length > limits.appointmentFormSubjectChars)
        throw new Error(`displayNewAppointmentForm: subject over ${limits.appointmentFormSubjectChars} characters`);
      if (((parameters.body as string | undefined) ?? '').length > limits.appointmentFormBodyChars)
        throw new Error(`displayNewAppointmentForm: body over ${limits.appointmentFormBodyChars} characters`);
      state().log.push({ method: 'displayNewAppointmentForm', args: parameters });
      persist();
    };
  },
  get convertToRestId() {
    return lacks('convertIds') ? undefined : toRestId;
  },
  get convertToEwsId() {
    return lacks('convertIds') ? undefined : toEwsId;
  },
};

const roamingSettings = {
  get: (name: string) => state().roaming[name],
  set: (name: string, value: unknown) => {
    state().roaming[name] = value;
  },
  remove: (name: string) => {
    delete state().roaming[name];
  },
  saveAsync: (...args: unknown[]) =>
    asyncCall<void>(
      'roamingSettings.saveAsync',
      args,
      () => {
        const limit = activeProfile().limits.roamingSettingsChars;
        // [PR] limits-...md: 32 KB for all roaming settings, an error from every client; 9057 per outlook-clients.md A2.
        if (JSON.stringify(state().roaming).length > limit)
          return { error: officeError(9057, 'SettingsTooLarge', `Roaming settings exceed ${limit} characters.`) };
        persist();
        return { value: undefined };
      },
      'roamingSettings.saveAsync',
    ),
};

/** isSetSupported per profile: Mailbox up to its version, NestedAppAuth and DialogApi where it has them. */
function isSetSupported(name: string, version?: string): boolean {
  const sets = activeProfile().requirementSets;
  const max = { mailbox: sets.Mailbox, nestedappauth: sets.NestedAppAuth, dialogapi: sets.DialogApi }[
    name.toLowerCase() as 'mailbox' | 'nestedappauth' | 'dialogapi'
  ];
  return max !== undefined && versionAtLeast(max, version ?? '1.1');
}

const readyInfo = () => ({ host: 'Outlook', platform: activeProfile().platform });

const Office = {
  AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
  EventType: {
    ItemChanged: ITEM_CHANGED,
    SelectedItemsChanged: SELECTED_ITEMS_CHANGED,
    DialogMessageReceived: DIALOG_EVENTS.message,
    DialogEventReceived: DIALOG_EVENTS.event,
  },
  MailboxEnums: {
    ItemType: { Message: 'message', Appointment: 'appointment' },
    RecipientType: { Other: 'other', DistributionList: 'distributionList', User: 'user', ExternalUser: 'externalUser' },
  },
  HostType: { Outlook: 'Outlook' },
  PlatformType: { PC: 'PC', OfficeOnline: 'OfficeOnline', Mac: 'Mac', iOS: 'iOS', Android: 'Android' },
  context: {
    mailbox,
    roamingSettings,
    get diagnostics() {
      return { host: 'Outlook', platform: activeProfile().platform, version: 'simulated' };
    },
    get platform() {
      return activeProfile().platform;
    },
    get officeTheme() {
      return lacks('officeTheme') ? undefined : (state().theme ?? undefined);
    },
    get ui() {
      return officeUi();
    },
    displayLanguage: 'en-US',
    requirements: { isSetSupported },
  },
  onReady(callback?: (info: { host: string; platform: string }) => void) {
    return new Promise((resolve) => {
      setTimeout(() => {
        callback?.(readyInfo());
        resolve(readyInfo());
      }, 0);
    });
  },
};

declare global {
  interface Window {
    __outlook: typeof control;
  }
}

(window as unknown as { Office: typeof Office }).Office = Office;
installNestedAppAuthBridge();
window.__outlook = control;
