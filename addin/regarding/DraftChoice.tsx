import { makeStyles, tokens } from '@fluentui/react-components';
import { Button } from '../ui/Button';
import { Text } from '../ui/Text';
import type { Activity } from '../../shared/schemas/activities';
import { useCardStyles } from '../ui/card';

const useStyles = makeStyles({
  title: { display: 'block', margin: 0 },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0 },
  item: { listStyleType: 'none' },
  choice: { width: '100%', justifyContent: 'flex-start', textAlign: 'left' },
});

export interface DraftChoiceProps {
  drafts: Activity[];
  busy: boolean;
  onPick: (draft: Activity) => void;
  onDismiss: () => void;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

function describe(draft: Activity): string {
  const regarding = draft.regarding;
  const topic = !regarding ? 'nothing' : 'hidden' in regarding ? 'a closed opportunity' : `“${regarding.topic}”`;
  const to = draft.participants
    .filter((p) => p.role === 'to' || p.role === 'cc')
    .map((p) => p.email)
    .join(', ');
  return `${topic}: ${draft.subject || '(no subject)'}, to ${to}, linked ${when(draft.createdAt)}`;
}

/**
 * This sent email can be any of several drafts the advisor linked (same recipients and subject): they
 * pick the one it was, and only that link is completed; the others stay pending for their own sent copies.
 */
export function DraftChoice({ drafts, busy, onPick, onDismiss }: DraftChoiceProps) {
  const styles = useStyles();
  const card = useCardStyles();
  return (
    <section className={card.card} aria-label="Which draft is this?">
      <Text as="h3" weight="semibold" size={400} className={styles.title}>
        Which draft is this?
      </Text>
      <Text>
        {drafts.length > 1
          ? 'You linked several drafts like this email. Pick the one you sent as this email and its link is completed; the others stay pending until their own sent copies are opened.'
          : 'This email carries the link of a draft you linked, but its subject or recipients differ (a forward or a reply of it?). If it is that draft as you sent it, pick it; otherwise choose None of these.'}
      </Text>
      <ul className={styles.list}>
        {drafts.map((draft) => (
          <li key={draft.id} className={styles.item}>
            <Button className={styles.choice} disabled={busy} onClick={() => onPick(draft)}>
              {describe(draft)}
            </Button>
          </li>
        ))}
      </ul>
      <Button appearance="subtle" disabled={busy} onClick={onDismiss}>
        None of these
      </Button>
    </section>
  );
}
