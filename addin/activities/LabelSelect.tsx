import type { ActivityLabel } from '../../shared/schemas/activity-labels';
import { FormField } from '../ui/FormField';
import { SelectInput } from '../ui/inputs';
import { choicesOf } from './useActivityLabels';

export interface LabelSelectProps {
  label: string;
  kind: ActivityLabel['kind'];
  labels: ActivityLabel[];
  /** The entry the activity has already: offered even if retired since. */
  current: number | null;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}

/** A category or outcome of a call or task, from the admin's list, or none. */
export function LabelSelect({ label, kind, labels, current, value, onChange, error }: LabelSelectProps) {
  return (
    <FormField label={label} error={error}>
      <SelectInput value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">None</option>
        {choicesOf(labels, kind, current).map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </SelectInput>
    </FormField>
  );
}
