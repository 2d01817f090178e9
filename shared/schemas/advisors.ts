import { z } from 'zod';
import { EmailAddress, Id, IsoDateTime, Paging, SearchText, TeamRef, TimeZone } from './common';

export const Role = z.enum(['advisor', 'manager', 'admin']);
export type Role = z.infer<typeof Role>;

export const Advisor = z
  .object({
    id: Id,
    email: z.string(),
    displayName: z.string(),
    role: Role,
    active: z.boolean(),
    teams: z.array(TeamRef),
  })
  .meta({ id: 'Advisor' });
export type Advisor = z.infer<typeof Advisor>;

/** Which opportunities My Work shows: mine, my teams' (managers only), or the closed ones. */
export const MyWorkScope = z.enum(['me', 'team', 'closed']);
export type MyWorkScope = z.infer<typeof MyWorkScope>;

export const Me = Advisor.extend({
  /** When the advisor last looked at "New for me" in My Work; null if never. */
  workSeenAt: IsoDateTime.nullable(),
  /** The My Work scope the advisor last chose, on any client; until they choose, team for a manager, else me. */
  workScope: MyWorkScope,
  /** The IANA time zone the advisor's business days, digest hour and month are counted in. */
  timeZone: z.string(),
  /** Whether the advisor opted out of their own daily digest (never of their manager's alerts). */
  digestOptOut: z.boolean(),
  /** Activity points the advisor is expected to earn each month; null: no quota set. */
  monthlyQuota: z.number().int().nonnegative().nullable(),
}).meta({ id: 'Me' });
export type Me = z.infer<typeof Me>;

/** A monthly activity-points quota; null clears it. */
export const MonthlyQuota = z.number().int().min(0).max(1_000_000).nullable();

export const UpdatePreferencesRequest = z
  .object({
    workScope: MyWorkScope.describe('team only for a manager').optional(),
    timeZone: TimeZone.optional(),
    digestOptOut: z.boolean().optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'Nothing to change')
  .meta({ id: 'UpdatePreferencesRequest' });
export type UpdatePreferencesRequest = z.input<typeof UpdatePreferencesRequest>;

export const AdvisorSearchQuery = Paging.extend({ q: SearchText.optional() });

export const CreateAdvisorRequest = z
  .object({
    email: EmailAddress,
    displayName: z.string().trim().min(1).max(200),
    role: Role.default('advisor'),
  })
  .meta({ id: 'CreateAdvisorRequest' });
export type CreateAdvisorRequest = z.input<typeof CreateAdvisorRequest>;

export const UpdateAdvisorRequest = z
  .object({
    displayName: z.string().trim().min(1).max(200).optional(),
    role: Role.optional(),
    active: z.boolean().optional(),
    timeZone: TimeZone.optional(),
    monthlyQuota: MonthlyQuota.optional(),
  })
  .meta({ id: 'UpdateAdvisorRequest' });

export const Team = z
  .object({
    id: Id,
    name: z.string(),
    members: z.array(z.object({ id: Id, displayName: z.string(), email: z.string() })),
  })
  .meta({ id: 'Team' });
export type Team = z.infer<typeof Team>;

export const TeamSearchQuery = Paging.extend({ q: SearchText.optional() });

export const CreateTeamRequest = z
  .object({ name: z.string().trim().min(1).max(200), memberIds: z.array(Id).max(500).default([]) })
  .meta({ id: 'CreateTeamRequest' });

export const TeamMemberParams = z.object({
  id: z.coerce.number().int().positive(),
  advisorId: z.coerce.number().int().positive(),
});
