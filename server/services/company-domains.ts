/** Labels that sit between a company's name and the country code, as in contoso.co.uk or contoso.com.au. */
const SECOND_LEVEL = new Set(['ac', 'co', 'com', 'edu', 'gov', 'net', 'org', 'ltd', 'plc']);

/**
 * The name of the organization made for a new company email domain, until someone renames it:
 * "contoso.com" → "Contoso", "mail.north-wind.co.uk" → "North Wind".
 */
export function organizationNameForDomain(domain: string): string {
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  labels.pop();
  if (labels.length > 1 && SECOND_LEVEL.has(labels[labels.length - 1])) labels.pop();
  const label = labels[labels.length - 1] ?? domain;
  return label
    .split('-')
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join(' ');
}
