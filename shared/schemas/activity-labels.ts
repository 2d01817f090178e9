import { z } from 'zod';
import { Id } from './common';
import { hasVisibleCharacter } from '../text';

export const ActivityLabelKind = z.enum(['category', 'outcome']);
export type ActivityLabelKind = z.infer<typeof ActivityLabelKind>;

/** A category or outcome of a phone call or task: renamed or retired, never deleted, so its id and key last. */
export const ActivityLabel = z
  .object({
    id: Id,
    kind: ActivityLabelKind,
    key: z.string().describe('Stable: made from the first name, kept when the entry is renamed.'),
    name: z.string(),
    retired: z.boolean().describe('No longer offered for new entries; activities that have it keep it.'),
  })
  .meta({ id: 'ActivityLabel' });
export type ActivityLabel = z.infer<typeof ActivityLabel>;

/** Stored in Unicode's composed form (NFC), so one name is one string however it was typed. */
const LabelName = z
  .string()
  .trim()
  .normalize('NFC')
  .min(1, { error: 'Give it a name', abort: true })
  .max(80, 'At most 80 characters')
  .refine(hasVisibleCharacter, 'Give it a name with a visible character');

export const CreateActivityLabelRequest = z
  .object({ kind: ActivityLabelKind, name: LabelName })
  .meta({ id: 'CreateActivityLabelRequest' });

export const UpdateActivityLabelRequest = z
  .object({ name: LabelName.optional(), retired: z.boolean().optional() })
  .refine((body) => body.name !== undefined || body.retired !== undefined, {
    message: 'Give a new name or retired',
    path: ['name'],
  })
  .meta({ id: 'UpdateActivityLabelRequest' });
