import { Field, Select } from '@fluentui/react-components';
import { STAGES } from '../../shared/constants';
import type { Stage } from '../../shared/schemas/opportunities';
import { STAGE_LABELS } from './labels';

/** The sales stage, as a labelled drop-down. */
export function StageSelect({ value, onChange }: { value: Stage; onChange: (stage: Stage) => void }) {
  return (
    <Field label="Stage">
      <Select value={value} onChange={(_, data) => onChange(data.value as Stage)}>
        {STAGES.map((stage) => (
          <option key={stage} value={stage}>
            {STAGE_LABELS[stage]}
          </option>
        ))}
      </Select>
    </Field>
  );
}
