import { ActivityService } from './activities';
import { AttentionRecompute } from './attention-recompute';
import { ActivityLabelService } from './activity-labels';
import { ActivityPointsService } from './activity-points';
import { ContactService } from './contacts';
import type { ServiceContext } from './context';
import { DraftMatchingService } from './draft-matching';
import { ExceptionRuleService } from './exception-rules';
import { FunnelService } from './funnel';
import { NoteService } from './notes';
import { OpportunityService } from './opportunities';
import { PaneService } from './pane';
import { PeopleService } from './people';
import { WorkService } from './work';

export type Services = ReturnType<typeof createServices>;

export function createServices(ctx: ServiceContext, onBackgroundError?: (error: unknown) => void) {
  const attentionRecompute = new AttentionRecompute(ctx, onBackgroundError);
  const people = new PeopleService(ctx, attentionRecompute);
  const contacts = new ContactService(ctx);
  const activities = new ActivityService(ctx);
  const opportunities = new OpportunityService(ctx, people, contacts, activities);
  return {
    people,
    contacts,
    activities,
    draftMatching: new DraftMatchingService(ctx, activities),
    opportunities,
    notes: new NoteService(ctx, people),
    work: new WorkService(ctx),
    activityLabels: new ActivityLabelService(ctx),
    activityPoints: new ActivityPointsService(ctx),
    exceptionRules: new ExceptionRuleService(ctx, attentionRecompute),
    attentionRecompute,
    funnel: new FunnelService(ctx),
    pane: new PaneService(activities, opportunities),
  };
}
