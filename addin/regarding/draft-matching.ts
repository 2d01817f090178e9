import type { Activity } from '../../shared/schemas/activities';
import type { ApiClient } from '../api/client';
import { ApiError } from '../api/errors';
import { mailboxOwnerEmail } from '../office/host';
import type { ItemSnapshot } from '../office/item';

/** What the service found of the advisor's own drafts for a sent copy that carries no token. */
export interface SentCopyMatch {
  /** The one draft this message can be: loadRegarding completes it. */
  activity: Activity | null;
  /** Several drafts can be this message: none is completed, the advisor is asked which it was. */
  candidates: Activity[];
}

const NONE: SentCopyMatch = { activity: null, candidates: [] };

/**
 * The advisor's own sent message whose draft was linked, but whose Sent Items copy shows neither the
 * draft's custom property (office-js #5467; classic Windows keeps compose properties only once the
 * draft is saved: metadata-for-an-outlook-add-in.md) nor its X-Regarding-Token header (the copy
 * answers "" for its headers: #4773, #6796). The service matches the advisor's own pending drafts by
 * recipients, subject, conversation and time (server/services/draft-matching.ts); only an email the
 * advisor sent is asked about, so a received email costs no request.
 */
export async function matchSentCopy(
  api: ApiClient,
  snapshot: ItemSnapshot,
  signal: AbortSignal,
): Promise<SentCopyMatch> {
  if (snapshot.kind !== 'email' || snapshot.mode !== 'read' || !snapshot.internetMessageId || !snapshot.sentAt)
    return NONE;
  const me = mailboxOwnerEmail();
  const from = snapshot.participants.find((p) => p.role === 'from')?.email;
  if (!me || from !== me) return NONE;
  const recipients = [
    ...new Set(snapshot.participants.filter((p) => p.role === 'to' || p.role === 'cc').map((p) => p.email)),
  ];
  if (recipients.length === 0 || recipients.length > 500) return NONE;
  try {
    const { drafts } = await api.call('matchSentDrafts', {
      body: {
        internetMessageId: snapshot.internetMessageId,
        conversationId: snapshot.conversationId ?? undefined,
        subject: snapshot.subject.slice(0, 1000),
        recipients,
        sentAt: snapshot.sentAt,
      },
      signal,
    });
    return drafts.length === 1 ? { activity: drafts[0], candidates: [] } : { activity: null, candidates: drafts };
  } catch (error) {
    // Matching is a fallback: refused (for example too many requests), the link stays pending and is
    // looked for again the next time the sent copy is opened.
    if (error instanceof ApiError && !error.unreachable) return NONE;
    throw error;
  }
}

/** Completes the draft the advisor picked with this sent copy; the service checks the rights again as it writes. */
export function completeChosenDraft(
  api: ApiClient,
  snapshot: ItemSnapshot,
  draft: Activity,
  signal: AbortSignal,
): Promise<Activity> {
  return api.call('completeSent', {
    params: { id: draft.id },
    body: {
      internetMessageId: snapshot.internetMessageId!,
      conversationId: snapshot.conversationId ?? undefined,
      sentAt: snapshot.sentAt ?? undefined,
    },
    signal,
  });
}
