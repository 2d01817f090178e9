import { useEffect, useState } from 'react';
import type { ActivityLabel } from '../../shared/schemas/activity-labels';
import type { ApiClient } from '../api/client';

/** The categories and outcomes of calls and tasks (the admin's list); empty until loaded or if it fails. */
export function useActivityLabels(api: ApiClient): ActivityLabel[] {
  const [labels, setLabels] = useState<ActivityLabel[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    api.call('listActivityLabels', { signal: controller.signal }).then(setLabels, () => undefined);
    return () => controller.abort();
  }, [api]);
  return labels;
}

/** The entries offered for a field: those not retired, and the one the activity has already. */
export function choicesOf(labels: ActivityLabel[], kind: ActivityLabel['kind'], current: number | null) {
  return labels.filter((l) => l.kind === kind && (!l.retired || l.id === current));
}
