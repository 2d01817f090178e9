import { lazy, Suspense, useState } from 'react';
import { Button } from '@fluentui/react-components';
import type { Me, MyWorkScope } from '../../shared/schemas/advisors';
import type { ApiClient } from '../api/client';
import { DigestSwitch } from '../alerts/DigestSwitch';
import { Busy } from '../ui/Busy';
import { OutcomeNotice } from '../ui/Notice';
import { Tabs } from '../ui/Tabs';
import { useAction } from '../ui/useAction';
import { ClosedWork } from './ClosedWork';
import { OpenWork } from './OpenWork';
import { PointsProgress } from './PointsProgress';
import { TeamPoints } from './TeamPoints';
import { StageReport } from './StageReport';
import { TimeZoneSetting } from './TimeZoneSetting';
import { useWorkStyles } from './work-styles';

// Only admins use the editors: other advisors never download them.
const AdminSettings = lazy(() =>
  import(/* webpackChunkName: "admin-settings" */ '../admin/AdminSettings').then((m) => ({ default: m.AdminSettings })),
);

export interface MyWorkProps {
  api: ApiClient;
  me: Me;
  onOpen: (id: number) => void;
  /** Opens the opportunity with the phone call form showing. */
  onLog?: (id: number) => void;
  /** Opens the opportunity with the task form showing. */
  onTask?: (id: number) => void;
  onSeen: (me: Me) => void;
  /** Opens New opportunity (with or without an item). */
  onNew?: () => void;
}

/** The daily check of the referral standard (mine or my team's), or the closed ones. */
export function MyWork({ api, me, onOpen, onLog, onTask, onSeen, onNew }: MyWorkProps) {
  const styles = useWorkStyles();
  const manager = me.role === 'manager';
  // Remembered on the service, so it follows the advisor across clients (GET /me).
  const [scope, setScope] = useState<MyWorkScope>(me.workScope);
  const openScope = scope === 'closed' ? 'me' : scope;
  const remember = useAction();

  const choose = (next: MyWorkScope) => {
    setScope(next);
    void remember.run(async (signal) =>
      onSeen(await api.call('updatePreferences', { body: { workScope: next }, signal })),
    );
  };

  // The tabs stay while a scope loads, so a keyboard user switching scopes keeps their place.
  return (
    <div className={styles.root}>
      {onNew && (
        <Button appearance="primary" onClick={onNew} style={{ alignSelf: 'flex-start' }}>
          New opportunity
        </Button>
      )}
      <PointsProgress api={api} />
      <Tabs
        label="Whose work"
        selected={scope}
        onSelect={choose}
        tabs={[
          { value: 'me', label: 'Mine' },
          ...(manager ? [{ value: 'team' as const, label: 'My team' }] : []),
          { value: 'closed', label: 'Closed' },
        ]}
      />
      <OutcomeNotice outcome={remember.outcome} />
      {scope === 'closed' ? (
        <ClosedWork api={api} manager={manager} onOpen={onOpen} />
      ) : (
        <OpenWork
          key={scope}
          api={api}
          scope={openScope}
          onOpen={onOpen}
          onLog={onLog}
          onTask={onTask}
          onSeen={onSeen}
        />
      )}
      {scope !== 'closed' && <StageReport api={api} scope={openScope} />}
      {manager && <TeamPoints api={api} />}
      <TimeZoneSetting api={api} me={me} onChange={onSeen} />
      {me.role === 'admin' && (
        <Suspense fallback={<Busy label="Loading the admin settings…" />}>
          <AdminSettings api={api} />
        </Suspense>
      )}
      <DigestSwitch api={api} me={me} onSeen={onSeen} />
    </div>
  );
}
