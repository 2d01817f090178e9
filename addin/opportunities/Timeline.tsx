import { Button, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import type { OpportunityDetail } from '../../shared/schemas/timeline';
import { activityDetails } from '../activities/details';
import type { ApiClient } from '../api/client';
import { OutcomeNotice } from '../ui/Notice';
import { formatMoney } from '../ui/labels';
import { useTimeline, type TimelineParts } from './useTimeline';

const useStyles = makeStyles({
  list: {
    listStyleType: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
  },
  entry: {
    borderLeft: `3px solid ${tokens.colorBrandStroke1}`,
    paddingLeft: tokens.spacingHorizontalS,
    display: 'flex',
    flexDirection: 'column',
  },
  meta: { color: tokens.colorNeutralForeground2 },
  more: { alignSelf: 'flex-start', marginTop: tokens.spacingVerticalS },
});

const KIND_LABELS = { email: 'Email', appointment: 'Appointment', phone_call: 'Phone call', task: 'Task' } as const;

interface Entry {
  key: string;
  at: string;
  title: string;
  meta: string;
  body?: string;
  activity?: Activity;
}

const logged = (a: Activity) => a.kind === 'phone_call' || a.kind === 'task';

function entriesOf({ activities, notes, assignments, events }: TimelineParts): Entry[] {
  const entries: Entry[] = [
    ...activities.items.map((a) => ({
      key: `a${a.id}`,
      at: a.sentAt ?? a.startAt ?? a.createdAt,
      title: `${KIND_LABELS[a.kind]}: ${a.subject || '(no subject)'}`,
      meta: `${a.status === 'open' ? 'Open' : a.status === 'completed' ? 'Completed' : 'Canceled'} · ${logged(a) ? 'logged' : 'linked'} by ${a.createdBy.displayName}${a.outlook.pending ? ' · completes when sent' : ''}${logged(a) && activityDetails(a) ? ` · ${activityDetails(a)}` : ''}`,
      body: a.description ?? undefined,
      activity: a,
    })),
    ...notes.items.map((n) => ({
      key: `n${n.id}`,
      at: n.createdAt,
      title: `Note by ${n.author.displayName}`,
      meta: `Shared with ${[...n.sharedWith.advisors.map((a) => a.displayName), ...n.sharedWith.teams.map((t) => `team ${t.name}`)].join(', ') || 'nobody else'}`,
      body: n.body,
    })),
    ...assignments.items.map((s) => ({
      key: `s${s.id}`,
      at: s.createdAt,
      title: s.from ? `Assigned to ${s.to.displayName}` : `Created for ${s.to.displayName}`,
      meta: `by ${s.by.displayName}${s.messageHidden ? ` · with a message only ${s.by.displayName} and ${s.to.displayName} see` : ''}`,
      body: s.message ?? undefined,
    })),
    ...events.items.map((e) => ({
      key: `e${e.id}`,
      at: e.createdAt,
      title:
        e.kind === 'referred'
          ? e.referredBy
            ? `Referred by ${e.referredBy.name}`
            : 'Referrer cleared'
          : e.kind === 'reopened'
            ? 'Reopened'
            : `Closed as ${e.outcome === 'won' ? 'Won' : 'Lost'}${e.value !== null ? ` · ${formatMoney(e.value)}` : ''}`,
      meta: `by ${e.by.displayName}`,
      body: e.reason ?? undefined,
    })),
  ];
  // A part with older pages still to load hides whatever is older than its oldest loaded entry, so the
  // merged list never shows an old note above a newer activity that is not loaded yet.
  const oldest = (part: { items: unknown[]; nextCursor: string | null }, prefix: string) =>
    part.nextCursor && part.items.length
      ? entries.filter((entry) => entry.key.startsWith(prefix)).reduce((min, e) => (e.at < min ? e.at : min), '\uffff')
      : '';
  const horizon = [oldest(activities, 'a'), oldest(notes, 'n'), oldest(assignments, 's'), oldest(events, 'e')].reduce(
    (max, at) => (at > max ? at : max),
  );
  return entries.filter((entry) => entry.at >= horizon).sort((a, b) => b.at.localeCompare(a.at));
}

/** Linked emails and appointments, calls and tasks, the notes I may see, the assignment history, closes and reopens, newest first; older on demand. */
export function Timeline({
  api,
  detail,
  activityActions,
}: {
  api: ApiClient;
  detail: OpportunityDetail;
  /** What a phone call or task entry offers (Edit, Complete, Cancel) where the caller may act. */
  activityActions?: (activity: Activity) => React.ReactNode;
}) {
  const styles = useStyles();
  const { parts, hasMore, showMore, busy, outcome } = useTimeline(api, detail);
  const when = (iso: string) =>
    new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

  return (
    <section aria-labelledby="timeline-title">
      <Text as="h3" size={300} weight="semibold" id="timeline-title">
        Timeline
      </Text>
      <ul className={styles.list}>
        {entriesOf(parts).map((entry) => (
          <li key={entry.key} className={styles.entry}>
            <Text weight="semibold">{entry.title}</Text>
            <Text size={200} className={styles.meta}>
              {when(entry.at)} · {entry.meta}
            </Text>
            {entry.body && <Text>{entry.body}</Text>}
            {entry.activity && logged(entry.activity) && activityActions?.(entry.activity)}
          </li>
        ))}
      </ul>
      <OutcomeNotice outcome={outcome} />
      {hasMore && (
        <Button className={styles.more} disabled={busy} onClick={showMore}>
          Show more
        </Button>
      )}
    </section>
  );
}
