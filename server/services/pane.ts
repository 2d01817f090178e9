import type { z } from 'zod';
import type { Activity } from '../../shared/schemas/activities';
import type { PaneContext, PaneContextQuery } from '../../shared/schemas/pane';
import { NotFoundError } from '../errors';
import type { ActivityService } from './activities';
import type { Caller } from './context';
import type { OpportunityService } from './opportunities';
import { toMe } from './people';

/**
 * What the pane needs when it opens on an item, answered together so it opens in one round trip: each part by the
 * service that answers it alone (GET /me, /activities/lookup, /opportunities/suggestions), with the same rules.
 */
export class PaneService {
  constructor(
    private readonly activities: ActivityService,
    private readonly opportunities: OpportunityService,
  ) {}

  async context(caller: Caller, query: z.output<typeof PaneContextQuery>): Promise<PaneContext> {
    const { email = [], limit, ...identity } = query;
    const [activity, suggestions] = await Promise.all([
      this.activityOf(caller, identity),
      email.length ? this.opportunities.suggestions(caller, { email, limit }) : [],
    ]);
    return { me: toMe(caller), activity, suggestions };
  }

  private async activityOf(
    caller: Caller,
    identity: { internetMessageId?: string; itemId?: string; trackingToken?: string },
  ): Promise<Activity | null> {
    if (!identity.internetMessageId && !identity.itemId && !identity.trackingToken) return null;
    try {
      return await this.activities.lookup(caller, identity);
    } catch (error) {
      // Unknown, or hidden from this caller: the lookup's 404 says the same of both.
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }
}
