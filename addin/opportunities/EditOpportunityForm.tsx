import { useEffect, useState } from 'react';
import { Button, Field } from '@fluentui/react-components';
import type { Me } from '../../shared/schemas/advisors';
import type { Opportunity, Stage } from '../../shared/schemas/opportunities';
import { ReferrerPicker, referrerValue, type ReferrerValue } from '../people/ReferrerPicker';
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

/** Topic, stage, estimated value, close date and who referred it, starting from the opportunity as it is; saved only if nobody changed it since. */
export function EditOpportunityForm({ api, opportunity: o, busy, submit }: EditOpportunityFormProps) {
  const [topic, setTopic] = useState(o.topic);
  const [stage, setStage] = useState<Stage>(o.stage);
  const [value, setValue] = useState(o.estimatedValue === null ? '' : String(o.estimatedValue));
  const [closeDate, setCloseDate] = useState(o.estimatedCloseDate ?? '');
  const [referrer, setReferrer] = useState<ReferrerValue>(referrerValue(o.referredBy));
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.call('getMe', { signal: controller.signal }).then(setMe, () => undefined);
    return () => controller.abort();
  }, [api]);

  /** The referrer as the update takes it: a contact found or created first (matched by email). */
  const referredBy = async () => {
    if (!referrer) return null;
    if (referrer.kind === 'advisor') return { advisorId: referrer.id };
    if (referrer.kind === 'contact') return { contactId: referrer.id };
    const contact = await api.call('createContact', {
      body: { name: referrer.name, email: referrer.email || undefined, phone: referrer.phone || undefined },
    });
    return { contactId: contact.id };
  };
  const referrerChanged =
    (referrer?.kind === 'new' ? 'new' : `${referrer?.kind}-${referrer?.id}`) !==
    `${o.referredBy?.kind}-${o.referredBy?.id}`;

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
      {me && <ReferrerPicker api={api} me={me} value={referrer} onChange={setReferrer} />}
      <Button
        appearance="primary"
        disabled={busy || !topic.trim()}
        onClick={() =>
          submit(
            async () =>
              api.call('updateOpportunity', {
                params: { id: o.id },
                body: {
                  topic,
                  stage,
                  estimatedValue: value === '' ? null : Number(value),
                  estimatedCloseDate: closeDate || null,
                  referredBy: referrerChanged ? await referredBy() : undefined,
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
