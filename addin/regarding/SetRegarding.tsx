import { useCallback, useEffect, useMemo, useState } from 'react';
import { Text, makeStyles, tokens } from '@fluentui/react-components';
import { Busy } from '../ui/Busy';
import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import type { ItemSnapshot } from '../office/item';
import { Notice, type Outcome } from '../ui/Notice';
import { useAction } from '../ui/useAction';
import { OpportunityLookup } from './OpportunityLookup';
import { DraftChoice } from './DraftChoice';
import { RegardingCard } from './RegardingCard';
import { completeChosenDraft } from './draft-matching';
import { nextStepFor } from './next-step';
import { linkItem, loadRegarding, rememberLink, removeLink, type FlowResult } from './regarding-flow';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  heading: { display: 'block', margin: 0 },
  subject: { display: 'block', margin: 0, color: tokens.colorNeutralForeground2 },
});

export interface SetRegardingProps {
  api: ApiClient;
  snapshot: ItemSnapshot;
  myEmail: string;
  onOpenOpportunity?: (id: number) => void;
}

function itemNoun(snapshot: ItemSnapshot): string {
  if (snapshot.kind === 'appointment') return 'appointment';
  return snapshot.mode === 'compose' ? 'draft' : 'email';
}

/**
 * Set Regarding for one item. Mounted per item (keyed by the item), so when a pinned pane moves
 * to another item this unmounts, its signal aborts, and nothing of the old item reaches the new one.
 */
export function SetRegarding({ api, snapshot, myEmail, onOpenOpportunity }: SetRegardingProps) {
  const styles = useStyles();
  // Its signal aborts when this unmounts (the item changed): an unfinished run then reports nothing.
  const { busy, outcome: message, run: runAction } = useAction();
  const [loading, setLoading] = useState(true);
  const [activity, setActivity] = useState<Activity | null>(null);
  const [changing, setChanging] = useState(false);
  const [draftChoices, setDraftChoices] = useState<Activity[]>([]);
  const people = useMemo(
    () => [...new Set(snapshot.participants.map((p) => p.email).filter((email) => email !== myEmail))],
    [snapshot, myEmail],
  );
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
      return done(result.activity);
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
        (signal) => loadRegarding(api, snapshot, signal),
        (current) => (current?.outlook.pending ? { intent: 'info', text: 'Linked, completes when sent.' } : null),
      ),
    [api, run, snapshot],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const linked =
    (topic: string) =>
    (current: Activity | null): Outcome | null =>
      current?.regarding
        ? current.outlook.pending
          ? { intent: 'success', text: `Linked to “${topic}”. Linked, completes when sent.` }
          : { intent: 'success', text: `This ${noun} is now regarding “${topic}”.` }
        : null;

  const pick = (opportunity: { id: number; topic: string }) => {
    setChanging(false);
    void run((signal) => linkItem(api, snapshot, opportunity, signal), linked(opportunity.topic));
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

  const remove = () =>
    run(
      (signal) => removeLink(api, snapshot, activity?.id ?? null, signal),
      () => ({ intent: 'success', text: `Regarding removed from this ${noun}.` }),
    );

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
            <DraftChoice
              drafts={draftChoices}
              busy={busy}
              onPick={(draft) => void pickDraft(draft)}
              onDismiss={() => setDraftChoices([])}
            />
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
                busy={busy}
                exclude={changing ? activity?.regarding?.id : undefined}
                preferred={preferred ? { id: preferred.opportunityId, topic: preferred.topic } : null}
                label={changing ? 'Change regarding to' : 'Look for: Opportunity'}
                onPick={pick}
                onCancel={changing ? () => setChanging(false) : undefined}
              />
            </>
          )}
        </>
      )}
    </div>
  );
}
