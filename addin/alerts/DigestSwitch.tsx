import { useState } from 'react';
import { Switch } from '@fluentui/react-components';
import type { Me } from '../../shared/schemas/advisors';
import type { ApiClient } from '../api/client';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';

export interface DigestSwitchProps {
  api: ApiClient;
  me: Me;
  onSeen: (me: Me) => void;
}

/** Whether the advisor gets their own daily email digest (their manager's alerts do not depend on it). */
export function DigestSwitch({ api, me, onSeen }: DigestSwitchProps) {
  const [wanted, setWanted] = useState(!me.digestOptOut);
  const save = useAction();

  const change = (next: boolean) => {
    setWanted(next);
    void save.run(
      async (signal) => onSeen(await api.call('updatePreferences', { body: { digestOptOut: !next }, signal })),
      {
        done: () => (next ? 'You will get a daily digest by email.' : 'No more daily digest by email.'),
        failure: (error) => {
          setWanted(!next);
          return error instanceof Error ? error.message : String(error);
        },
      },
    );
  };

  return (
    <div>
      <Switch
        label="Email me a daily digest"
        checked={wanted}
        disabled={save.busy}
        onChange={(_, data) => change(data.checked)}
      />
      <OutcomeNotice outcome={save.outcome} />
    </div>
  );
}
