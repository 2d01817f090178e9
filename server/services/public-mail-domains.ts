/** Consumer mail domains: a contact at one of these is not matched to an organization by domain. */
export const PUBLIC_MAIL_DOMAINS = new Set([
  'aol.com',
  'att.net',
  'comcast.net',
  'cox.net',
  'earthlink.net',
  'gmail.com',
  'googlemail.com',
  'gmx.com',
  'gmx.net',
  'hotmail.com',
  'hotmail.co.uk',
  'icloud.com',
  'live.com',
  'mac.com',
  'mail.com',
  'me.com',
  'msn.com',
  'outlook.com',
  'proton.me',
  'protonmail.com',
  'sbcglobal.net',
  'verizon.net',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'zoho.com',
]);

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
