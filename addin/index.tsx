import { createRoot } from 'react-dom/client';
import { App, type PaneView } from './app/App';
import { Session, type AuthConfig } from './auth/session';
import { startOffice } from './office/host';
import { officeTheme } from './ui/theme';

async function loadAuthConfig(): Promise<AuthConfig> {
  try {
    const response = await fetch('/api/v1/auth/config');
    if (response.ok) return (await response.json()) as AuthConfig;
  } catch {
    /* the service is unreachable: offer token sign-in, requests will say what is wrong */
  }
  return { providers: ['pat'], oidc: null };
}

/** The ribbon button that opened the pane says what to show (?view=regarding|new); otherwise My Work. */
function viewFromUrl(): PaneView {
  const view = new URLSearchParams(window.location.search).get('view');
  return view === 'regarding' || view === 'new' ? view : 'work';
}

async function start(): Promise<void> {
  // Inside Outlook or in a plain browser tab (no mailbox): the pane runs in both.
  const host = await startOffice();
  const [authConfig, theme] = await Promise.all([loadAuthConfig(), officeTheme()]);
  const session = new Session(authConfig);
  void session.start();
  createRoot(document.getElementById('root')!).render(
    <App session={session} theme={theme} host={host} initialView={viewFromUrl()} />,
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
