/**
 * The demo page: hosts the real task pane (demo-taskpane.html, which loads the simulated Outlook
 * host instead of office.js) and plays the Outlook user: opening items, switching them as a pinned
 * pane would, sending a draft, changing the theme, switching the Outlook client it simulates. With demo data on and the browser on the server's
 * machine, it also offers one "Sign in as …" button per demo advisor (GET /demo/sign-ins).
 */
import { DEFAULT_PROFILE, PROFILE_NAMES, PROFILES } from '../../test/office-simulator/profiles';
import type { ItemSpec, PersonSpec, ProfileName } from '../../test/office-simulator/simulator';

const ADVISORS: PersonSpec[] = [
  { email: 'alex.morgan@regarding.example', name: 'Alex Morgan' },
  { email: 'blake.chen@regarding.example', name: 'Blake Chen' },
  { email: 'casey.rivera@regarding.example', name: 'Casey Rivera' },
  { email: 'dana.patel@regarding.example', name: 'Dana Patel' },
];
const JORDAN = { email: 'jordan.lee@harbordental.example', name: 'Jordan Lee' };
const PRIYA = { email: 'priya.shah@gmail.com', name: 'Priya Shah' };
const SAM = { email: 'sam.okafor@summitlogistics.example', name: 'Sam Okafor' };
const MARIA = { email: 'maria.gomez@outlook.com', name: 'Maria Gomez' };
const WEI = { email: 'wei.zhang@harbordental.example', name: 'Wei Zhang' };
const NEW_CLIENT = { email: 'olivia.brown@brightpath.example', name: 'Olivia Brown' };
const STORAGE_KEY = '__outlookSimulator';
/**
 * The pane's token (addin/auth/session.ts): kept in this origin's localStorage; "Sign in as …" puts it in roaming
 * settings as earlier versions did, and the pane moves it on start.
 */
const TOKEN_SETTING = 'regarding.accessToken';
const SIMULATOR_MISSING =
  'The simulated Outlook (office-simulator.js) did not load, so the pane has no Outlook to run in and items cannot be opened. Run npm run build, then reload this page.';

interface DemoSignIn {
  email: string;
  displayName: string;
  role: string;
  token: string;
}

const day = (offset: number, hour: number) => {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + offset);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

function items(me: PersonSpec): { label: string; detail: string; spec: ItemSpec }[] {
  return [
    {
      label: 'Received email',
      detail: 'From Jordan Lee: 401(k) rollover question',
      spec: {
        id: 'demo-inbox-1',
        type: 'message',
        mode: 'read',
        subject: 'Question about rolling over my 401(k)',
        from: JORDAN,
        to: [me],
        internetMessageId: '<demo-inbox-1@harbordental.example>',
        conversationId: 'demo-conv-1',
        dateTimeCreated: day(-1, 14),
      },
    },
    {
      label: 'Received email (new person)',
      detail: 'From Olivia Brown, referred by Jordan',
      spec: {
        id: 'demo-inbox-2',
        type: 'message',
        mode: 'read',
        subject: 'Jordan Lee suggested I contact you',
        from: NEW_CLIENT,
        to: [me],
        cc: [JORDAN],
        internetMessageId: '<demo-inbox-2@brightpath.example>',
        dateTimeCreated: day(0, 9),
      },
    },
    {
      label: 'Sent email',
      detail: 'To Priya Shah: college savings options',
      spec: {
        id: 'demo-sent-1',
        type: 'message',
        mode: 'read',
        subject: 'College savings options',
        from: me,
        to: [PRIYA],
        internetMessageId: '<demo-sent-1@regarding.example>',
        dateTimeCreated: day(-2, 16),
      },
    },
    {
      label: 'Draft (compose)',
      detail: 'To Sam Okafor: benefits proposal',
      spec: {
        id: 'demo-draft-1',
        type: 'message',
        mode: 'compose',
        subject: 'Benefits proposal for Summit Logistics',
        to: [SAM],
      },
    },
    {
      label: 'Appointment, as organizer',
      detail: 'With Maria Gomez: Medicare review',
      spec: {
        id: 'demo-appt-1',
        type: 'appointment',
        mode: 'compose',
        subject: 'Medicare supplement review',
        start: day(2, 15),
        end: day(2, 16),
        location: 'Office',
        requiredAttendees: [MARIA],
      },
    },
    {
      label: 'Appointment, as attendee',
      detail: 'Organized by Wei Zhang (recurring)',
      spec: {
        id: 'demo-appt-2-occurrence',
        seriesId: 'demo-appt-2',
        type: 'appointment',
        mode: 'read',
        subject: 'Monthly practice check-in',
        start: day(5, 17),
        end: day(5, 18),
        organizer: WEI,
        requiredAttendees: [me],
      },
    },
  ];
}

const pane = document.getElementById('pane') as HTMLIFrameElement;
const list = document.getElementById('items')!;
const advisorSelect = document.getElementById('advisor') as HTMLSelectElement;
const themeSelect = document.getElementById('theme') as HTMLSelectElement;
const clientSelect = document.getElementById('client') as HTMLSelectElement;
const sendButton = document.getElementById('send') as HTMLButtonElement;
const status = document.getElementById('status')!;
const signInRow = document.getElementById('sign-ins')!;
const signInHelp = document.getElementById('sign-in-help')!;
let view = 'regarding';

type Control = Window['__outlook'];
/** The simulated Outlook in the pane's frame; undefined when its script did not load. */
const control = (): Control | undefined => (pane.contentWindow as Partial<Window> | null)?.__outlook;
/** Like control(), but says so on the page when the simulator is not there. */
function outlookOrSay(): Control | undefined {
  const outlook = control();
  if (!outlook) status.textContent = SIMULATOR_MISSING;
  return outlook;
}

interface StoredState {
  profile?: ProfileName;
  items: Record<string, ItemSpec>;
  customProperties: Record<string, unknown>;
  roaming: Record<string, unknown>;
  selected: string | null;
  user: PersonSpec;
  theme: { bodyBackgroundColor: string } | null;
  log: unknown[];
}

/** Writes the mailbox the simulator starts from (kept across reloads, like a real mailbox). */
function prepareMailbox(): void {
  const me = ADVISORS[advisorSelect.selectedIndex];
  const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredState | null;
  const state: StoredState = saved ?? {
    items: {},
    customProperties: {},
    roaming: {},
    selected: null,
    user: me,
    theme: null,
    log: [],
  };
  if (!saved || state.user.email !== me.email) {
    // Another advisor (or a fresh demo), another mailbox: signed out, as the pane's origin storage would be there.
    Object.assign(state, { items: {}, customProperties: {}, roaming: {}, selected: null, log: [] });
    localStorage.removeItem(TOKEN_SETTING);
  }
  state.user = me;
  for (const { spec } of items(me)) state.items[spec.id] ??= spec;
  state.selected ??= 'demo-inbox-1';
  state.theme = themeSelect.value ? { bodyBackgroundColor: themeSelect.value } : null;
  state.profile = clientSelect.value as ProfileName;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
}

function selectedId(): string | null {
  return (JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredState | null)?.selected ?? null;
}

function render(): void {
  const me = ADVISORS[advisorSelect.selectedIndex];
  const current = selectedId();
  list.replaceChildren(
    ...items(me).map(({ label, detail, spec }) => {
      const li = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute(
        'aria-pressed',
        String(current === spec.id || (spec.id === 'demo-draft-1' && current === 'demo-sent-draft')),
      );
      button.innerHTML = `<strong></strong><small></small>`;
      button.querySelector('strong')!.textContent = label;
      button.querySelector('small')!.textContent = detail;
      button.addEventListener('click', () => {
        outlookOrSay()?.select(spec.id);
        render();
      });
      li.append(button);
      return li;
    }),
  );
  sendButton.hidden = current !== 'demo-draft-1';
}

function loadPane(): void {
  prepareMailbox();
  pane.src = `/demo-taskpane.html${view ? `?view=${view}` : ''}`;
  render();
}

advisorSelect.append(...ADVISORS.map((a) => new Option(a.name, a.email)));
advisorSelect.addEventListener('change', loadPane);
themeSelect.addEventListener('change', loadPane);
clientSelect.append(...PROFILE_NAMES.map((name) => new Option(PROFILES[name].label, name)));
clientSelect.value =
  (JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredState | null)?.profile ?? DEFAULT_PROFILE;
clientSelect.addEventListener('change', () => {
  loadPane();
  status.textContent = `The pane now runs as in ${PROFILES[clientSelect.value as ProfileName].label}.`;
});
document.querySelectorAll<HTMLButtonElement>('[data-view]').forEach((button) =>
  button.addEventListener('click', () => {
    view = button.dataset.view ?? '';
    loadPane();
  }),
);
sendButton.addEventListener('click', () => {
  const outlook = outlookOrSay();
  if (!outlook) return;
  const sent = outlook.send('demo-draft-1', {
    id: 'demo-sent-draft',
    internetMessageId: `<demo-draft-${Date.now()}@regarding.example>`,
  });
  outlook.put({
    ...items(ADVISORS[advisorSelect.selectedIndex]).find((i) => i.spec.id === 'demo-draft-1')!.spec,
    id: 'demo-draft-1',
  });
  outlook.select(sent);
  status.textContent = 'Sent. The pane now shows the sent copy, as Outlook would in Sent Items.';
  render();
});

/** Signs the pane in as a demo advisor: their mailbox, with their token where the pane keeps it after a sign-in. */
function signInAs(signIn: DemoSignIn): void {
  const index = ADVISORS.findIndex((a) => a.email === signIn.email);
  if (index >= 0) advisorSelect.selectedIndex = index;
  prepareMailbox();
  const state = JSON.parse(localStorage.getItem(STORAGE_KEY)!) as StoredState;
  state.roaming[TOKEN_SETTING] = signIn.token;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  loadPane();
  status.textContent = `The pane is signed in as ${signIn.displayName}.`;
}

/** The server offers the demo advisors' sign-ins only while demo data is on, and only to this machine. */
async function offerSignIns(): Promise<void> {
  let signIns: DemoSignIn[] = [];
  try {
    const response = await fetch('/demo/sign-ins', { cache: 'no-store' });
    if (response.ok) signIns = ((await response.json()) as { signIns: DemoSignIn[] }).signIns;
  } catch {
    /* no buttons: the paste instructions stay */
  }
  if (!signIns.length) return;
  signInHelp.textContent = 'Sign the pane in as a demo advisor (or paste their token into the pane):';
  signInRow.replaceChildren(
    ...signIns.map((signIn) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = `Sign in as ${signIn.displayName} (${signIn.role})`;
      button.addEventListener('click', () => signInAs(signIn));
      return button;
    }),
  );
  signInRow.hidden = false;
}

pane.addEventListener('load', () => {
  if (pane.contentDocument?.URL.includes('/demo-taskpane.html') && !control()) status.textContent = SIMULATOR_MISSING;
});
loadPane();
void offerSignIns();
