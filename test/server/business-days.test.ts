import assert from 'node:assert/strict';
import { addBusinessDays, isBusinessDay, latestStartMet } from '../../server/services/business-days';

const at = (iso: string) => new Date(iso);
const add = (iso: string, days: number, zone: string, holidays: string[] = []) =>
  addBusinessDays(at(iso), days, zone, new Set(holidays)).toISOString();

describe('business days in an IANA time zone, with holidays', () => {
  it('DST: Friday 17:00 Paris plus one business day is Monday 17:00 Paris across the March and October changes', () => {
    assert.equal(add('2026-03-27T16:00:00.000Z', 1, 'Europe/Paris'), '2026-03-30T15:00:00.000Z');
    assert.equal(add('2026-10-23T15:00:00.000Z', 1, 'Europe/Paris'), '2026-10-26T16:00:00.000Z');
    assert.equal(add('2026-03-06T22:00:00.000Z', 1, 'America/New_York'), '2026-03-09T21:00:00.000Z');
  });

  it('weekends: Friday plus one is Monday; a start on a weekend counts from Monday 00:00 local', () => {
    assert.equal(add('2026-11-20T16:00:00.000Z', 1, 'UTC'), '2026-11-23T16:00:00.000Z');
    assert.equal(add('2026-11-18T10:00:00.000Z', 1, 'UTC'), '2026-11-19T10:00:00.000Z');
    assert.equal(add('2026-11-21T12:00:00.000Z', 1, 'UTC'), '2026-11-24T00:00:00.000Z');
    // Saturday 10:00 in Auckland is still Friday in UTC: the weekend is the owner's.
    assert.equal(add('2026-11-20T21:00:00.000Z', 1, 'Pacific/Auckland'), '2026-11-23T11:00:00.000Z');
    assert.equal(add('2026-11-18T10:00:00.000Z', 5, 'UTC'), '2026-11-25T10:00:00.000Z');
  });

  it('holidays: a holiday is no business day, and a start on one counts from the next business day 00:00 local', () => {
    assert.equal(isBusinessDay('2026-12-25', new Set(['2026-12-25'])), false);
    assert.equal(isBusinessDay('2026-12-24', new Set(['2026-12-25'])), true);
    assert.equal(add('2026-12-24T15:00:00.000Z', 1, 'America/New_York', ['2026-12-25']), '2026-12-28T15:00:00.000Z');
    assert.equal(add('2026-12-25T15:00:00.000Z', 1, 'America/New_York', ['2026-12-25']), '2026-12-29T05:00:00.000Z');
  });

  it('two zones: the same instant is a different threshold', () => {
    assert.equal(add('2026-11-20T03:00:00.000Z', 1, 'Pacific/Auckland'), '2026-11-23T03:00:00.000Z');
    assert.equal(add('2026-11-20T03:00:00.000Z', 1, 'America/New_York'), '2026-11-21T03:00:00.000Z');
  });

  it('the latest start the store filters by agrees with addBusinessDays to the millisecond, in any zone', () => {
    const holidays = new Set(['2026-11-23', '2026-03-30']);
    for (const zone of ['UTC', 'Pacific/Auckland', 'America/New_York', 'Europe/Paris']) {
      for (const now of ['2026-11-23T16:01:00.000Z', '2026-11-24T00:00:00.001Z', '2026-03-31T15:00:00.000Z']) {
        for (const days of [1, 5]) {
          const cutoff = latestStartMet(at(now), days, zone, holidays);
          assert.ok(addBusinessDays(cutoff, days, zone, holidays) <= at(now), `${zone} ${now} ${days}: cutoff is met`);
          const later = new Date(cutoff.getTime() + 1);
          assert.ok(addBusinessDays(later, days, zone, holidays) > at(now), `${zone} ${now} ${days}: +1 ms is not`);
        }
      }
    }
  });
});
