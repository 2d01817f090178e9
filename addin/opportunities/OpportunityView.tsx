import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, Spinner, Text, makeStyles, tokens, useRestoreFocusTarget } from '@fluentui/react-components';
import { Pill, StageOrOutcome } from '../ui/Pill';
import type { OpportunityDetail } from '../../shared/schemas/timeline';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { ActivityActions } from '../activities/ActivityActions';
import { PhoneCallForm } from '../activities/PhoneCallForm';
import { TaskForm } from '../activities/TaskForm';
import { STATUS_LABELS, customerName, formatDate, formatMoney, referrerName } from '../ui/labels';
import { Notice, OutcomeNotice } from '../ui/Notice';
import { errorText, useAction } from '../ui/useAction';
import { AddNoteForm } from './AddNoteForm';
import { AssignForm } from './AssignForm';
import { CloseDialog } from './CloseDialog';
import { EditOpportunityForm } from './EditOpportunityForm';
import type { SubmitChange } from './OpportunityPanel';
import { Timeline } from './Timeline';
import { scheduleNextStep } from './schedule-next-step';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  term: { color: tokens.colorNeutralForeground2 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS },
});

type Panel = 'edit' | 'assign' | 'note' | 'call' | 'task' | null;

export interface OpportunityViewProps {
  api: ApiClient;
  id: number;
  today: string;
  onBack: () => void;
  /** Opened with this form showing (My Work's "Log a call" or "Add a task"). */
  initialPanel?: 'call' | 'task';
  /** The signed-in advisor: they may change the calls and tasks they logged. */
  meId?: number;
  /** Says where Back goes (the section the opportunity was opened from). */
  backLabel?: string;
  /** In Outlook; in a browser tab the actions that need Outlook (its appointment form) are not offered. */
  outlook?: boolean;
}

/** One opportunity: details, timeline, and the actions of the referral standard. */
export function OpportunityView({
  api,
  id,
  today,
  onBack,
  initialPanel,
  meId,
  backLabel = 'Back',
  outlook = true,
}: OpportunityViewProps) {
  const styles = useStyles();
  const [detail, setDetail] = useState<OpportunityDetail | null>(null);
  const [panel, setPanel] = useState<Panel>(initialPanel ?? null);
  const [closing, setClosing] = useState<'won' | 'lost' | null>(null);
  // Each Edit starts again from the opportunity as it is.
  const [edits, setEdits] = useState(0);
  const { busy, outcome, run, announce } = useAction();
  // The dialogs' buttons are their focus-restore targets (they are not Fluent DialogTriggers); when a close removes
  // the button, focus goes to the heading instead of the body.
  const restoreFocusTarget = useRestoreFocusTarget();
  const heading = useRef<HTMLHeadingElement>(null);

  /** (Re)loads the opportunity; after `change` when given (which closes the panel), then announces `success`. */
  const load = useCallback(
    (change?: () => Promise<unknown>, success?: string) =>
      run(
        async () => {
          if (change) {
            await change();
            setPanel(null);
          }
          setDetail(await api.call('getOpportunity', { params: { id } }));
        },
        {
          done: () => success,
          failure: (error) =>
            error instanceof ApiError && error.status === 409
              ? {
                  intent: 'error',
                  text: 'This opportunity was changed by someone else: reload it, then make your change again.',
                  action: { label: 'Reload', onClick: () => void load() },
                }
              : errorText(error),
        },
      ),
    [api, id, run],
  );
  useEffect(() => {
    void load();
  }, [load]);

  // A link to an opportunity that is gone or not the advisor's says why (the service's words) and the way back.
  if (!detail)
    return outcome ? (
      <div className={styles.root}>
        <Notice intent="error">{outcome.text}</Notice>
        <Button appearance="subtle" onClick={onBack} style={{ alignSelf: 'flex-start' }}>
          ← {backLabel}
        </Button>
      </div>
    ) : (
      <Spinner size="small" label="Loading the opportunity…" />
    );
  const o = detail.opportunity;
  const act = o.canAct;

  const scheduleNext = () =>
    scheduleNextStep({
      api,
      opportunity: o,
      today,
      meId,
      action: { run, announce },
      refresh: async () => setDetail(await api.call('getOpportunity', { params: { id } }).catch(() => detail)),
    });
  const attempt: SubmitChange = (change, success) => void load(change, success);

  const openPanel = (next: Panel) => {
    setPanel(next);
    if (next === 'edit') setEdits((n) => n + 1);
  };

  const saved = (message: string) => void load(() => Promise.resolve(), message);
  const mayChange = (createdById: number) => act || createdById === meId;

  return (
    <article className={styles.root} aria-labelledby="opportunity-title">
      <Button appearance="subtle" onClick={onBack} style={{ alignSelf: 'flex-start' }}>
        ← {backLabel}
      </Button>
      <Text
        as="h2"
        size={500}
        weight="semibold"
        id="opportunity-title"
        tabIndex={-1}
        ref={heading}
        style={{ margin: 0 }}
      >
        {o.topic}
      </Text>
      <div className={styles.badges}>
        {o.status === 'open' && <Pill tone="brand">{STATUS_LABELS.open}</Pill>}
        <StageOrOutcome status={o.status} stage={o.stage} />
      </div>
      <dl className={styles.facts}>
        <dt className={styles.term}>Customer</dt>
        <dd style={{ margin: 0 }}>
          {customerName(o)}
          {o.customerContact?.email ? ` (${o.customerContact.email})` : ''}
        </dd>
        <dt className={styles.term}>Campaign</dt>
        <dd style={{ margin: 0 }}>{o.campaign.name}</dd>
        <dt className={styles.term}>Owner</dt>
        <dd style={{ margin: 0 }}>{o.owner.displayName}</dd>
        <dt className={styles.term}>Referred by</dt>
        <dd style={{ margin: 0 }}>{referrerName(o) ?? 'Not recorded'}</dd>
        <dt className={styles.term}>Estimated</dt>
        <dd style={{ margin: 0 }}>
          {formatMoney(o.estimatedValue)}, closes {formatDate(o.estimatedCloseDate)}
        </dd>
        {o.status !== 'open' && (
          <>
            <dt className={styles.term}>Closed</dt>
            <dd style={{ margin: 0 }}>
              {formatDate(o.actualCloseDate)} · {formatMoney(o.actualValue)}
              {o.closeReason ? ` · ${o.closeReason}` : ''}
            </dd>
          </>
        )}
      </dl>
      <OutcomeNotice outcome={outcome} />
      <div className={styles.actions} role="group" aria-label="Actions">
        {act && o.status === 'open' && (
          <>
            <Button onClick={() => openPanel('edit')}>Edit</Button>
            <Button onClick={() => openPanel('assign')}>Assign</Button>
            {outlook && (
              <Button disabled={busy} onClick={() => void scheduleNext()}>
                Schedule next step
              </Button>
            )}
            <Button {...restoreFocusTarget} onClick={() => setClosing('won')}>
              Close as Won
            </Button>
            <Button {...restoreFocusTarget} onClick={() => setClosing('lost')}>
              Close as Lost
            </Button>
          </>
        )}
        {act && o.status !== 'open' && (
          <Button
            disabled={busy}
            onClick={() => attempt(() => api.call('reopenOpportunity', { params: { id } }), 'Reopened.')}
          >
            Reopen
          </Button>
        )}
        {act && o.status === 'open' && (
          <>
            <Button onClick={() => openPanel('call')}>Log a call</Button>
            <Button onClick={() => openPanel('task')}>Add a task</Button>
          </>
        )}
        <Button onClick={() => openPanel('note')}>Add note</Button>
      </div>
      {!outlook && act && o.status === 'open' && (
        <Text size={200}>
          Schedule next step opens an appointment in Outlook: open Regarding in Outlook for it, or add a task here.
        </Text>
      )}

      {panel === 'edit' && <EditOpportunityForm key={edits} api={api} opportunity={o} busy={busy} submit={attempt} />}
      {/* Kept mounted while hidden, so a half-typed assignment or note survives opening another form. */}
      <div hidden={panel !== 'assign'}>
        <AssignForm api={api} opportunityId={o.id} busy={busy} submit={attempt} />
      </div>
      <div hidden={panel !== 'note'}>
        <AddNoteForm api={api} opportunityId={o.id} busy={busy} submit={attempt} />
      </div>

      {panel === 'call' && (
        <PhoneCallForm
          api={api}
          opportunityId={o.id}
          customerContact={o.customerContact}
          onSaved={saved}
          onCancel={() => setPanel(null)}
        />
      )}
      {panel === 'task' && <TaskForm api={api} opportunityId={o.id} onSaved={saved} onCancel={() => setPanel(null)} />}

      <Timeline
        api={api}
        detail={detail}
        activityActions={(activity) =>
          mayChange(activity.createdBy.id) && (
            <ActivityActions
              api={api}
              activity={activity}
              opportunityId={o.id}
              customerContact={o.customerContact}
              onChanged={saved}
            />
          )
        }
      />
      <CloseDialog
        api={api}
        opportunityId={o.id}
        outcome={closing}
        estimatedValue={o.estimatedValue}
        today={today}
        onCancel={() => setClosing(null)}
        onClosed={() => {
          setClosing(null);
          void load(undefined, closing === 'won' ? 'Closed as Won.' : 'Closed as Lost.').then(() =>
            heading.current?.focus(),
          );
        }}
      />
    </article>
  );
}
