import { useState } from 'react';
import { Button, Field, Textarea } from '@fluentui/react-components';
import type { ApiClient } from '../api/client';
import { PeoplePicker, type PersonOrTeam } from '../people/PeoplePicker';
import { OpportunityPanel, type SubmitChange } from './OpportunityPanel';

export interface AssignFormProps {
  api: ApiClient;
  opportunityId: number;
  busy: boolean;
  submit: SubmitChange;
}

/** Assign to another advisor, with a message; the assigner's notes are shared with them. */
export function AssignForm({ api, opportunityId, busy, submit }: AssignFormProps) {
  const [assignee, setAssignee] = useState<PersonOrTeam[]>([]);
  const [message, setMessage] = useState('');

  return (
    <OpportunityPanel label="Assign opportunity">
      <PeoplePicker
        api={api}
        label="Assign to"
        single
        selected={assignee}
        onChange={setAssignee}
        hint="Your notes on it are shared with them automatically."
      />
      <Field
        label="Message"
        hint={`Only ${assignee[0] ? assignee[0].label.replace(/ \(.*\)$/, '') : 'the new owner'} and you see this message.`}
      >
        <Textarea value={message} onChange={(_, d) => setMessage(d.value)} />
      </Field>
      <Button
        appearance="primary"
        disabled={busy || !assignee[0]}
        onClick={() =>
          submit(
            () =>
              api.call('assignOpportunity', {
                params: { id: opportunityId },
                body: { ownerId: assignee[0].id, message: message || undefined },
              }),
            `Assigned to ${assignee[0]?.label.replace(/ \(.*\)$/, '')}.`,
          )
        }
      >
        Assign
      </Button>
    </OpportunityPanel>
  );
}
