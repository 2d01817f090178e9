import { useId, useState } from 'react';
import { Button, Field, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Contact, Organization } from '../../shared/schemas/contacts';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { TextInput } from '../ui/inputs';
import { errorText } from '../ui/useAction';
import { useMatches } from './useMatches';

/** What the advisor chose: a known contact or organization, or the fields of a contact to create. */
export type CustomerPick =
  | { kind: 'contact'; contact: Contact }
  | { kind: 'organization'; organization: Organization }
  | { kind: 'new'; name: string; email: string; phone: string };

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  results: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '2px' },
  create: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
});

export const contactLabel = (c: Contact) =>
  [c.name, c.email ?? c.phone, c.organization?.name].filter(Boolean).join(' · ') +
  (c.openOpportunities.length ? ` · ${c.openOpportunities.length} open` : '');

export interface CustomerSearchProps {
  api: ApiClient;
  label: string;
  /** Offer organizations too (a potential customer); a referrer is a contact. */
  organizations?: boolean;
  onPick: (pick: CustomerPick) => void;
}

/**
 * Find a contact (or organization) by name, email or phone before making one: a new contact or
 * organization is offered only once the search has shown that nothing matches, and a new contact's
 * name that matches existing contacts shows them first.
 */
export function CustomerSearch({ api, label, organizations = false, onPick }: CustomerSearchProps) {
  const styles = useStyles();
  const id = useId();
  const [text, setText] = useState('');
  const [creating, setCreating] = useState<'contact' | 'organization' | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const matches = useMatches(api, text, organizations);
  const sameName = useMatches(api, creating ? name : '', false);
  const searched = matches !== null && matches.q === text.trim() && matches.failure === null;
  const failure = matches !== null && matches.q === text.trim() ? matches.failure : null;
  const none = searched && matches.contacts.length === 0 && matches.organizations.length === 0;

  const startCreating = (kind: 'contact' | 'organization') => {
    const typed = text.trim();
    setCreating(kind);
    setError(null);
    setFieldErrors({});
    if (typed.includes('@')) {
      setEmail(typed.toLowerCase());
      setName('');
    } else if (/^[\d\s()+.\-/]+$/.test(typed)) {
      setPhone(typed);
      setName('');
    } else setName(typed);
  };
  const createOrganization = () => {
    setError(null);
    setFieldErrors({});
    void api.call('createOrganization', { body: { name: name.trim(), domain: domain.trim() || undefined } }).then(
      (organization) => onPick({ kind: 'organization', organization }),
      (e: unknown) => {
        // The service names the field: its message goes next to it; anything else below the form.
        const byField = Object.fromEntries(
          (e instanceof ApiError ? (e.problem?.errors ?? []) : []).map((f) => [
            f.path.replace(/^body\./, ''),
            f.message,
          ]),
        );
        if (Object.keys(byField).length) setFieldErrors(byField);
        else setError(errorText(e));
      },
    );
  };
  /** A new contact's email and phone, checked before it is used (the service checks them again on create). */
  const pickNewContact = () => {
    const problems: Record<string, string> = {};
    if (email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()))
      problems.email = 'Enter an email address like name@example.com';
    if (phone.trim() && phone.replace(/\D/g, '').length < 3) problems.phone = 'Enter a phone number with its digits';
    setFieldErrors(problems);
    if (Object.keys(problems).length === 0)
      onPick({ kind: 'new', name: name.trim(), email: email.trim(), phone: phone.trim() });
  };
  const invalid = (field: string) =>
    fieldErrors[field] ? { validationMessage: fieldErrors[field], validationState: 'error' as const } : {};

  return (
    <div className={styles.root}>
      <Field label={label} hint="Search by name, email or phone before creating one.">
        {(field) => (
          <TextInput
            {...field}
            type="search"
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              setCreating(null);
            }}
            aria-controls={`${id}-results`}
          />
        )}
      </Field>
      <ul id={`${id}-results`} className={styles.results} aria-label={`${label}: matches`}>
        {searched &&
          matches.contacts.map((contact) => (
            <li key={`c${contact.id}`}>
              <Button size="small" appearance="subtle" onClick={() => onPick({ kind: 'contact', contact })}>
                Choose {contactLabel(contact)}
              </Button>
            </li>
          ))}
        {searched &&
          matches.organizations.map((organization) => (
            <li key={`o${organization.id}`}>
              <Button size="small" appearance="subtle" onClick={() => onPick({ kind: 'organization', organization })}>
                Choose organization {organization.name}
                {organization.domains.length ? ` · ${organization.domains.join(', ')}` : ''}
              </Button>
            </li>
          ))}
      </ul>
      {failure && (
        <Text size={200} role="alert">
          Could not search: {failure}
        </Text>
      )}
      {none && (
        <Text size={200}>
          No contact{organizations ? ' or organization' : ''} matches “{text.trim()}”.
        </Text>
      )}
      {searched && !creating && (
        <div className={styles.actions}>
          <Button size="small" onClick={() => startCreating('contact')}>
            New contact
          </Button>
          {organizations && (
            <Button size="small" onClick={() => startCreating('organization')}>
              New organization
            </Button>
          )}
        </div>
      )}
      {creating && (
        <div className={styles.create} role="group" aria-label={`New ${creating}`}>
          <Field
            label={creating === 'contact' ? "New contact's name" : "New organization's name"}
            required
            {...invalid('name')}
          >
            {(field) => <TextInput {...field} value={name} onChange={(event) => setName(event.target.value)} />}
          </Field>
          {creating === 'contact' && sameName && sameName.contacts.length > 0 && (
            <ul className={styles.results} aria-label="Existing contacts with this name">
              {sameName.contacts.map((contact) => (
                <li key={contact.id}>
                  <Button size="small" appearance="subtle" onClick={() => onPick({ kind: 'contact', contact })}>
                    Choose {contactLabel(contact)}
                  </Button>
                </li>
              ))}
            </ul>
          )}
          {creating === 'contact' ? (
            <>
              <Field label="Email" {...invalid('email')}>
                {(field) => (
                  <TextInput {...field} type="email" value={email} onChange={(event) => setEmail(event.target.value)} />
                )}
              </Field>
              <Field label="Phone" {...invalid('phone')}>
                {(field) => (
                  <TextInput {...field} type="tel" value={phone} onChange={(event) => setPhone(event.target.value)} />
                )}
              </Field>
              <Button size="small" disabled={!name.trim()} onClick={pickNewContact}>
                Use new contact {name.trim()}
              </Button>
            </>
          ) : (
            <>
              <Field
                label="Email domain"
                hint="e.g. contoso.com: its new contacts join the organization."
                {...invalid('domain')}
              >
                {(field) => <TextInput {...field} value={domain} onChange={(event) => setDomain(event.target.value)} />}
              </Field>
              <Button size="small" disabled={!name.trim()} onClick={createOrganization}>
                Create organization {name.trim()}
              </Button>
            </>
          )}
          {error && (
            <Text size={200} role="alert">
              {error}
            </Text>
          )}
        </div>
      )}
    </div>
  );
}
