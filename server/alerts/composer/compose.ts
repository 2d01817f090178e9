import type { AttentionReason, NeedsAttentionItem } from '../../../shared/schemas/work';

/** One email, as both parts: every client shows one of them. */
export interface ComposedEmail {
  subject: string;
  html: string;
  text: string;
}

/** A group of opportunities under a heading (an advisor's name in a manager's digest). */
export interface EmailSection {
  heading: string;
  items: NeedsAttentionItem[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Everything that comes from data is escaped: topics, names and reasons are typed by people. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

export const opportunityLink = (origin: string, id: number) => `${origin}/taskpane.html?opportunity=${id}`;

const day = (value: string | null) => (value ? value.slice(0, 10) : '');

/** A reason in words; a code this version does not know (the rules grow) still reads as words. */
export function reasonInWords(reason: AttentionReason): string {
  switch (reason.code) {
    case 'untouched':
      return `Not touched since it was assigned${reason.since ? ` on ${day(reason.since)}` : ''}`;
    case 'no-next-step':
      return 'No next step planned';
    case 'past-close-date':
      return `Past its estimated close date${reason.since ? ` (${day(reason.since)})` : ''}`;
    default: {
      const code = String((reason as { code: unknown }).code).replace(/-/g, ' ');
      return code.charAt(0).toUpperCase() + code.slice(1);
    }
  }
}

const customerOf = (item: NeedsAttentionItem) =>
  item.opportunity.customerContact?.name ?? item.opportunity.customerOrganization?.name ?? 'No customer';

function itemHtml(item: NeedsAttentionItem, origin: string): string {
  const reasons = item.reasons.map((r) => `<li style="margin:0 0 4px 0">${escapeHtml(reasonInWords(r))}</li>`).join('');
  const href = escapeHtml(opportunityLink(origin, item.opportunity.id));
  return `<tr><td style="padding:12px 0;border-bottom:1px solid #d0d0d0">
<p style="margin:0 0 4px 0;font-size:17px;font-weight:bold">${escapeHtml(item.opportunity.topic)}</p>
<p style="margin:0 0 8px 0;font-size:15px;color:#444444">${escapeHtml(customerOf(item))}</p>
<ul style="margin:0 0 12px 0;padding-left:20px;font-size:15px">${reasons}</ul>
<a href="${href}" style="display:inline-block;padding:12px 20px;min-height:20px;background:#0f6cbd;color:#ffffff;text-decoration:none;border-radius:4px;font-size:16px">Open the opportunity</a>
</td></tr>`;
}

function itemText(item: NeedsAttentionItem, origin: string): string {
  return [
    `* ${item.opportunity.topic} (${customerOf(item)})`,
    ...item.reasons.map((r) => `  - ${reasonInWords(r)}`),
    `  Open: ${opportunityLink(origin, item.opportunity.id)}`,
  ].join('\n');
}

/** One column, at most 600 px, inline styles only (mail clients drop style sheets), big link targets. */
function layout(
  title: string,
  intro: string,
  sections: EmailSection[],
  origin: string,
): { html: string; text: string } {
  const body = sections
    .map(
      (section) =>
        `<tr><td style="padding:20px 0 4px 0"><h2 style="margin:0;font-size:19px">${escapeHtml(section.heading)}</h2></td></tr>\n` +
        section.items.map((item) => itemHtml(item, origin)).join('\n'),
    )
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#ffffff;color:#1a1a1a;font-family:Segoe UI,Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:600px;margin:0 auto;padding:0 16px">
<tr><td style="padding:16px 0 0 0"><h1 style="margin:0 0 8px 0;font-size:22px">${escapeHtml(title)}</h1>
<p style="margin:0;font-size:15px">${escapeHtml(intro)}</p></td></tr>
${body}
</table></body></html>`;
  const text = [
    title,
    '',
    intro,
    ...sections.flatMap((section) => [
      '',
      section.heading,
      '-'.repeat(section.heading.length),
      ...section.items.map((i) => itemText(i, origin)),
    ]),
    '',
  ].join('\n');
  return { html, text };
}

const count = (n: number) => `${n} ${n === 1 ? 'opportunity needs' : 'opportunities need'} attention`;

/** The daily digest: the recipient's own section first, then (for a manager) each advisor's. */
export function composeDigest(sections: EmailSection[], localDate: string, origin: string): ComposedEmail {
  const total = sections.reduce((sum, s) => sum + s.items.length, 0);
  const title = `Needs attention: ${localDate}`;
  return { subject: `${count(total)} (${localDate})`, ...layout(title, `${count(total)}.`, sections, origin) };
}

/** The manager's alert: assigned opportunities of their team (referrals or not) that were not touched in time. */
export function composeUntouchedAlert(sections: EmailSection[], origin: string): ComposedEmail {
  const total = sections.reduce((sum, s) => sum + s.items.length, 0);
  const what = total === 1 ? 'An assigned opportunity was' : `${total} assigned opportunities were`;
  const title = `${what} not touched in time`;
  const first = sections[0]?.items[0]?.opportunity.topic ?? '';
  return {
    subject: `Untouched opportunit${total === 1 ? 'y' : 'ies'}: ${first}${total > 1 ? ` and ${total - 1} more` : ''}`,
    ...layout(title, `${what} not touched within the time allowed after assignment.`, sections, origin),
  };
}
