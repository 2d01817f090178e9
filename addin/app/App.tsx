import { Suspense, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';
import { Button } from '../ui/Button';
import { Text } from '../ui/Text';
import { Busy } from '../ui/Busy';
import { Tabs } from '../ui/Tabs';
import type { Me } from '../../shared/schemas/advisors';
import type { Session } from '../auth/session';
import type { PaneHost } from '../office/host';
import type { PaneTheme } from '../ui/theme';
import { ThemeContext, themeVariables } from '../ui/theme-context';
import { lazyView } from '../ui/lazy-view';
import { SetRegarding } from '../regarding/SetRegarding';

// Set Regarding is what most opens of the pane are for; the other views load when first shown.
const NewOpportunity = lazyView(() => import('../opportunities/NewOpportunity').then((m) => m.NewOpportunity));
const OpportunityView = lazyView(() => import('../opportunities/OpportunityView').then((m) => m.OpportunityView));
const MyWork = lazyView(() => import('../work/MyWork').then((m) => m.MyWork));
const Reports = lazyView(() => import('../reports/Reports').then((m) => m.Reports));
import { Notice } from '../ui/Notice';
const SignIn = lazyView(() => import('./SignIn').then((m) => m.SignIn));
import { useCurrentItem } from './useCurrentItem';

const useStyles = makeStyles({
  // What FluentProvider's root sets, on the pane's own root (the theme's variables are set beside it).
  shell: {
    minHeight: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
    textAlign: 'left',
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    fontWeight: tokens.fontWeightRegular,
    lineHeight: tokens.lineHeightBase300,
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  nav: { padding: `0 ${tokens.spacingHorizontalS}` },
  main: { padding: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export type PaneView = 'regarding' | 'new' | 'work' | 'reports';

const VIEW_LABELS: Record<PaneView, string> = {
  regarding: 'Set Regarding',
  new: 'New',
  work: 'My Work',
  reports: 'Reports',
};

/** A section the pane has: a link naming another (or one from a newer version) opens My Work. */
const isPaneView = (view: string): view is PaneView => Object.hasOwn(VIEW_LABELS, view);

export interface AppProps {
  session: Session;
  /** Outlook's theme (light or dark). */
  theme: PaneTheme;
  /** In Outlook (with the mailbox's address), or in a browser tab without a mailbox. */
  host: PaneHost;
  /** The section to open: the ribbon button's or a link's (?view=...). */
  initialView: string;
  /** An opportunity to open, from a link (?opportunity=<id>): opened from My Work. */
  initialOpportunity?: number | null;
}

/** Outside Outlook there is no item: the views that work on one say so. */
const NEEDS_ITEM = {
  regarding: 'Open this pane from an email or appointment in Outlook to set what it is regarding.',
  new: 'Outside Outlook there is no email or appointment to create this from, so enter the customer yourself. To choose among the people of an email or appointment and link it, open this pane from it in Outlook.',
};

export function App({ session, theme, host, initialView, initialOpportunity = null }: AppProps) {
  const styles = useStyles();
  const variables = useMemo(() => themeVariables(theme.fluent), [theme]);
  const state = useSyncExternalStore(session.subscribe, session.snapshot);
  // The last signed-in advisor: views stay mounted (and keep what was typed) while a 401 asks for sign-in again.
  const [me, setMe] = useState<Me | null>(null);
  if (state.status === 'signed-in' && state.me !== me) setMe(state.me);
  const item = useCurrentItem(host.outlook);
  const [view, setView] = useState<PaneView>(
    initialOpportunity === null && isPaneView(initialView) ? initialView : 'work',
  );
  const [opened, setOpened] = useState<number | null>(initialOpportunity);
  const [openedWith, setOpenedWith] = useState<'call' | 'task' | undefined>(undefined);
  const open = (id: number | null, panel?: 'call' | 'task') => {
    setOpenedWith(panel);
    setOpened(id);
  };
  const today = new Date().toISOString().slice(0, 10);
  const nav = useRef<HTMLElement>(null);
  // Back removes the button that had focus: focus goes to the section returned to, never to the page body.
  const back = () => {
    setOpened(null);
    requestAnimationFrame(() => nav.current?.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]')?.focus());
  };
  const show = (next: PaneView) => {
    setOpened(null);
    setView(next);
  };
  // An open opportunity belongs to the section it was opened from: that tab stays highlighted and Back returns
  // there. One just created leaves New for where the advisor works on it: the item's Set Regarding, else My Work.
  const created = (id: number) => {
    setView(item.snapshot ? 'regarding' : 'work');
    setOpened(id);
  };
  const noItem = !item.loading && !item.snapshot && !item.error && (
    <Text>{host.outlook ? 'Select an email or appointment to set what it is regarding.' : NEEDS_ITEM.regarding}</Text>
  );

  return (
    <ThemeContext.Provider value={theme.fluent}>
      <div dir="ltr" className={styles.shell} style={{ ...variables, colorScheme: theme.colorScheme }}>
        {state.status === 'starting' && (
          <div style={{ padding: 24 }}>
            <Busy label="Signing in…" />
          </div>
        )}
        {state.status === 'signed-out' && (
          <Suspense fallback={<Busy label="Loading…" />}>
            <SignIn session={session} reason={state.reason} />
          </Suspense>
        )}
        {/* Stays mounted while a 401 asks for sign-in again, so the advisor's work resumes afterwards. */}
        {me && (
          <div hidden={state.status !== 'signed-in'}>
            <header className={styles.header}>
              <Text as="h1" size={400} weight="semibold" style={{ margin: 0 }}>
                Regarding
              </Text>
              <span>
                <Text size={200}>{me.displayName}</Text>{' '}
                <Button size="small" appearance="subtle" onClick={() => void session.signOut()}>
                  Sign out
                </Button>
              </span>
            </header>
            <nav ref={nav} aria-label="Regarding sections" className={styles.nav}>
              <Tabs
                label="Sections"
                selected={view}
                onSelect={show}
                tabs={(Object.keys(VIEW_LABELS) as PaneView[]).map((value) => ({ value, label: VIEW_LABELS[value] }))}
              />
            </nav>
            <main className={styles.main}>
              <Suspense fallback={<Busy label="Loading…" />}>
                {opened !== null ? (
                  <OpportunityView
                    key={opened}
                    api={session.api}
                    id={opened}
                    today={today}
                    backLabel={`Back to ${VIEW_LABELS[view]}`}
                    onBack={back}
                    initialPanel={openedWith}
                    meId={me.id}
                    outlook={host.outlook}
                  />
                ) : view === 'work' ? (
                  <MyWork
                    api={session.api}
                    me={me}
                    onOpen={open}
                    onLog={(id) => open(id, 'call')}
                    onTask={(id) => open(id, 'task')}
                    onSeen={(me) => session.update(me)}
                    onNew={() => show('new')}
                  />
                ) : view === 'reports' ? (
                  <Reports api={session.api} me={me} />
                ) : (
                  <>
                    {item.loading && <Busy label="Reading the item…" />}
                    {item.error && <Notice intent="error">{item.error}</Notice>}
                    {view === 'regarding' && noItem}
                    {view === 'regarding' && item.snapshot && (
                      <SetRegarding
                        key={item.key}
                        api={session.api}
                        snapshot={item.snapshot}
                        myEmail={host.myEmail}
                        onOpenOpportunity={open}
                        manager={me.role === 'manager'}
                      />
                    )}
                    {view === 'new' && !host.outlook && <Text>{NEEDS_ITEM.new}</Text>}
                    {view === 'new' && !item.loading && (
                      <NewOpportunity
                        key={item.key}
                        api={session.api}
                        me={me}
                        snapshot={item.snapshot}
                        onCreated={(detail) => created(detail.opportunity.id)}
                      />
                    )}
                  </>
                )}
              </Suspense>
            </main>
          </div>
        )}
      </div>
    </ThemeContext.Provider>
  );
}
