import { Button, Text } from '@fluentui/react-components';
import type { OpportunitySummary } from '../../shared/schemas/opportunities';
import type { AttentionReason } from '../../shared/schemas/work';
import { STAGE_LABELS, customerName, formatDate, formatMoney } from '../ui/labels';
import { OutcomePill, Pill } from '../ui/Pill';
import { useWorkStyles } from './work-styles';

const REASON_LABELS: Record<AttentionReason['code'], string> = {
  untouched: 'Untouched',
  'no-next-step': 'No next step',
  'past-close-date': 'Past close date',
  'no-activity': 'No activity',
};

export interface WorkCardProps {
  opportunity: OpportunitySummary;
  isNew?: boolean;
  reasons?: AttentionReason[];
  /** What else the card says (who assigned it, notes). */
  children?: React.ReactNode;
  onOpen: (id: number) => void;
  /** Opens the opportunity with the phone call form showing. */
  onLog?: (id: number) => void;
  /** Opens the opportunity with the task form showing. */
  onTask?: (id: number) => void;
}

/** One opportunity in My Work, with all its flags (new for me, why it needs attention, won or lost). */
export function WorkCard({ opportunity: o, isNew, reasons = [], children, onOpen, onLog, onTask }: WorkCardProps) {
  const styles = useWorkStyles();
  return (
    <li>
      <div className={styles.card} role="group" aria-label={o.topic}>
        <Text weight="semibold">{o.topic}</Text>
        <Text size={200}>
          {customerName(o)}
          {o.status === 'open' ? ` · ${STAGE_LABELS[o.stage]}` : ''} · owner {o.owner.displayName}
          {o.status === 'open' && o.estimatedCloseDate ? ` · closes ${formatDate(o.estimatedCloseDate)}` : ''}
          {o.status !== 'open' && o.estimatedValue !== null ? ` · estimated ${formatMoney(o.estimatedValue)}` : ''}
          {o.referredBy ? ` · referred by ${o.referredBy.name}` : ''}
        </Text>
        {(isNew || reasons.length > 0 || o.status !== 'open') && (
          <span className={styles.flags}>
            {o.status !== 'open' && <OutcomePill status={o.status} />}
            {isNew && <Pill tone="brand">New for me</Pill>}
            {reasons.map((r) => (
              <Pill key={r.code} tone={r.code === 'untouched' ? 'danger' : 'warning'}>
                {REASON_LABELS[r.code]}
              </Pill>
            ))}
          </span>
        )}
        {children}
        <Button size="small" onClick={() => onOpen(o.id)} style={{ alignSelf: 'flex-start' }}>
          Open “{o.topic}”
        </Button>
        {onLog && o.status === 'open' && (
          <Button size="small" onClick={() => onLog(o.id)} style={{ alignSelf: 'flex-start' }}>
            Log a call on “{o.topic}”
          </Button>
        )}
        {onTask && o.status === 'open' && (
          <Button size="small" onClick={() => onTask(o.id)} style={{ alignSelf: 'flex-start' }}>
            Add a task on “{o.topic}”
          </Button>
        )}
      </div>
    </li>
  );
}
