/** Labels that sit between a company's name and the country code, as in contoso.co.uk or contoso.com.au. */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ltd', 'plc', 'ne', 'or']);

/** The domain a company registered, without the hosts under it: "mail.north-wind.co.uk" → "north-wind.co.uk". */
export function registrableDomain(domain: string): string {
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  const suffix = labels.length > 2 && SECOND_LEVEL.has(labels[labels.length - 2]) ? 2 : 1;
  return labels.slice(-(suffix + 1)).join('.');
}

/** The label that names the company (or mail provider): "mail.north-wind.co.uk" → "north-wind". */
export function companyLabel(domain: string): string {
  return registrableDomain(domain).split('.')[0] ?? domain;
}

/**
 * The name of the organization made for a new company email domain, until someone renames it:
 * "contoso.com" → "Contoso", "mail.north-wind.co.uk" → "North Wind".
 */
export function organizationNameForDomain(domain: string): string {
  return companyLabel(domain)
    .split('-')
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
