import { Text, makeStyles, tokens } from '@fluentui/react-components';
import type { OpportunityDetail } from '../../shared/schemas/timeline';

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
});

const KIND_LABELS = { email: 'Email', appointment: 'Appointment', phone_call: 'Phone call', task: 'Task' } as const;

interface Entry {
  key: string;
  at: string;
  title: string;
  meta: string;
  body?: string;
}

/** Linked emails and appointments, the notes I may see, and the assignment history, newest first. */
export function Timeline({ detail }: { detail: OpportunityDetail }) {
  const styles = useStyles();
  const when = (iso: string) =>
    new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const entries: Entry[] = [
    ...detail.activities.map((a) => ({
      key: `a${a.id}`,
      at: a.sentAt ?? a.startAt ?? a.createdAt,
      title: `${KIND_LABELS[a.kind]}: ${a.subject || '(no subject)'}`,
      meta: `${a.status === 'open' ? 'Open' : a.status === 'completed' ? 'Completed' : 'Canceled'} · linked by ${a.createdBy.displayName}${a.outlook.pending ? ' · completes when sent' : ''}`,
    })),
    ...detail.notes.map((n) => ({
      key: `n${n.id}`,
      at: n.createdAt,
      title: `Note by ${n.author.displayName}`,
      meta: `Shared with ${[...n.sharedWith.advisors.map((a) => a.displayName), ...n.sharedWith.teams.map((t) => `team ${t.name}`)].join(', ') || 'nobody else'}`,
      body: n.body,
    })),
    ...detail.assignments.map((s) => ({
      key: `s${s.id}`,
      at: s.createdAt,
      title: s.from ? `Assigned to ${s.to.displayName}` : `Created for ${s.to.displayName}`,
      meta: `by ${s.by.displayName}`,
      body: s.message ?? undefined,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));

  return (
    <section aria-labelledby="timeline-title">
      <Text as="h3" size={300} weight="semibold" id="timeline-title">
        Timeline
      </Text>
      <ul className={styles.list}>
        {entries.map((entry) => (
          <li key={entry.key} className={styles.entry}>
            <Text weight="semibold">{entry.title}</Text>
            <Text size={200} className={styles.meta}>
              {when(entry.at)} · {entry.meta}
            </Text>
            {entry.body && <Text>{entry.body}</Text>}
          </li>
        ))}
      </ul>
    </section>
  );
}
