import { useId, useState } from 'react';
import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Contact } from '../../shared/schemas/contacts';
import type { ApiClient } from '../api/client';
import { FormField } from '../ui/FormField';
import { TextInput } from '../ui/inputs';
import { contactLabel } from './CustomerSearch';
import { useMatches } from './useMatches';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  results: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
});

export interface ContactSearchProps {
  api: ApiClient;
  label: string;
  onPick: (contact: Contact) => void;
}

/** Find any known contact by name, email or phone (no organizations, no new contact): for a field inside a form. */
export function ContactSearch({ api, label, onPick }: ContactSearchProps) {
  const styles = useStyles();
  const id = useId();
  const [text, setText] = useState('');
  const matches = useMatches(api, text, false);
  const searched = matches !== null && matches.q === text.trim() && matches.failure === null;
  const failure = matches !== null && matches.q === text.trim() ? matches.failure : null;
  return (
    <div className={styles.root}>
      <FormField label={label} hint="Search by name, email or phone.">
        <TextInput
          type="search"
          value={text}
          onChange={(event) => setText(event.target.value)}
          // Enter searches here; it must not send the form around it.
          onKeyDown={(event) => event.key === 'Enter' && event.preventDefault()}
          aria-controls={`${id}-results`}
        />
      </FormField>
      <ul id={`${id}-results`} className={styles.results} aria-label={`${label}: matches`}>
        {searched &&
          matches.contacts.map((contact) => (
            <li key={contact.id}>
              <Button
                size="small"
                appearance="subtle"
                onClick={() => {
                  onPick(contact);
                  setText('');
                }}
              >
                Choose {contactLabel(contact)}
              </Button>
            </li>
          ))}
      </ul>
      {failure && (
        <Text size={200} role="alert">
          Could not search: {failure}
        </Text>
      )}
      {searched && matches.contacts.length === 0 && <Text size={200}>No contact matches “{text.trim()}”.</Text>}
    </div>
  );
}
