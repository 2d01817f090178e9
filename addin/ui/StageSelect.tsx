import { Field } from '@fluentui/react-components';
import { STAGES } from '../../shared/constants';
import type { Stage } from '../../shared/schemas/opportunities';
import { SelectInput } from './inputs';
import { STAGE_LABELS } from './labels';

/** The sales stage, as a labelled drop-down. */
export function StageSelect({ value, onChange }: { value: Stage; onChange: (stage: Stage) => void }) {
  return (
    <Field label="Stage">
      {(field) => (
        <SelectInput {...field} value={value} onChange={(event) => onChange(event.target.value as Stage)}>
          {STAGES.map((stage) => (
            <option key={stage} value={stage}>
              {STAGE_LABELS[stage]}
            </option>
          ))}
        </SelectInput>
      )}
    </Field>
  );
}
