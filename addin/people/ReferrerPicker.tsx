import { useState } from 'react';
import { Field, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import type { Me } from '../../shared/schemas/advisors';
import type { Referrer, ReferrerChoice } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import { CustomerSearch } from './CustomerSearch';
import { PeoplePicker } from './PeoplePicker';

/** Who referred it, as the form holds it: a known advisor or contact, or a contact still to be created or matched. */
export type ReferrerValue =
  | { kind: 'advisor'; id: number; name: string; email: string | null }
  | { kind: 'contact'; id: number; name: string; email: string | null }
  | { kind: 'new'; name: string; email: string; phone?: string }
  | null;

export function referrerValue(referrer: Referrer | null): ReferrerValue {
  if (!referrer) return null;
  return referrer.kind === 'advisor'
    ? { kind: 'advisor', id: referrer.id, name: referrer.name, email: referrer.email }
    : { kind: 'contact', id: referrer.id, name: referrer.name, email: referrer.email };
}

/** The value as the API's choice; a new contact only where the request takes one (create). */
export function referrerChoice(
  value: ReferrerValue,
): ReferrerChoice | { newContact: { name: string; email?: string; phone?: string } } | null {
  if (!value) return null;
  if (value.kind === 'new')
    return { newContact: { name: value.name, email: value.email || undefined, phone: value.phone || undefined } };
  return value.kind === 'advisor' ? { advisorId: value.id } : { contactId: value.id };
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  other: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingLeft: tokens.spacingHorizontalL,
  },
});

export interface ReferrerPickerProps {
  api: ApiClient;
  me: Me;
  /** The sender of the email the opportunity is created from, offered as the referrer. */
  sender?: { name: string; email: string } | null;
  value: ReferrerValue;
  onChange: (value: ReferrerValue) => void;
}

type Mode = 'none' | 'me' | 'sender' | 'chosen' | 'other';

function modeOf(value: ReferrerValue, me: Me, sender: { email: string } | null | undefined): Mode {
  if (!value) return 'none';
  if (value.kind === 'advisor' && value.id === me.id) return 'me';
  if (sender && value.kind !== 'advisor' && value.email?.toLowerCase() === sender.email) return 'sender';
  return 'chosen';
}

/** "Referred by": nobody recorded, me, the email's sender, or any advisor or contact found by search. */
export function ReferrerPicker({ api, me, sender, value, onChange }: ReferrerPickerProps) {
  const styles = useStyles();
  const [searching, setSearching] = useState(false);
  const mode: Mode = searching ? 'other' : modeOf(value, me, sender);
  const choose = (next: Mode) => {
    setSearching(next === 'other');
    if (next === 'none') onChange(null);
    if (next === 'me') onChange({ kind: 'advisor', id: me.id, name: me.displayName, email: me.email });
    if (next === 'sender' && sender) onChange({ kind: 'new', name: sender.name, email: sender.email });
  };
  const picked = (next: ReferrerValue) => {
    setSearching(false);
    onChange(next);
  };

  return (
    <div className={styles.root}>
      <Field label="Referred by">
        <RadioGroup value={mode} onChange={(_, data) => choose(data.value as Mode)}>
          <Radio value="none" label="Not recorded" />
          <Radio value="me" label={`Me (${me.displayName})`} />
          {sender && <Radio value="sender" label={`${sender.name} (sender of this email)`} />}
          {mode === 'chosen' && value && <Radio value="chosen" label={value.name} />}
          <Radio value="other" label="Another advisor or contact…" />
        </RadioGroup>
      </Field>
      {mode === 'other' && (
        <div className={styles.other}>
          <PeoplePicker
            api={api}
            label="Referring advisor"
            single
            selected={[]}
            onChange={([advisor]) => {
              if (advisor) picked({ kind: 'advisor', id: advisor.id, name: advisor.label, email: null });
            }}
          />
          <CustomerSearch
            api={api}
            label="Referring contact"
            onPick={(pick) => {
              if (pick.kind === 'contact')
                picked({ kind: 'contact', id: pick.contact.id, name: pick.contact.name, email: pick.contact.email });
              if (pick.kind === 'new') picked({ kind: 'new', name: pick.name, email: pick.email, phone: pick.phone });
            }}
          />
        </div>
      )}
    </div>
  );
}
