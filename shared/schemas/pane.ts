import { z } from 'zod';
import { Activity, OutlookIdentity } from './activities';
import { Me } from './advisors';
import { EmailAddress, repeated } from './common';
import { OpportunitySummary } from './opportunities';

/**
 * The item the pane opened on, and its people: every part optional, so a compose item without ids still gets the
 * advisor and the suggestions. At most REPEATED_MAX addresses, as for suggestions; the pane asks for the rest apart.
 */
export const PaneContextQuery = z.object({
  internetMessageId: OutlookIdentity.optional(),
  itemId: OutlookIdentity.optional(),
  trackingToken: z.uuid().optional(),
  email: repeated(EmailAddress).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const PaneContext = z
  .object({
    me: Me,
    /** The item's activity as GET /activities/lookup answers it; null where that answers 404, or without an id. */
    activity: Activity.nullable(),
    suggestions: z.array(OpportunitySummary),
  })
  .meta({ id: 'PaneContext' });
export type PaneContext = z.output<typeof PaneContext>;
