import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { makeStyles, tokens } from '@fluentui/react-components';
import { Button } from '../ui/Button';
import { Text } from '../ui/Text';
import { Busy } from '../ui/Busy';
import type { Activity } from '../../shared/schemas/activities';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { ApiClient } from '../api/client';
import type { ItemSnapshot } from '../office/item';
import { Notice, type Outcome } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { OpportunityLookup, type PickedOpportunity } from './OpportunityLookup';
import { RegardingCard } from './RegardingCard';
import { completeChosenDraft } from './draft-matching';
import { nextStepFor } from './next-step';
import { itemContext, peopleOf } from './pane-context';
import { isNewMeeting, linkItem, loadRegarding, rememberLink, removeLink, type FlowResult } from './regarding-flow';

// Shown only for a draft with earlier drafts to choose from, or a meeting linked with a next step to replace:
// not on a read email's first view, so they load when needed (issue 15's bundle budget).
const DraftChoice = lazy(() => import('./DraftChoice').then((m) => ({ default: m.DraftChoice })));
const ReplaceNextStepOffer = lazy(() =>
  import('../activities/ReplaceNextStepOffer').then((m) => ({ default: m.ReplaceNextStepOffer })),
);

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  heading: { display: 'block', margin: 0 },
  subject: { display: 'block', margin: 0, color: tokens.colorNeutralForeground2 },
  confirm: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
});

/** What the advisor is told before a new meeting is saved to link it (office.appointmentcompose.yml `saveAsync`). */
export const SAVE_MEETING_TEXT =
  'Linking saves this meeting to your calendar; no invitation is sent until you send it. If you then discard the meeting, delete it from your calendar.';

export interface SetRegardingProps {
  api: ApiClient;
  snapshot: ItemSnapshot;
  myEmail: string;
  onOpenOpportunity?: (id: number) => void;
  /** A manager's lookup lists the team's closed opportunities on its Closed tab. */
  manager?: boolean;
}

function itemNoun(snapshot: ItemSnapshot): string {
  if (snapshot.kind === 'appointment') return 'appointment';
  return snapshot.mode === 'compose' ? 'draft' : 'email';
}

/**
 * Set Regarding for one item. Mounted per item (keyed by the item), so when a pinned pane moves
 * to another item this unmounts, its signal aborts, and nothing of the old item reaches the new one.
 */
export function SetRegarding({ api, snapshot, myEmail, onOpenOpportunity, manager }: SetRegardingProps) {
  const styles = useStyles();
  // Its signal aborts when this unmounts (the item changed): an unfinished run then reports nothing.
  const { busy, outcome: message, run: runAction } = useAction();
  const [loading, setLoading] = useState(true);
  const [activity, setActivity] = useState<Activity | null>(null);
  const [changing, setChanging] = useState(false);
  const [draftChoices, setDraftChoices] = useState<Activity[]>([]);
  const people = useMemo(() => peopleOf(snapshot, myEmail), [snapshot, myEmail]);
  // The Suggested view's first answer, from the pane context: until the advisor changes something.
  const [suggested, setSuggested] = useState<OpportunitySummary[] | undefined>(undefined);
  const noun = itemNoun(snapshot);
  const preferred = useMemo(() => (snapshot.kind === 'appointment' ? nextStepFor(snapshot.subject) : null), [snapshot]);

  const report = useCallback(
    (result: FlowResult, done: (activity: Activity | null) => Outcome | null): Outcome | null => {
      if (result.unsynced) {
        const what =
          result.unsynced.opportunityId !== null ? `The link to “${result.unsynced.topic}”` : 'Removing the link';
        return {
          intent: 'warning',
          text: `Regarding could not reach its service. ${what} is kept on this ${noun} and will be completed the next time you open it, or now with Try again.`,
        };
      }
      setActivity(result.activity?.regarding ? result.activity : null);
      setDraftChoices(result.draftChoices ?? []);
      const outcome = done(result.activity);
      if (!result.markerTooLarge || !result.activity?.regarding) return outcome;
      // Outlook's 2,500-character limit for an add-in's custom properties on one item (office.customproperties.yml).
      return {
        intent: 'info',
        text: `${outcome ? `${outcome.text} ` : ''}This ${noun} could not carry Regarding's marker: it already holds as much add-in data as Outlook allows. The link is kept by Regarding's service.`,
      };
    },
    [noun],
  );

  // A run that the item changing interrupted (ItemChangedError, an aborted request) reports nothing.
  const run = useCallback(
    async (work: (signal: AbortSignal) => Promise<FlowResult>, done: (activity: Activity | null) => Outcome | null) => {
      await runAction(work, { done: (result) => report(result, done) });
      setLoading(false);
    },
    [runAction, report],
  );

  const load = useCallback(
    () =>
      run(
        async (signal) => {
          // One request for what the service knows of the item: its activity and its suggestions.
          const context = await itemContext(api, snapshot, people, signal);
          setSuggested(context?.suggestions);
          return loadRegarding(api, snapshot, signal, context?.lookup);
        },
        // A pending link says so on its card (Completes when sent): no notice repeats it.
        () => null,
      ),
    [api, run, snapshot, people],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const linked =
    (topic: string) =>
    (current: Activity | null): Outcome | null =>
      current?.regarding
        ? current.outlook.pending
          ? {
              intent: 'success',
              text: `This ${noun} is now regarding “${topic}”, and the link completes when you send it.`,
            }
          : { intent: 'success', text: `This ${noun} is now regarding “${topic}”.` }
        : null;

  // A new meeting is saved to the organizer's calendar to be linked: only once the advisor agrees.
  const [confirmSave, setConfirmSave] = useState<{ id: number; topic: string } | null>(null);
  // A closed opportunity is linked only once the advisor confirms it (the service allows it).
  const [confirmClosed, setConfirmClosed] = useState<PickedOpportunity | null>(null);
  const link = (opportunity: { id: number; topic: string }, saveNewMeeting = false) => {
    setSuggested(undefined);
    setChanging(false);
    setConfirmSave(null);
    setConfirmClosed(null);
    void run(
      (signal) => linkItem(api, snapshot, opportunity, signal, undefined, { saveNewMeeting }),
      linked(opportunity.topic),
    );
  };
  const pick = async (opportunity: { id: number; topic: string }) => {
    setConfirmClosed(null);
    if (await isNewMeeting(snapshot)) setConfirmSave(opportunity);
    else link(opportunity);
  };
  const choose = (opportunity: PickedOpportunity) => {
    if (opportunity.status === 'open') void pick(opportunity);
    else setConfirmClosed(opportunity);
  };

  const pickDraft = (draft: Activity) =>
    run(
      async (signal) => {
        const completed = await completeChosenDraft(api, snapshot, draft, signal);
        await rememberLink(snapshot, completed, signal);
        return { activity: completed };
      },
      (current) =>
        current?.regarding && !('hidden' in current.regarding)
          ? { intent: 'success', text: `This ${noun} is now regarding “${current.regarding.topic}”.` }
          : null,
    );

  const remove = () => {
    setSuggested(undefined);
    return run(
      (signal) => removeLink(api, snapshot, activity?.id ?? null, signal),
      () => ({ intent: 'success', text: `Regarding removed from this ${noun}.` }),
    );
  };

  return (
    <div className={styles.root}>
      <div>
        <Text as="h2" size={300} weight="semibold" className={styles.heading}>
          {noun === 'draft' ? 'This draft' : noun === 'email' ? 'This email' : 'This appointment'}
        </Text>
        <Text as="p" className={styles.subject} truncate wrap={false}>
          {snapshot.subject || '(no subject)'}
        </Text>
      </div>
      {loading ? (
        <Busy label={`Checking what this ${noun} is regarding…`} />
      ) : (
        <>
          {message && (
            <Notice
              intent={message.intent}
              action={
                // A warning (the change is kept on the item) or an error: Try again loads, which resumes a kept change.
                message.intent === 'warning' || message.intent === 'error'
                  ? { label: 'Try again', onClick: () => void load() }
                  : undefined
              }
            >
              {message.text}
            </Notice>
          )}
          {draftChoices.length > 0 && !activity?.regarding && (
            <Suspense fallback={null}>
              <DraftChoice
                drafts={draftChoices}
                busy={busy}
                onPick={(draft) => void pickDraft(draft)}
                onDismiss={() => setDraftChoices([])}
              />
            </Suspense>
          )}
          {confirmClosed && (
            <section className={styles.confirm} aria-label="Link to a closed opportunity?">
              <Text>
                “{confirmClosed.topic}” is closed as {confirmClosed.status === 'won' ? 'won' : 'lost'}. Link this {noun}{' '}
                to it anyway?
              </Text>
              <div className={styles.actions}>
                <Button appearance="primary" disabled={busy} onClick={() => void pick(confirmClosed)}>
                  Link to {confirmClosed.status === 'won' ? 'won' : 'lost'} “{confirmClosed.topic}”
                </Button>
                <Button onClick={() => setConfirmClosed(null)}>Cancel</Button>
              </div>
            </section>
          )}
          {confirmSave && (
            <section className={styles.confirm} aria-label="Save this meeting?">
              <Text>{SAVE_MEETING_TEXT}</Text>
              <div className={styles.actions}>
                <Button appearance="primary" onClick={() => link(confirmSave, true)}>
                  Save and link to “{confirmSave.topic}”
                </Button>
                <Button onClick={() => setConfirmSave(null)}>Cancel</Button>
              </div>
            </section>
          )}
          {activity?.kind === 'appointment' && activity.regarding && (
            <Suspense fallback={null}>
              <ReplaceNextStepOffer key={activity.id} api={api} appointment={activity} myEmail={myEmail} />
            </Suspense>
          )}
          {activity?.regarding && !changing ? (
            <RegardingCard
              activity={activity}
              busy={busy}
              onChange={() => setChanging(true)}
              onRemove={() => void remove()}
              onOpen={onOpenOpportunity ? () => onOpenOpportunity(activity.regarding!.id) : undefined}
            />
          ) : (
            <>
              {!activity?.regarding && <Text>Regarding: Not set</Text>}
              {busy && <Busy label="Saving…" />}
              <OpportunityLookup
                api={api}
                people={people}
                suggested={suggested}
                busy={busy}
                exclude={changing ? activity?.regarding?.id : undefined}
                preferred={preferred ? { id: preferred.opportunityId, topic: preferred.topic } : null}
                label={changing ? 'Change regarding to' : 'Look for: Opportunity'}
                manager={manager}
                onPick={choose}
                onCancel={changing ? () => setChanging(false) : undefined}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}
