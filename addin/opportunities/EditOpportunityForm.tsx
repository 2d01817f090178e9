import { useState } from 'react';
import { Button, Field } from '@fluentui/react-components';
import type { Opportunity, Stage } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import { TextInput } from '../ui/inputs';
import { StageSelect } from '../ui/StageSelect';
import { OpportunityPanel, type SubmitChange } from './OpportunityPanel';

export interface EditOpportunityFormProps {
  api: ApiClient;
  opportunity: Opportunity;
  busy: boolean;
  submit: SubmitChange;
}

/** Topic, stage, estimated value and close date, starting from the opportunity as it is; saved only if nobody changed it since. */
export function EditOpportunityForm({ api, opportunity: o, busy, submit }: EditOpportunityFormProps) {
  const [topic, setTopic] = useState(o.topic);
  const [stage, setStage] = useState<Stage>(o.stage);
  const [value, setValue] = useState(o.estimatedValue === null ? '' : String(o.estimatedValue));
  const [closeDate, setCloseDate] = useState(o.estimatedCloseDate ?? '');

  return (
    <OpportunityPanel label="Edit opportunity">
      <Field label="Topic" required>
        {(field) => <TextInput {...field} value={topic} onChange={(event) => setTopic(event.target.value)} />}
      </Field>
      <StageSelect value={stage} onChange={setStage} />
      <Field label="Estimated value (USD)">
        {(field) => (
          <TextInput
            {...field}
            type="number"
            min={0}
            value={value}
            onChange={(event) => setValue(event.target.value)}
          />
        )}
      </Field>
      <Field label="Estimated close date">
        {(field) => (
          <TextInput {...field} type="date" value={closeDate} onChange={(event) => setCloseDate(event.target.value)} />
        )}
      </Field>
      <Button
        appearance="primary"
        disabled={busy || !topic.trim()}
        onClick={() =>
          submit(
            () =>
              api.call('updateOpportunity', {
                params: { id: o.id },
                body: {
                  topic,
                  stage,
                  estimatedValue: value === '' ? null : Number(value),
                  estimatedCloseDate: closeDate || null,
                },
                headers: { 'If-Match': `"${o.version}"` },
              }),
            'Saved.',
          )
        }
      >
        Save
      </Button>
    </OpportunityPanel>
  );
}
