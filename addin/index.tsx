import { createRoot } from 'react-dom/client';
import { SIGN_IN_CONFIG_ELEMENT } from '../shared/constants';
import { App } from './app/App';
import { deepLinkFrom, deepLinkFromState, showInAddressBar } from './app/deep-link';
import { Session, type AuthConfig } from './auth/session';
import { startOffice } from './office/host';
import { readCurrentItem } from './office/item';
import { openWithContext } from './regarding/pane-context';
import { officeTheme } from './ui/theme';

/** The sign-in configuration the server put into the page; fetched only where the page has none (webpack's dev server). */
async function loadAuthConfig(): Promise<AuthConfig> {
  const inline = document.getElementById(SIGN_IN_CONFIG_ELEMENT)?.textContent;
  if (inline) return JSON.parse(inline) as AuthConfig;
  try {
    const response = await fetch('/api/v1/auth/config');
    if (response.ok) return (await response.json()) as AuthConfig;
  } catch {
    /* the service is unreachable: offer token sign-in, requests will say what is wrong */
  }
  return { providers: ['pat'], oidc: null };
}

async function start(): Promise<void> {
  // Inside Outlook or in a plain browser tab (no mailbox): the pane runs in both.
  const host = await startOffice();
  const [authConfig, theme] = await Promise.all([loadAuthConfig(), officeTheme()]);
  const session = new Session(authConfig);
  // What to show: the ribbon button's ?view=regarding|new, or an email's link (?opportunity=<id>, ?view=work|reports);
  // back from a redirect sign-in, the link it started from.
  const returned = deepLinkFromState(await session.finishRedirect(), window.location.origin);
  const link = returned ?? deepLinkFrom(window.location.search);
  if (returned) showInAddressBar(returned);
  const view = link.view ?? 'work';
  // Opened on an item for Set Regarding: one request checks the saved token and loads what the item shows first. The
  // item is read before, so that request leaves in this task, ahead of the first render rather than after it.
  const onItem = host.outlook && view === 'regarding' && link.opportunity === null;
  const snapshot = onItem ? await readCurrentItem().catch(() => null) : null;
  void session.start(onItem ? (token) => openWithContext(session.api, token, host.myEmail, snapshot) : undefined);
  createRoot(document.getElementById('root')!).render(
    <App session={session} theme={theme} host={host} initialView={view} initialOpportunity={link.opportunity} />,
  );
}

/** Replaces "Loading Regarding…" with what went wrong, rather than leaving a pane that never loads. */
function showStartFailure(error: unknown): void {
  console.error('Regarding could not start', error);
  const root = document.getElementById('root');
  if (!root) return;
  const message = document.createElement('p');
  message.id = 'boot';
  message.setAttribute('role', 'alert');
  message.textContent = `Regarding could not start. ${error instanceof Error ? error.message : String(error)}`;
  root.replaceChildren(message);
}

start().catch(showStartFailure);
