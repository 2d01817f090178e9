import { outlookMailbox } from './host';

/**
 * The account the mailbox belongs to, as Outlook reports it (userProfile, Mailbox 1.6 for accountType:
 * 'enterprise', 'gmail', 'office365' or 'outlookCom'); null outside Outlook.
 */
export function outlookAccount(): { email: string; type: string | undefined } | null {
  const profile = outlookMailbox()?.userProfile;
  if (!profile) return null;
  return { email: profile.emailAddress, type: (profile as Partial<Office.UserProfile>).accountType };
}

/**
 * A consumer mailbox (Outlook.com, or Gmail added to Outlook): nested app authentication "isn't supported if
 * the add-in is loaded in an Outlook.com or Gmail mailbox" (nested-app-auth-requirement-sets.md), and a work
 * app (single tenant) does not accept those accounts anyway.
 */
export function isConsumerAccount(): boolean {
  const type = outlookAccount()?.type;
  return type === 'outlookCom' || type === 'gmail';
}
