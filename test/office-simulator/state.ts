/**
 * The simulated mailbox: items, their custom properties and headers, roaming settings, the active client
 * profile and what the user would have noticed (side effects). Kept in localStorage, so it survives
 * reloads of the pane as Outlook's mailbox would.
 */
import { profileNamed, type ItemKind, type Profile, type ProfileName } from './profiles';

export interface PersonSpec {
  email: string;
  name?: string;
  /** As userProfile.accountType reports it; default outlookCom on outlook-live, office365 elsewhere. */
  accountType?: 'enterprise' | 'gmail' | 'office365' | 'outlookCom';
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
  /** Compose items: whether the item has been saved (has an id Outlook returns; for a meeting: is on the calendar). */
  saved?: boolean;
  /** Internet headers (compose: set by the add-in; read: what arrived). */
  headers?: Record<string, string>;
  /** Compose drafts made by control.reply / control.forward. */
  composeType?: 'newMail' | 'reply' | 'forward';
  /** Items some clients raise no ItemChanged for (profiles.ts `itemChangedSkips`). */
  kind?: ItemKind;
  /** The sender's own copy in Sent Items (made by control.send). */
  inSentItems?: boolean;
  /**
   * The owner's address when the item is in a shared folder (delegate access) or a shared mailbox: what
   * getSharedPropertiesAsync reports as `owner` ([PR] delegate-access.md). Absent: the user's own mailbox.
   */
  sharedMailbox?: string;
}

/** Something the Outlook user would notice, caused by an add-in call or a user action in the simulator. */
export interface SideEffect {
  itemId: string;
  effect: string;
}

export interface MailboxState {
  profile?: ProfileName;
  items: Record<string, ItemSpec>;
  customProperties: Record<string, Record<string, unknown>>;
  roaming: Record<string, unknown>;
  /** The item Outlook shows. */
  selected: string | null;
  /** The item `mailbox.item` describes, where a profile freezes it ([#6833]); null: follows `selected`. */
  frozenOn?: string | null;
  /** Items the pinned pane has been switched to (for [#1096]). */
  visited?: string[];
  /** Conversation view in the reading pane (needed for [#1096]). */
  conversationView?: boolean;
  user: PersonSpec;
  theme: { bodyBackgroundColor: string } | null;
  log: { method: string; args: unknown }[];
  effects?: SideEffect[];
  /** Requirement sets of an older build of the profile's client (e.g. classic Windows before 2409: no NestedAppAuth). */
  requirementSets?: Partial<Profile['requirementSets']>;
}

const STORAGE_KEY = '__outlookSimulator';

export function emptyState(user: PersonSpec, profile?: ProfileName): MailboxState {
  return {
    profile,
    items: {},
    customProperties: {},
    roaming: {},
    selected: null,
    user,
    theme: null,
    log: [],
    effects: [],
  };
}

function loadState(): MailboxState {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved) return JSON.parse(saved) as MailboxState;
  return emptyState({ email: 'me@firm.example', name: 'Me' });
}

/** The one mutable mailbox (modules share it through this holder). */
export const mailboxStore = { state: loadState() };

export const persist = () => localStorage.setItem(STORAGE_KEY, JSON.stringify(mailboxStore.state));

export const activeProfile = (): Profile => {
  const profile = profileNamed(mailboxStore.state.profile);
  const older = mailboxStore.state.requirementSets;
  return older ? { ...profile, requirementSets: { ...profile.requirementSets, ...older } } : profile;
};

export function recordEffect(itemId: string, effect: string): void {
  (mailboxStore.state.effects ??= []).push({ itemId, effect });
  persist();
}
