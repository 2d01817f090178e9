import { companyLabel } from './company-domains';

/**
 * Consumer mail providers known by their name on any country domain (yahoo.fr, hotmail.co.uk, gmx.de,
 * mail.gmail.com): a contact there is never matched to, or made into, an organization by domain.
 */
const PUBLIC_MAIL_BRANDS = new Set([
  '126',
  '163',
  'abv',
  'aol',
  'arcor',
  'att',
  'bellsouth',
  'bigpond',
  'bluewin',
  'btinternet',
  'charter',
  'comcast',
  'cox',
  'daum',
  'earthlink',
  'fastmail',
  'freenet',
  'gmail',
  'gmx',
  'googlemail',
  'hanmail',
  'hetnet',
  'hotmail',
  'hushmail',
  'icloud',
  'interia',
  'juno',
  'kpnmail',
  'laposte',
  'libero',
  'msn',
  'naver',
  'netzero',
  'onet',
  'optusnet',
  'outlook',
  'posteo',
  'proton',
  'protonmail',
  'qq',
  'rambler',
  'rediffmail',
  'rocketmail',
  'rogers',
  'sbcglobal',
  'seznam',
  'shaw',
  'sina',
  'sympatico',
  't-online',
  'telus',
  'tiscali',
  'tuta',
  'tutanota',
  'ukr',
  'verizon',
  'virgilio',
  'virginmedia',
  'windowslive',
  'xtra',
  'yahoo',
  'yandex',
  'ymail',
  'ziggo',
  'zoho',
]);

/** Providers whose name is also a common word or company: only these exact domains (and hosts under them). */
const PUBLIC_MAIL_DOMAINS = new Set([
  'alice.it',
  'free.fr',
  'live.ca',
  'live.co.uk',
  'live.com',
  'live.com.au',
  'live.de',
  'live.fr',
  'live.it',
  'live.nl',
  'mac.com',
  'mail.com',
  'mail.ru',
  'mailbox.org',
  'me.com',
  'o2.pl',
  'orange.fr',
  'pm.me',
  'proton.me',
  'sky.com',
  'tin.it',
  'wanadoo.fr',
  'web.de',
  'wp.pl',
]);

export function isPublicMailDomain(domain: string): boolean {
  const lower = domain.toLowerCase();
  if (PUBLIC_MAIL_BRANDS.has(companyLabel(lower))) return true;
  const labels = lower.split('.');
  return labels.some((_, i) => i < labels.length - 1 && PUBLIC_MAIL_DOMAINS.has(labels.slice(i).join('.')));
}

export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
