import { Badge, Button, Card, CardHeader, Text, makeStyles, tokens } from '@fluentui/react-components';
import type { Activity } from '../../shared/schemas/activities';
import { STAGE_LABELS, STATUS_LABELS } from '../ui/labels';

const useStyles = makeStyles({
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
  const regarding = activity.regarding!;
  return (
    <Card aria-label="Current regarding">
      <CardHeader
        header={
          <Text as="h3" weight="semibold" size={400}>
            {regarding.topic}
          </Text>
        }
        description={<Text size={200}>Regarding</Text>}
      />
      <div className={styles.details}>
        <Text>Customer: {regarding.customerName ?? '—'}</Text>
        <Text>Owner: {regarding.owner.displayName}</Text>
        <div className={styles.badges}>
          <Badge appearance="tint">{STAGE_LABELS[regarding.stage]}</Badge>
          <Badge appearance="tint" color={regarding.status === 'open' ? 'brand' : regarding.status === 'won' ? 'success' : 'danger'}>
            {STATUS_LABELS[regarding.status]}
          </Badge>
          {activity.outlook.pending && (
            <Badge appearance="outline" color="warning">
              Completes when sent
            </Badge>
          )}
        </div>
      </div>
      <div className={styles.actions}>
        <Button onClick={onChange} disabled={busy}>
          Change
        </Button>
        <Button onClick={onRemove} disabled={busy}>
          Remove
        </Button>
        {onOpen && (
          <Button appearance="subtle" onClick={onOpen} disabled={busy}>
            Open opportunity
          </Button>
        )}
      </div>
    </Card>
  );
}
