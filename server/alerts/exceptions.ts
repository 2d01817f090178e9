import type { NeedsAttentionItem } from '../../shared/schemas/work';
import type { AdvisorRecord } from '../repository/repository';
import type { WorkService } from '../services/work';

/** Every page of the advisor's needs-attention list (the rules live in WorkService; alerts only read their output). */
export async function allExceptions(
  work: WorkService,
  advisor: AdvisorRecord,
  scope: 'me' | 'team',
): Promise<NeedsAttentionItem[]> {
  const items: NeedsAttentionItem[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page = await work.needsAttention(advisor, { scope, limit: 100, offset });
    items.push(...page.items);
    offset = page.nextOffset;
  }
  return items;
}

/** Others' items grouped by owner, by name: a manager's team sections. */
export function byOwner(items: NeedsAttentionItem[]): { heading: string; items: NeedsAttentionItem[] }[] {
  const groups = new Map<number, { heading: string; items: NeedsAttentionItem[] }>();
  for (const item of items) {
    const owner = item.opportunity.owner;
    const group = groups.get(owner.id) ?? { heading: owner.displayName, items: [] };
    group.items.push(item);
    groups.set(owner.id, group);
  }
  return [...groups.values()].sort((a, b) => a.heading.localeCompare(b.heading));
}
