import type { ApiClient } from '../api/client';
import { ActivityLabelsEditor } from './ActivityLabelsEditor';
import { ActivityPointsEditor } from './ActivityPointsEditor';
import { ExceptionRulesEditor } from './ExceptionRulesEditor';
import { HolidaysEditor } from './HolidaysEditor';
import { MonthlyQuotasEditor } from './MonthlyQuotasEditor';

/** Every admin editor, in one chunk that My Work loads for admins only. */
export function AdminSettings({ api }: { api: ApiClient }) {
  return (
    <>
      <ActivityLabelsEditor api={api} />
      <ActivityPointsEditor api={api} />
      <MonthlyQuotasEditor api={api} />
      <ExceptionRulesEditor api={api} />
      <HolidaysEditor api={api} />
    </>
  );
}
