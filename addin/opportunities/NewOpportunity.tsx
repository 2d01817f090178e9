import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Checkbox,
  Field,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { SelectInput, TextInput } from '../ui/inputs';
import { REFERRAL_CAMPAIGN_ID } from '../../shared/constants';
import type { Me } from '../../shared/schemas/advisors';
import type { Contact } from '../../shared/schemas/contacts';
import type { Campaign, CustomerChoice, Stage } from '../../shared/schemas/opportunities';
import { CustomerSearch, type CustomerPick } from '../people/CustomerSearch';
import { ReferrerPicker, referrerChoice, type ReferrerValue } from '../people/ReferrerPicker';
import type { OpportunityDetail } from '../../shared/schemas/timeline';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import type { ItemSnapshot } from '../office/item';
import { PeoplePicker, toShareTargets, type PersonOrTeam } from '../people/PeoplePicker';
import { prepareItem, rememberLink } from '../regarding/regarding-flow';
import { StageSelect } from '../ui/StageSelect';
import { OutcomeNotice } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { contactsFor } from '../regarding/people-queries';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: tokens.spacingHorizontalM },
  narrow: { minWidth: 0, width: '100%' },
  person: { display: 'flex', flexDirection: 'column' },
  muted: { color: tokens.colorNeutralForeground2 },
  chosen: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

function pickedLabel(pick: CustomerPick): string {
  if (pick.kind === 'contact') return [pick.contact.name, pick.contact.email].filter(Boolean).join(' · ');
  if (pick.kind === 'organization') return `${pick.organization.name} (organization)`;
  return `${pick.name} (new contact)`;
}

interface Person {
  email: string;
  name: string;
  role: string;
}

export interface NewOpportunityProps {
  api: ApiClient;
  me: Me;
  snapshot: ItemSnapshot | null;
  onCreated: (detail: OpportunityDetail) => void;
}

const ROLE_LABELS: Record<string, string> = {
  from: 'Sender',
  to: 'To',
  cc: 'Cc',
  organizer: 'Organizer',
  attendee: 'Attendee',
};

/**
 * New opportunity or referral from the current item: the potential customer is one of the item's
 * people (matched to a known contact by email, or created), and one Create does it all in one
 * server transaction: customer, opportunity, owner, shared note and the link to this item.
 */
export function NewOpportunity({ api, me, snapshot, onCreated }: NewOpportunityProps) {
  const styles = useStyles();
  const people = useMemo<Person[]>(() => {
    const seen = new Map<string, Person>();
    for (const p of snapshot?.participants ?? []) {
      if (p.email === me.email.toLowerCase() || seen.has(p.email)) continue;
      seen.set(p.email, { email: p.email, name: p.name ?? p.email.split('@')[0], role: p.role });
    }
    return [...seen.values()];
  }, [snapshot, me]);

  const sender = useMemo(() => {
    const from = snapshot?.kind === 'email' ? snapshot.participants.find((p) => p.role === 'from') : undefined;
    if (!from || from.email === me.email.toLowerCase()) return null;
    return { email: from.email, name: from.name ?? from.email.split('@')[0] };
  }, [snapshot, me]);
  const [known, setKnown] = useState<Map<string, Contact> | null>(null);
  // '' when the customer is found by search (or there is no item) rather than one of the item's people.
  const [picked, setPicked] = useState<CustomerPick | null>(null);
  const [referrer, setReferrer] = useState<ReferrerValue>(null);
  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [customerEmail, setCustomerEmail] = useState(people[0]?.email ?? '');
  const [customerName, setCustomerName] = useState(people[0]?.name ?? '');
  const [topic, setTopic] = useState('');
  const [campaignId, setCampaignId] = useState(1);
  const [stage, setStage] = useState<Stage>('qualify');
  const [estimatedValue, setEstimatedValue] = useState('');
  const [closeDate, setCloseDate] = useState('');
  const [note, setNote] = useState('');
  const meAsOwner: PersonOrTeam = { kind: 'advisor', id: me.id, label: `${me.displayName} (${me.email})` };
  const [owner, setOwner] = useState<PersonOrTeam[]>([meAsOwner]);
  const [shareWith, setShareWith] = useState<PersonOrTeam[]>([]);
  const [link, setLink] = useState(snapshot !== null);
  const { busy, error, outcome, run } = useAction();
  // The service's field errors, shown at their fields.
  const fields: Record<string, string> = Object.fromEntries(
    (error?.cause instanceof ApiError ? (error.cause.problem?.errors ?? []) : []).map((e) => [
      e.path.split('.').pop()!,
      e.message,
    ]),
  );
  // One key per form: a double-click or a retry after a timeout returns the same opportunity.
  const idempotencyKey = useRef(crypto.randomUUID());
  const controller = useRef(new AbortController());

  useEffect(() => {
    const mine = controller.current;
    api.call('listCampaigns', { signal: mine.signal }).then(setCampaigns, () => undefined);
    if (people.length) {
      contactsFor(
        api,
        people.map((p) => p.email),
        mine.signal,
      ).then(
        (contacts) => setKnown(new Map(contacts.map((c) => [c.email!, c]))),
        () => setKnown(new Map()),
      );
    } else setKnown(new Map());
    return () => mine.abort();
  }, [api, people]);

  const customer = customerEmail ? (known?.get(customerEmail) ?? null) : null;
  const customerChoice = (): CustomerChoice | null => {
    if (customerEmail) {
      return customer
        ? { contactId: customer.id }
        : { newContact: { name: customerName.trim() || customerEmail, email: customerEmail } };
    }
    if (!picked) return null;
    if (picked.kind === 'contact') return { contactId: picked.contact.id };
    if (picked.kind === 'organization') return { organizationId: picked.organization.id };
    return { newContact: { name: picked.name, email: picked.email || undefined, phone: picked.phone || undefined } };
  };
  const isReferral = campaignId === REFERRAL_CAMPAIGN_ID;
  const choosePerson = (email: string) => {
    setCustomerEmail(email);
    setCustomerName(people.find((p) => p.email === email)?.name ?? '');
    setPicked(null);
  };

  const create = (event: React.FormEvent) => {
    event.preventDefault();
    const chosen = customerChoice();
    if (busy || !chosen) return;
    // Aborted when the form unmounts (the item changed): nothing is reported then.
    void run(async (signal) => {
      const ownerId = owner[0]?.id ?? me.id;
      const prepared = link && snapshot ? await prepareItem(snapshot, null, signal) : null;
      const detail = await api.call('createOpportunity', {
        body: {
          topic,
          customer: chosen,
          campaignId,
          stage,
          estimatedValue: estimatedValue ? Number(estimatedValue) : undefined,
          estimatedCloseDate: closeDate || undefined,
          ownerId,
          note: note.trim()
            ? {
                body: note,
                shareWith: toShareTargets(shareWith),
              }
            : undefined,
          linkItem: prepared?.item,
          referredBy: (isReferral && referrerChoice(referrer)) || undefined,
        },
        headers: { 'Idempotency-Key': idempotencyKey.current },
        signal,
      });
      const linked = detail.activities[0];
      if (snapshot && linked && prepared) await rememberLink(snapshot, linked, signal, prepared.header);
      onCreated(detail);
    });
  };

  if (!known) return <Spinner size="small" label="Looking up this item's people…" />;
  const noun = snapshot?.kind === 'appointment' ? 'appointment' : 'email';

  return (
    <form className={styles.form} onSubmit={create} aria-labelledby="new-title">
      <Text as="h2" size={400} weight="semibold" id="new-title" style={{ margin: 0 }}>
        New opportunity
      </Text>
      {people.length > 0 && (
        <Field label="Potential customer">
          <RadioGroup value={customerEmail} onChange={(_, data) => choosePerson(data.value)}>
            {people.map((person) => {
              const contact = known.get(person.email);
              return (
                <Radio
                  key={person.email}
                  value={person.email}
                  label={
                    <span className={styles.person}>
                      <span>
                        {contact?.name ?? person.name} · {ROLE_LABELS[person.role]}
                      </span>
                      <Text size={200} className={styles.muted}>
                        {person.email} ·{' '}
                        {contact
                          ? `Known contact${contact.openOpportunities.length ? `, ${contact.openOpportunities.length} open: ${contact.openOpportunities.map((o) => o.topic).join('; ')}` : ''}`
                          : 'New contact'}
                      </Text>
                    </span>
                  }
                />
              );
            })}
            <Radio value="" label="Another contact or organization…" />
          </RadioGroup>
        </Field>
      )}
      {!customerEmail &&
        (picked ? (
          <div className={styles.chosen} role="group" aria-label="Potential customer">
            <Text>
              Potential customer: <strong>{pickedLabel(picked)}</strong>
            </Text>
            <Button size="small" onClick={() => setPicked(null)}>
              Change customer
            </Button>
          </div>
        ) : (
          <CustomerSearch api={api} label="Find the potential customer" organizations onPick={setPicked} />
        ))}
      {customerEmail && !customer && (
        <Field label="New contact's name" required validationMessage={fields.name}>
          {(field) => (
            <TextInput {...field} value={customerName} onChange={(event) => setCustomerName(event.target.value)} />
          )}
        </Field>
      )}
      <Field label="Topic" required validationMessage={fields.topic} validationState={fields.topic ? 'error' : 'none'}>
        {(field) => <TextInput {...field} value={topic} onChange={(event) => setTopic(event.target.value)} />}
      </Field>
      <div className={styles.row}>
        <Field label="Source campaign">
          {(field) => (
            <SelectInput
              {...field}
              value={String(campaignId)}
              onChange={(event) => setCampaignId(Number(event.target.value))}
            >
              {(campaigns.length ? campaigns : [{ id: 1, name: 'Referral' }]).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </SelectInput>
          )}
        </Field>
        <StageSelect value={stage} onChange={setStage} />
      </div>
      {isReferral && <ReferrerPicker api={api} me={me} sender={sender} value={referrer} onChange={setReferrer} />}
      <div className={styles.row}>
        <Field label="Estimated value (USD)" validationMessage={fields.estimatedValue}>
          {(field) => (
            <TextInput
              {...field}
              className={styles.narrow}
              type="number"
              min={0}
              value={estimatedValue}
              onChange={(event) => setEstimatedValue(event.target.value)}
            />
          )}
        </Field>
        <Field label="Estimated close date" validationMessage={fields.estimatedCloseDate}>
          {(field) => (
            <TextInput
              {...field}
              className={styles.narrow}
              type="date"
              value={closeDate}
              onChange={(event) => setCloseDate(event.target.value)}
            />
          )}
        </Field>
      </div>
      <Field label="Note" hint="Shared with whoever you assign it to, so the referral's context is never lost.">
        <Textarea value={note} onChange={(_, data) => setNote(data.value)} resize="vertical" />
      </Field>
      <PeoplePicker
        api={api}
        label="Assign to"
        hint="Who will handle it (you, unless you choose someone)."
        single
        selected={owner}
        onChange={setOwner}
      />
      <PeoplePicker
        api={api}
        label="Share note with"
        hint="The assignee always sees the note. Add advisors or teams."
        teams
        selected={shareWith}
        onChange={setShareWith}
      />
      {snapshot && (
        <Checkbox
          checked={link}
          onChange={(_, data) => setLink(data.checked === true)}
          label={`Link this ${noun} to the new opportunity`}
        />
      )}
      <OutcomeNotice outcome={outcome} />
      <Button type="submit" appearance="primary" disabled={busy || !topic.trim() || customerChoice() === null}>
        {busy ? 'Creating…' : 'Create'}
      </Button>
    </form>
  );
}
