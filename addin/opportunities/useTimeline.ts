import { useState } from 'react';
import type { Activity } from '../../shared/schemas/activities';
import type { Note } from '../../shared/schemas/notes';
import type { Assignment, OpportunityDetail, OpportunityEvent } from '../../shared/schemas/timeline';
import type { ApiClient } from '../api/client';
import { useAction } from '../ui/useAction';

interface Part<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TimelineParts {
  activities: Part<Activity>;
  notes: Part<Note>;
  assignments: Part<Assignment>;
  events: Part<OpportunityEvent>;
}

const fromDetail = (detail: OpportunityDetail): TimelineParts => ({
  activities: { items: detail.activities, nextCursor: detail.activitiesNextCursor },
  notes: { items: detail.notes, nextCursor: detail.notesNextCursor },
  assignments: { items: detail.assignments, nextCursor: detail.assignmentsNextCursor },
  events: { items: detail.events, nextCursor: detail.eventsNextCursor },
});

const PAGE = 25;

/**
 * The timeline's three parts as loaded so far: the detail's first pages, then older pages on demand.
 * A reloaded detail (after a change) starts again from its first pages.
 */
export function useTimeline(api: ApiClient, detail: OpportunityDetail) {
  const [parts, setParts] = useState(() => fromDetail(detail));
  const [shown, setShown] = useState(detail);
  if (shown !== detail) {
    setShown(detail);
    setParts(fromDetail(detail));
  }
  const { busy, outcome, run } = useAction();
  const hasMore = Boolean(
    parts.activities.nextCursor || parts.notes.nextCursor || parts.assignments.nextCursor || parts.events.nextCursor,
  );

  const showMore = () =>
    void run(async (signal) => {
      const params = { id: detail.opportunity.id };
      const next = <T>(part: Part<T>, load: (before: string) => Promise<Part<T>>) =>
        part.nextCursor
          ? load(part.nextCursor).then((page) => ({
              items: [...part.items, ...page.items],
              nextCursor: page.nextCursor,
            }))
          : Promise.resolve(part);
      const [activities, notes, assignments, events] = await Promise.all([
        next(parts.activities, (before) =>
          api.call('listOpportunityActivities', { params, query: { before, limit: PAGE }, signal }),
        ),
        next(parts.notes, (before) =>
          api.call('listOpportunityNotes', { params, query: { before, limit: PAGE }, signal }),
        ),
        next(parts.assignments, (before) =>
          api.call('listOpportunityAssignments', { params, query: { before, limit: PAGE }, signal }),
        ),
        next(parts.events, (before) =>
          api.call('listOpportunityEvents', { params, query: { before, limit: PAGE }, signal }),
        ),
      ]);
      setParts({ activities, notes, assignments, events });
    });

  return { parts, hasMore, showMore, busy, outcome };
}
