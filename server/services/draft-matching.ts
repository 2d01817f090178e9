import type { z } from 'zod';
import { DRAFT_MATCHES_MAX, type DraftMatches, type SentMessageMatchRequest } from '../../shared/schemas/activities';
import type { ActivityService } from './activities';
import type { Caller, ServiceContext } from './context';

/** How long before the sent copy's date a draft's link may have been made and still be matched. */
export const DRAFT_MATCH_WINDOW_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Finds the draft a sent message was, when the sender's Sent Items copy carries neither the draft's
 * custom property (not visible from another client: office-js #5467; not persisted from compose on
 * classic Windows until the draft is saved: metadata-for-an-outlook-add-in.md) nor its tracking
 * header (the copy answers "" for its headers: #4773, #6796).
 *
 * The rule (README, Set Regarding): only the caller's own pending drafts are candidates, never another
 * advisor's; a candidate has exactly the message's To and Cc addresses, its subject (ignoring only
 * leading and trailing spaces: Outlook sends the subject as drafted, prefixes included, so "RE: x"
 * never matches "x"), the same conversation when both have one, and was linked at most
 * DRAFT_MATCH_WINDOW_DAYS before the copy's date. The copy's date is Outlook's dateTimeCreated, which
 * for a sent copy may be when the draft was begun rather than sent, so no later bound than now is set:
 * two identical drafts then both match, and the advisor is asked rather than one chosen for them.
 * Nothing is changed here: the pane completes the one match, or the one the advisor picks, through
 * completeSent, which checks the rights again as it writes.
 */
export class DraftMatchingService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly activities: ActivityService,
  ) {}

  async matchSent(caller: Caller, sent: z.output<typeof SentMessageMatchRequest>): Promise<DraftMatches> {
    // The caller already has this message recorded (linked, or their own): there is no draft left to find.
    const recorded = await this.ctx.repo.activities.findByIdentity({ internetMessageId: sent.internetMessageId });
    if (recorded && (recorded.regarding !== null || recorded.createdBy.id === caller.id))
      return { drafts: [], more: false };

    const sentAt = new Date(sent.sentAt).getTime();
    const found = await this.ctx.repo.activities.pendingDrafts(
      caller.id,
      {
        subject: sent.subject.trim(),
        recipients: [...new Set(sent.recipients.map((email) => email.toLowerCase()))],
        conversationId: sent.conversationId ?? null,
        linkedFrom: new Date(sentAt - DRAFT_MATCH_WINDOW_DAYS * DAY_MS).toISOString(),
        linkedTo: this.ctx.clock.now().toISOString(),
      },
      DRAFT_MATCHES_MAX + 1,
    );
    const drafts = await Promise.all(
      found.slice(0, DRAFT_MATCHES_MAX).map((record) => this.activities.asSeenBy(caller, record)),
    );
    return { drafts, more: found.length > DRAFT_MATCHES_MAX };
  }
}
