/**
 * A simulated Outlook host: the part of Office.js (Mailbox 1.8) the Regarding pane uses, following
 * the @types/office-js signatures: async methods take an optional options object and a callback
 * that receives an Office.AsyncResult (status, value, error as an Office.Error), and the pinned
 * pane's ItemChanged event. Tests (and the demo page) serve it instead of Microsoft's office.js
 * and drive it through `window.__outlook`.
 *
 * Mailbox state (items, their custom properties and headers, roaming settings) is kept in
 * localStorage, so it survives reloads of the pane as Outlook's would.
 */

export interface PersonSpec {
  email: string;
  name?: string;
}

export interface ItemSpec {
  id: string;
  type: 'message' | 'appointment';
  mode: 'read' | 'compose';
  subject?: string;
  from?: PersonSpec;
  to?: PersonSpec[];
  cc?: PersonSpec[];
  internetMessageId?: string;
  conversationId?: string;
  dateTimeCreated?: string;
  start?: string;
  end?: string;
  location?: string;
  organizer?: PersonSpec;
  requiredAttendees?: PersonSpec[];
  optionalAttendees?: PersonSpec[];
  seriesId?: string;
  /** Compose items: whether the item has been saved (has an id Outlook returns). */
  saved?: boolean;
  /** Internet headers (compose: set by the add-in; read: what arrived). */
  headers?: Record<string, string>;
}

interface MailboxState {
  items: Record<string, ItemSpec>;
  customProperties: Record<string, Record<string, unknown>>;
  roaming: Record<string, unknown>;
  selected: string | null;
  user: PersonSpec;
  theme: { bodyBackgroundColor: string } | null;
  log: { method: string; args: unknown }[];
}

const STORAGE_KEY = '__outlookSimulator';
type Callback<T> = ((result: Office.AsyncResult<T>) => void) | undefined;

function loadState(): MailboxState {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved) return JSON.parse(saved) as MailboxState;
  return {
    items: {},
    customProperties: {},
    roaming: {},
    selected: null,
    user: { email: 'me@firm.example', name: 'Me' },
    theme: null,
    log: [],
  };
}
let state = loadState();
const persist = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(state));

const AsyncResultStatus = { Succeeded: 'succeeded', Failed: 'failed' } as const;

function officeError(code: number, name: string, message: string): Office.Error {
  return { code, name, message };
}

/** Calls back asynchronously, as Outlook does, with an AsyncResult. */
function respond<T>(args: unknown[], outcome: { value: T } | { error: Office.Error }): void {
  const callback = args.find((arg) => typeof arg === 'function') as Callback<T>;
  const options = args.find((arg) => arg && typeof arg === 'object' && !Array.isArray(arg)) as
    Office.AsyncContextOptions | undefined;
  const result = {
    status: 'error' in outcome ? AsyncResultStatus.Failed : AsyncResultStatus.Succeeded,
    value: 'value' in outcome ? outcome.value : undefined,
    error: 'error' in outcome ? outcome.error : undefined,
    asyncContext: options?.asyncContext,
    diagnostics: undefined,
  } as unknown as Office.AsyncResult<T>;
  setTimeout(() => callback?.(result), 0);
}

const details = (person: PersonSpec): Office.EmailAddressDetails =>
  ({
    emailAddress: person.email,
    displayName: person.name ?? person.email,
    recipientType: 'externalUser',
  }) as Office.EmailAddressDetails;

function customPropertiesFor(itemId: string): Office.CustomProperties {
  const values = { ...(state.customProperties[itemId] ?? {}) };
  return {
    get: (name: string) => values[name],
    set: (name: string, value: unknown) => {
      values[name] = value;
    },
    remove: (name: string) => {
      delete values[name];
    },
    getAll: () => ({ ...values }),
    saveAsync: (...args: unknown[]) => {
      state.customProperties[itemId] = { ...values };
      persist();
      respond<void>(args, { value: undefined });
    },
  };
}

/** A compose-mode field: `getAsync` and `setAsync`, as in Office.Subject / Office.Location / Office.Time. */
function field<T>(read: () => T, write?: (value: T) => void) {
  return {
    getAsync: (...args: unknown[]) => respond<T>(args, { value: read() }),
    setAsync: (value: T, ...args: unknown[]) => {
      write?.(value);
      persist();
      respond<void>(args, { value: undefined });
    },
  };
}

function recipients(read: () => PersonSpec[] | undefined) {
  return {
    getAsync: (...args: unknown[]) =>
      respond<Office.EmailAddressDetails[]>(args, { value: (read() ?? []).map(details) }),
    setAsync: (_: unknown, ...args: unknown[]) => respond<void>(args, { value: undefined }),
    addAsync: (_: unknown, ...args: unknown[]) => respond<void>(args, { value: undefined }),
  };
}

/** The Office.js item object for an item: MessageRead / MessageCompose / AppointmentRead / AppointmentCompose. */
function itemObject(spec: ItemSpec): Record<string, unknown> {
  const live = () => state.items[spec.id] ?? spec;
  const common = {
    itemType: spec.type,
    conversationId: spec.conversationId ?? null,
    loadCustomPropertiesAsync: (...args: unknown[]) =>
      respond<Office.CustomProperties>(args, { value: customPropertiesFor(spec.id) }),
  };
  if (spec.mode === 'read') {
    const headersText = () =>
      Object.entries(live().headers ?? {})
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n');
    return {
      ...common,
      itemId: spec.id,
      subject: spec.subject ?? '',
      seriesId: spec.seriesId ?? null,
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
      getAllInternetHeadersAsync: (...args: unknown[]) => respond<string>(args, { value: headersText() }),
    };
  }
  const item = {
    ...common,
    subject: field(
      () => live().subject ?? '',
      (value: string) => (state.items[spec.id].subject = value),
    ),
    to: recipients(() => live().to),
    cc: recipients(() => live().cc),
    requiredAttendees: recipients(() => live().requiredAttendees),
    optionalAttendees: recipients(() => live().optionalAttendees),
    start: field(() => new Date(live().start ?? Date.now())),
    end: field(() => new Date(live().end ?? Date.now())),
    location: field(() => live().location ?? ''),
    seriesId: spec.seriesId ?? null,
    internetHeaders: {
      setAsync: (headers: Record<string, string>, ...args: unknown[]) => {
        state.items[spec.id].headers = { ...(live().headers ?? {}), ...headers };
        persist();
        respond<void>(args, { value: undefined });
      },
      getAsync: (names: string[], ...args: unknown[]) =>
        respond<Record<string, string>>(args, {
          value: Object.fromEntries(
            names.filter((n) => live().headers?.[n] !== undefined).map((n) => [n, live().headers![n]]),
          ),
        }),
      removeAsync: (names: string[], ...args: unknown[]) => {
        for (const name of names) delete state.items[spec.id].headers?.[name];
        persist();
        respond<void>(args, { value: undefined });
      },
    },
    saveAsync: (...args: unknown[]) => {
      state.items[spec.id].saved = true;
      persist();
      state.log.push({ method: 'saveAsync', args: spec.id });
      respond<string>(args, { value: spec.id });
    },
    getItemIdAsync: (...args: unknown[]) =>
      live().saved
        ? respond<string>(args, { value: spec.id })
        : respond<string>(args, { error: officeError(9055, 'ItemNotSaved', "The item hasn't been saved yet.") }),
  };
  return item;
}

const itemChangedHandlers: ((event: { type: string }) => void)[] = [];

const mailbox = {
  get item() {
    return state.selected && state.items[state.selected] ? itemObject(state.items[state.selected]) : null;
  },
  userProfile: {
    get emailAddress() {
      return state.user.email;
    },
    get displayName() {
      return state.user.name ?? state.user.email;
    },
    timeZone: 'UTC',
  },
  diagnostics: { hostName: 'Outlook', hostVersion: 'simulated', OWAView: 'ThreeColumns' },
  addHandlerAsync: (eventType: string, handler: (event: { type: string }) => void, ...args: unknown[]) => {
    if (eventType !== 'olkItemSelectedChanged') {
      respond<void>(args, { error: officeError(5001, 'Internal Error', `Unsupported event ${eventType}`) });
      return;
    }
    itemChangedHandlers.push(handler);
    respond<void>(args, { value: undefined });
  },
  removeHandlerAsync: (_eventType: string, ...args: unknown[]) => {
    itemChangedHandlers.length = 0;
    respond<void>(args, { value: undefined });
  },
  displayNewAppointmentForm: (parameters: Record<string, unknown>) => {
    state.log.push({ method: 'displayNewAppointmentForm', args: parameters });
    persist();
  },
  convertToRestId: (id: string) => id,
  convertToEwsId: (id: string) => id,
};

const roamingSettings = {
  get: (name: string) => state.roaming[name],
  set: (name: string, value: unknown) => {
    state.roaming[name] = value;
  },
  remove: (name: string) => {
    delete state.roaming[name];
  },
  saveAsync: (...args: unknown[]) => {
    persist();
    respond<void>(args, { value: undefined });
  },
};

const SUPPORTED_MAILBOX = 1.8;

const Office = {
  AsyncResultStatus,
  EventType: { ItemChanged: 'olkItemSelectedChanged' },
  MailboxEnums: {
    ItemType: { Message: 'message', Appointment: 'appointment' },
    RecipientType: { Other: 'other', DistributionList: 'distributionList', User: 'user', ExternalUser: 'externalUser' },
  },
  HostType: { Outlook: 'Outlook' },
  PlatformType: { OfficeOnline: 'OfficeOnline' },
  context: {
    mailbox,
    roamingSettings,
    get officeTheme() {
      return state.theme ?? undefined;
    },
    displayLanguage: 'en-US',
    requirements: {
      isSetSupported: (name: string, version?: string) =>
        name.toLowerCase() === 'mailbox' && Number(version ?? '1.1') <= SUPPORTED_MAILBOX,
    },
  },
  onReady(callback?: (info: { host: string; platform: string }) => void) {
    const info = { host: 'Outlook', platform: 'OfficeOnline' };
    return new Promise((resolve) => {
      setTimeout(() => {
        callback?.(info);
        resolve(info);
      }, 0);
    });
  },
};

/** The test and demo side: what Outlook's user would do. */
const control = {
  reset(options: { user?: PersonSpec } = {}) {
    state = {
      items: {},
      customProperties: {},
      roaming: {},
      selected: null,
      user: options.user ?? state.user,
      theme: null,
      log: [],
    };
    persist();
  },
  setUser(user: PersonSpec) {
    state.user = user;
    persist();
  },
  setTheme(bodyBackgroundColor: string | null) {
    state.theme = bodyBackgroundColor ? { bodyBackgroundColor } : null;
    persist();
  },
  /** Puts an item in the mailbox (or updates it) without selecting it. */
  put(spec: ItemSpec) {
    state.items[spec.id] = { ...state.items[spec.id], ...spec };
    persist();
  },
  /** Opens an item in the pane's host before the pane loads (the pane was opened on it). */
  open(spec: ItemSpec) {
    control.put(spec);
    state.selected = spec.id;
    persist();
  },
  /** Selects another item while the pane is pinned: fires ItemChanged. */
  select(spec: ItemSpec | string) {
    if (typeof spec !== 'string') control.put(spec);
    state.selected = typeof spec === 'string' ? spec : spec.id;
    persist();
    for (const handler of [...itemChangedHandlers]) handler({ type: 'olkItemSelectedChanged' });
  },
  /**
   * Sends the compose message `draftId`: the sent copy is a new read-mode item with an
   * internetMessageId, keeping the draft's custom properties and internet headers. Returns its spec.
   */
  send(draftId: string, sent: { id: string; internetMessageId: string }): ItemSpec {
    const draft = state.items[draftId];
    const copy: ItemSpec = {
      ...draft,
      id: sent.id,
      mode: 'read',
      internetMessageId: sent.internetMessageId,
      from: state.user,
      dateTimeCreated: new Date().toISOString(),
    };
    state.items[sent.id] = copy;
    state.customProperties[sent.id] = { ...(state.customProperties[draftId] ?? {}) };
    delete state.items[draftId];
    delete state.customProperties[draftId];
    persist();
    return copy;
  },
  customProperties(itemId: string) {
    return state.customProperties[itemId] ?? {};
  },
  item(itemId: string) {
    return state.items[itemId] ?? null;
  },
  roaming() {
    return { ...state.roaming };
  },
  log() {
    return [...state.log];
  },
};

declare global {
  interface Window {
    __outlook: typeof control;
  }
}

(window as unknown as { Office: typeof Office }).Office = Office;
window.__outlook = control;
