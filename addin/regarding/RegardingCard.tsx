import { makeStyles, tokens } from '@fluentui/react-components';
import { Button } from '../ui/Button';
import { Text } from '../ui/Text';
import { Pill, StageOrOutcome } from '../ui/Pill';
import type { Activity } from '../../shared/schemas/activities';
import { useCardStyles } from '../ui/card';
import { STATUS_LABELS } from '../ui/labels';

const useStyles = makeStyles({
  title: { display: 'block', margin: 0 },
  details: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
});

export interface RegardingCardProps {
  activity: Activity;
  onChange: () => void;
  onRemove: () => void;
  onOpen?: () => void;
  busy: boolean;
}

/** The item's current regarding: topic, customer, owner and stage, with Change and Remove. */
export function RegardingCard({ activity, onChange, onRemove, onOpen, busy }: RegardingCardProps) {
  const styles = useStyles();
  const card = useCardStyles();
  const regarding = activity.regarding!;
  const hidden = 'hidden' in regarding;
  return (
    <section className={card.card} aria-label="Current regarding">
      <div>
        <Text size={200}>Regarding</Text>
        <Text as="h3" weight="semibold" size={400} className={styles.title}>
          {hidden ? 'A closed opportunity you cannot open' : regarding.topic}
        </Text>
      </div>
      {hidden ? (
        <Text>Linked by {activity.createdBy.displayName}.</Text>
      ) : (
        <div className={styles.details}>
          <Text>Customer: {regarding.customerName ?? '—'}</Text>
          <Text>Owner: {regarding.owner.displayName}</Text>
          <div className={styles.badges}>
            {regarding.status === 'open' && <Pill tone="brand">{STATUS_LABELS.open}</Pill>}
            <StageOrOutcome status={regarding.status} stage={regarding.stage} />
            {activity.outlook.pending && <Pill tone="warning">Completes when sent</Pill>}
          </div>
        </div>
      )}
      <div className={styles.actions}>
        <Button onClick={onChange} disabled={busy}>
          Change
        </Button>
        <Button onClick={onRemove} disabled={busy}>
          Remove
        </Button>
        {onOpen && !hidden && (
          <Button appearance="subtle" onClick={onOpen} disabled={busy}>
            Open opportunity
          </Button>
        )}
      </div>
    </section>
  );
}
