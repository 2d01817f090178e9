import { useState } from 'react';
import { Button, Field, Textarea } from '@fluentui/react-components';
import type { ApiClient } from '../api/client';
import { PeoplePicker, toShareTargets, type PersonOrTeam } from '../people/PeoplePicker';
import { OpportunityPanel, type SubmitChange } from './OpportunityPanel';

export interface AddNoteFormProps {
  api: ApiClient;
  opportunityId: number;
  busy: boolean;
  submit: SubmitChange;
}

/** A note, private unless shared with advisors or teams. */
export function AddNoteForm({ api, opportunityId, busy, submit }: AddNoteFormProps) {
  const [body, setBody] = useState('');
  const [shareWith, setShareWith] = useState<PersonOrTeam[]>([]);

  return (
    <OpportunityPanel label="Add note">
      <Field label="Note" required>
        <Textarea value={body} onChange={(_, d) => setBody(d.value)} />
      </Field>
      <PeoplePicker
        api={api}
        label="Share with"
        teams
        selected={shareWith}
        onChange={setShareWith}
        hint="Only you and those you share it with can read it."
      />
      <Button
        appearance="primary"
        disabled={busy || !body.trim()}
        onClick={() =>
          // The form closes once the note is added.
          submit(
            () =>
              api.call('addNote', {
                params: { id: opportunityId },
                body: { body, shareWith: toShareTargets(shareWith) },
              }),
            'Note added.',
          )
        }
      >
        Add note
      </Button>
    </OpportunityPanel>
  );
}
