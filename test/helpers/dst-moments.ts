/**
 * The advisors' zones and the moments needs attention is compared at (attention-due.test.ts, attention-conformance
 * .test.ts): the US clocks change on 14 March 2027, Europe's on 28 March, Auckland's on 4 April; 17 and 26 March are
 * the firm's holidays (HOLIDAYS).
 */
export const ZONES = ['UTC', 'America/New_York', 'Europe/Paris', 'Pacific/Auckland', 'Asia/Kathmandu'];
export const HOLIDAYS = ['2027-03-17', '2027-03-26'];
export const START = '2027-03-08T09:00:00.000Z';
export const MOMENTS = [
  '2027-03-12T16:59:59.999Z',
  '2027-03-14T07:30:00.000Z',
  '2027-03-17T12:00:00.000Z',
  '2027-03-18T04:00:00.000Z',
  '2027-03-22T15:00:00.000Z',
  '2027-03-26T23:30:00.000Z',
  '2027-03-28T01:30:00.000Z',
  '2027-03-29T09:00:00.000Z',
  '2027-04-03T14:30:00.000Z',
  '2027-04-12T00:00:00.000Z',
];
