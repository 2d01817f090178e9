import { z } from 'zod';
import { AdvisorRef, Id, IsoDateTime } from './common';
import { Activity } from './activities';
import { Note } from './notes';
import { Opportunity } from './opportunities';

export const Assignment = z
  .object({
    id: Id,
    opportunityId: Id,
    from: AdvisorRef.nullable(),
    to: AdvisorRef,
    by: AdvisorRef,
    message: z.string().nullable(),
    createdAt: IsoDateTime,
  })
  .meta({ id: 'Assignment' });
export type Assignment = z.infer<typeof Assignment>;

/** One opportunity with everything the caller may see of its history. */
export const OpportunityDetail = z
  .object({
    opportunity: Opportunity,
    activities: z.array(Activity),
    /** Only the notes the caller wrote or that are shared with them (directly or through a team). */
    notes: z.array(Note),
    assignments: z.array(Assignment),
  })
  .meta({ id: 'OpportunityDetail' });
export type OpportunityDetail = z.infer<typeof OpportunityDetail>;

export const CloseResult = z
  .object({
    opportunity: Opportunity,
    /** Activities regarding the opportunity that are still open: the client should offer to complete or cancel them. */
    openActivities: z.array(Activity),
  })
  .meta({ id: 'CloseResult' });
export type CloseResult = z.infer<typeof CloseResult>;
