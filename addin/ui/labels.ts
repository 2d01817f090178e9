import type { Stage } from '../../shared/schemas/opportunities';

export const STAGE_LABELS: Record<Stage, string> = {
  qualify: 'Qualify',
  develop: 'Develop',
  propose: 'Propose',
  close: 'Close',
};

export const STATUS_LABELS = { open: 'Open', won: 'Won', lost: 'Lost' } as const;

/** An open opportunity's stage; a closed one's outcome (a won deal is "Won", not its last stage). */
export function stageOrOutcome(opportunity: { status: 'open' | 'won' | 'lost'; stage: Stage }): string {
  return opportunity.status === 'open' ? STAGE_LABELS[opportunity.stage] : STATUS_LABELS[opportunity.status];
}

export function customerName(opportunity: {
  customerContact: { name: string } | null;
  customerOrganization: { name: string } | null;
}): string {
  return opportunity.customerContact?.name ?? opportunity.customerOrganization?.name ?? 'No customer';
}

// Made on first use, not as the pane loads: a currency format costs the pane's start-up ~20 ms (ICU's currency data),
// and its first view shows no amount.
let money: Intl.NumberFormat | undefined;
export function formatMoney(value: number | null): string {
  if (value === null) return '—';
  money ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
  return money.format(value);
}

export const formatDate = (iso: string | null) =>
  iso
    ? new Date(iso.length === 10 ? `${iso}T12:00:00Z` : iso).toLocaleDateString('en-US', {
        month: 'short',
        day: 'numeric',
        year: 'numeric',
      })
    : '—';

/** The time of day, 24-hour, in the pane's time zone: "14:02". */
export const formatTime = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-US', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function referrerName(opportunity: { referredBy: { name: string } | null }): string | null {
  return opportunity.referredBy?.name ?? null;
}
