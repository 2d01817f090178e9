import { useState, useSyncExternalStore } from 'react';
import { Button, FluentProvider, Spinner, Tab, TabList, Text, makeStyles, tokens, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import type { Session } from '../auth/session';
import { prefersDarkTheme } from '../office/mailbox';
import { SetRegarding } from '../regarding/SetRegarding';
import { Notice } from '../ui/Notice';
import { SignIn } from './SignIn';
import { useCurrentItem } from './useCurrentItem';

const useStyles = makeStyles({
  shell: { minHeight: '100vh', backgroundColor: tokens.colorNeutralBackground2, color: tokens.colorNeutralForeground1 },
  header: {
    display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  main: { padding: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export type PaneView = 'regarding';

export interface AppProps {
  session: Session;
  myEmail: string;
  initialView: PaneView;
}

export function App({ session, myEmail }: AppProps) {
  const styles = useStyles();
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  const [dark] = useState(prefersDarkTheme);
  const [everSignedIn, setEverSignedIn] = useState(false);
  if (state.status === 'signed-in' && !everSignedIn) setEverSignedIn(true);
  const item = useCurrentItem();

  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme} className={styles.shell}>
      {state.status === 'starting' && <Spinner label="Signing in…" style={{ padding: 24 }} />}
      {state.status === 'signed-out' && <SignIn session={session} reason={state.reason} />}
      {/* Stays mounted while a 401 asks for sign-in again, so the advisor's work resumes afterwards. */}
      {everSignedIn && (
        <div hidden={state.status !== 'signed-in'}>
          <header className={styles.header}>
            <Text as="h1" size={400} weight="semibold" style={{ margin: 0 }}>
              Regarding
            </Text>
            <span>
              <Text size={200}>{state.status === 'signed-in' ? state.me.displayName : ''}</Text>{' '}
              <Button size="small" appearance="subtle" onClick={() => void session.signOut()}>
                Sign out
              </Button>
            </span>
          </header>
          <nav aria-label="Regarding sections" style={{ padding: `0 ${tokens.spacingHorizontalS}` }}>
            <TabList selectedValue="regarding" size="small">
              <Tab value="regarding">Set Regarding</Tab>
            </TabList>
          </nav>
          <main className={styles.main}>
            {item.loading && <Spinner size="small" label="Reading the item…" />}
            {item.error && <Notice intent="error">{item.error}</Notice>}
            {!item.loading && !item.snapshot && !item.error && <Text>Select an email or appointment to set what it is regarding.</Text>}
            {item.snapshot && <SetRegarding key={item.key} api={session.api} snapshot={item.snapshot} myEmail={myEmail} />}
          </main>
        </div>
      )}
    </FluentProvider>
  );
}
