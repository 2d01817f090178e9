/**
 * The Outlook clients the manifest claims, as data: what each one reports, supports, limits and gets
 * wrong. The simulator (simulator.ts, items.ts, async.ts, control.ts) reads the active profile and
 * behaves accordingly. Every value cites its source:
 *   [PR]  Microsoft's conceptual docs, github.com/OfficeDev/office-js-docs-pr, docs/outlook/...
 *   [REF] the API reference, github.com/OfficeDev/office-js-docs-reference, docs/...
 *   [#n]  github.com/OfficeDev/office-js/issues/n
 * /work/shared/outlook-clients.md (tables A1 and A2) collects the same facts with context.
 */

export type ProfileName = 'classic-windows' | 'new-outlook-web' | 'mac' | 'mobile' | 'outlook-live';

/** The add-in surfaces of the manifest: where a pane can be opened. */
export type Surface = 'read-email' | 'compose-email' | 'organizer' | 'attendee';

/** An Office.js member a client may lack; absent members are `undefined`, so the pane must feature-detect. */
export type OptionalApi =
  | 'getAllInternetHeadersAsync'
  | 'internetHeaders'
  | 'displayNewAppointmentForm'
  | 'saveAsync'
  | 'getItemIdAsync'
  | 'convertIds'
  | 'officeTheme'
  | 'getSharedPropertiesAsync';

/** Items on which ItemChanged is not raised ([#3470]: meeting responses, encrypted mail; [#5965]: some sub-threads). */
export type ItemKind = 'meetingResponse' | 'encrypted';

export interface Profile {
  name: ProfileName;
  label: string;
  /** What `Office.onReady` and `Office.context.diagnostics` report. */
  platform: 'PC' | 'OfficeOnline' | 'Mac' | 'iOS' | 'Android';
  /** Highest version of each requirement set `isSetSupported` accepts; null: not supported at all. */
  requirementSets: { Mailbox: string; NestedAppAuth: string | null; DialogApi: string | null };
  surfaces: Surface[];
  missing: OptionalApi[];
  limits: {
    /** Simultaneous asynchronous calls of the documented kinds (async.ts COUNTED_CALLS). */
    concurrentAsyncCalls: number;
    customPropertiesChars: number;
    roamingSettingsChars: number;
    appointmentFormSubjectChars: number;
    appointmentFormBodyChars: number;
  };
  quirks: {
    /** Custom properties are copied onto reply and forward drafts. */
    copiesCustomPropertiesToReplies: boolean;
    /** The sender's Sent Items copy answers getAllInternetHeadersAsync with "" and success. */
    sentItemsHeadersEmpty: boolean;
    /** Item kinds for which ItemChanged is not raised. */
    itemChangedSkips: ItemKind[];
    /** In conversation view, ItemChanged is raised once per item: going back to a visited one raises nothing. */
    itemChangedOncePerConversationItem: boolean;
    /** ItemChanged never fires and `mailbox.item` stays the item the pane opened on. */
    itemFrozen: boolean;
    /** A pinned pane switched to a compose item sees `mailbox.item` null for a moment after ItemChanged. */
    nullItemMidSwitchToCompose: boolean;
    /** `seriesId` is a REST id rather than an EWS id. */
    seriesIdIsRestId: boolean;
    /** `internetHeaders.setAsync` fails (5001) on reply and forward drafts. */
    headerSetFailsOnReplies: boolean;
  };
}

const LIMITS = {
  // [PR] limits-for-activation-and-javascript-api-for-outlook-add-ins.md: "Custom properties | 2,500 characters"
  // (all custom properties of an add-in on one item; "All the Outlook clients return an error").
  customPropertiesChars: 2500,
  // [PR] limits-for-activation-...md: "Roaming settings | 32 KB number of characters", all clients.
  roamingSettingsChars: 32 * 1024,
  // [PR] limits-for-activation-...md: "Set the subject | 255 characters" (Mailbox.displayNewAppointmentForm);
  // [REF] office.mailbox.yml displayNewAppointmentForm: throws if a parameter exceeds its limit.
  appointmentFormSubjectChars: 255,
  // [PR] limits-for-activation-...md: "Body in a new appointment form | 32 KB number of characters".
  appointmentFormBodyChars: 32 * 1024,
};

/** Bugs reported on every client. */
const EVERY_CLIENT_QUIRKS = {
  // [#4773] (classic), [#6796] (web, new Outlook): "" with status succeeded on the Sent Items copy.
  sentItemsHeadersEmpty: true,
  // [#3470]: not raised for meeting responses or encrypted messages.
  itemChangedSkips: ['meetingResponse', 'encrypted'] as ItemKind[],
};

const ALL_SURFACES: Surface[] = ['read-email', 'compose-email', 'organizer', 'attendee'];

export const PROFILES: Record<ProfileName, Profile> = {
  'classic-windows': {
    name: 'classic-windows',
    label: 'Classic Outlook on Windows',
    platform: 'PC', // [REF] office.platformtype.yml: PC = "Office on Windows"
    requirementSets: {
      // [REF] requirement-sets/outlook/outlook-api-requirement-sets.md, "Outlook client support":
      // Windows, Microsoft 365 subscription: 1.1 to 1.14.
      Mailbox: '1.14',
      // [REF] requirement-sets/common/nested-app-auth-requirement-sets.md: Version 2409 (Build 18025.20000).
      NestedAppAuth: '1.1',
      DialogApi: '1.2', // [REF] outlook-api-requirement-sets.md: DialogAPI 1.1, 1.2
    },
    surfaces: ALL_SURFACES, // the manifest's DesktopFormFactor
    missing: [],
    limits: {
      ...LIMITS,
      // The 3-call limit is for web, new Outlook and mobile only ([PR] limits-...md "Asynchronous calls").
      // Office answers 5100 "Wait until the previous call completes" past 50 pending calls ([#3274], product team).
      concurrentAsyncCalls: 50,
    },
    quirks: {
      ...EVERY_CLIENT_QUIRKS,
      // [#2456] ("won't fix"), [#6750] (in backlog): forwards and replies inherit the custom properties.
      copiesCustomPropertiesToReplies: true,
      itemChangedOncePerConversationItem: false,
      itemFrozen: false,
      // [#2295]: a pinned compose pane gets ItemChanged before mailbox.item exists (null).
      nullItemMidSwitchToCompose: true,
      seriesIdIsRestId: false,
      // [#4326] reports failures on classic Windows replies, but not reliably enough to simulate on every reply.
      headerSetFailsOnReplies: false,
    },
  },
  'new-outlook-web': {
    name: 'new-outlook-web',
    label: 'New Outlook on Windows / Outlook on the web',
    platform: 'OfficeOnline', // [REF] office.platformtype.yml: OfficeOnline = "Office on the web" (new Outlook too)
    requirementSets: {
      Mailbox: '1.14', // [REF] outlook-api-requirement-sets.md: web browser (modern) and new Outlook: 1.1 to 1.14
      NestedAppAuth: '1.1', // [REF] nested-app-auth-requirement-sets.md: Outlook on the web "Supported"
      DialogApi: '1.2', // [REF] outlook-api-requirement-sets.md
    },
    surfaces: ALL_SURFACES,
    missing: [],
    limits: {
      ...LIMITS,
      // [PR] limits-...md "Asynchronous calls | 3 calls": "For Outlook on the web and on mobile devices, and
      // new Outlook on Windows: limit of the number of simultaneous asynchronous calls at any one time".
      concurrentAsyncCalls: 3,
    },
    quirks: {
      ...EVERY_CLIENT_QUIRKS,
      copiesCustomPropertiesToReplies: false, // [#2456] is classic Windows only
      // [#1096]: in a conversation, ItemChanged fires once per item; revisiting one does not fire it.
      itemChangedOncePerConversationItem: true,
      itemFrozen: false,
      nullItemMidSwitchToCompose: false,
      seriesIdIsRestId: false,
      headerSetFailsOnReplies: false,
    },
  },
  mac: {
    name: 'mac',
    label: 'Outlook on Mac',
    platform: 'Mac', // [REF] office.platformtype.yml
    requirementSets: {
      Mailbox: '1.13', // [REF] outlook-api-requirement-sets.md: Mac new UI 1.1 to 1.13
      NestedAppAuth: '1.1', // [REF] nested-app-auth-requirement-sets.md: Version 16.89 (Build 24090815)
      DialogApi: '1.2', // [REF] outlook-api-requirement-sets.md
    },
    surfaces: ALL_SURFACES,
    // officeTheme needs Mailbox 1.14 ([REF] outlook-requirement-set-1-14.md).
    missing: ['officeTheme'],
    limits: {
      ...LIMITS,
      // Not in the 3-call list ([PR] limits-...md). No documented number: the same 5100 error is reported on
      // Mac ([#3211], [#3435]); the 50 pending calls of [#3274] are assumed.
      concurrentAsyncCalls: 50,
    },
    quirks: {
      ...EVERY_CLIENT_QUIRKS,
      copiesCustomPropertiesToReplies: false,
      itemChangedOncePerConversationItem: false,
      itemFrozen: false,
      nullItemMidSwitchToCompose: false,
      seriesIdIsRestId: false,
      // [#5099] (classic Mac, reply or forward: 5001, won't fix), [#1242].
      headerSetFailsOnReplies: true,
    },
  },
  mobile: {
    name: 'mobile',
    label: 'Outlook on iOS / Android',
    platform: 'iOS', // [REF] office.platformtype.yml: iOS or Android; the simulator reports iOS
    requirementSets: {
      // [PR] outlook-mobile-apis.md: "Outlook on Android and on iOS support up to Mailbox requirement set 1.5",
      // plus a named subset of later APIs.
      Mailbox: '1.5',
      NestedAppAuth: '1.1', // [REF] nested-app-auth-requirement-sets.md: iOS, Android Build v4.2433.0
      DialogApi: null, // [REF] outlook-api-requirement-sets.md lists no DialogAPI for Android or iOS
    },
    // The manifest's MobileFormFactor has Message Read only (outlook-clients.md A1 #4).
    surfaces: ['read-email'],
    missing: [
      // Mailbox 1.8, not in the mobile subset ([PR] outlook-mobile-apis.md "Supported APIs").
      'getAllInternetHeadersAsync',
      'getItemIdAsync',
      // [PR] outlook-mobile-apis.md "Unsupported APIs": displayNewAppointmentForm (Message Read, Appointment
      // Attendee); convertToEwsId / convertToRestId (every mode); officeTheme (every mode).
      'displayNewAppointmentForm',
      'convertIds',
      'officeTheme',
      // [REF] office.messageread.yml getSharedPropertiesAsync: "This method isn't supported in Outlook on iOS or on
      // Android"; the manifest's SupportsSharedFolders is DesktopFormFactor only ([PR] delegate-access.md).
      'getSharedPropertiesAsync',
      // Issue 12 point 4 and the brief: no saveAsync on mobile (stricter than outlook-mobile-apis.md, which does
      // not list it; mobile has no compose surface in the manifest either way).
      'saveAsync',
      // Issue 12 point 4: no internetHeaders. outlook-mobile-apis.md has compose internetHeaders from
      // 4.2405; the profile follows the older builds the issue describes (stricter).
      'internetHeaders',
    ],
    limits: {
      ...LIMITS,
      concurrentAsyncCalls: 3, // [PR] limits-...md "Asynchronous calls": "on mobile devices"
    },
    quirks: {
      ...EVERY_CLIENT_QUIRKS,
      copiesCustomPropertiesToReplies: false,
      itemChangedOncePerConversationItem: false,
      itemFrozen: false,
      nullItemMidSwitchToCompose: false,
      // [REF] office.appointmentread.yml seriesId: "In Outlook on Android and on iOS, the seriesId returns the
      // REST ID of the parent item."
      seriesIdIsRestId: true,
      headerSetFailsOnReplies: false,
    },
  },
  'outlook-live': {
    name: 'outlook-live',
    label: 'Outlook.com (outlook.live.com)',
    platform: 'OfficeOnline',
    requirementSets: {
      Mailbox: '1.14', // [REF] outlook-api-requirement-sets.md: web browser, "Outlook.com"
      // [REF] nested-app-auth-requirement-sets.md: "isn't supported if the add-in is loaded in an Outlook.com or
      // Gmail mailbox".
      NestedAppAuth: null,
      DialogApi: '1.2',
    },
    surfaces: ALL_SURFACES,
    missing: [],
    limits: { ...LIMITS, concurrentAsyncCalls: 3 }, // a web client: [PR] limits-...md
    quirks: {
      ...EVERY_CLIENT_QUIRKS,
      copiesCustomPropertiesToReplies: false,
      itemChangedOncePerConversationItem: true, // [#1096]
      // [#6833] (open): ItemChanged never fires on outlook.live.com; mailbox.item stays the first message.
      itemFrozen: true,
      nullItemMidSwitchToCompose: false,
      seriesIdIsRestId: false,
      headerSetFailsOnReplies: false,
    },
  },
};

/** The default is the strictest desktop-class client: web and new Outlook (3 concurrent calls, empty Sent Items headers). */
export const DEFAULT_PROFILE: ProfileName = 'new-outlook-web';

/** Requirement set versions compare part by part: 1.14 is after 1.5. */
export function versionAtLeast(have: string | null, wanted: string): boolean {
  if (have === null) return false;
  const [a, b] = [have, wanted].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];

export function profileNamed(name: string | undefined): Profile {
  return PROFILES[(name ?? DEFAULT_PROFILE) as ProfileName] ?? PROFILES[DEFAULT_PROFILE];
}
