import { createRoot } from 'react-dom/client';
import { App, type PaneView } from './app/App';
import { Session, type AuthConfig } from './auth/session';
import { myEmailAddress } from './office/mailbox';
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

Office.onReady(async () => {
  const [authConfig, theme] = await Promise.all([loadAuthConfig(), officeTheme()]);
  const session = new Session(authConfig);
  void session.start();
  createRoot(document.getElementById('root')!).render(
    <App session={session} theme={theme} myEmail={myEmailAddress()} initialView={viewFromUrl()} />,
  );
});
