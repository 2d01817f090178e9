import { addBusinessDays, latestStartMet } from '../../server/services/business-days';
import assert from 'node:assert/strict';
import {
  endOfLocalDate,
  localDate,
  localParts,
  monthOf,
  monthRange,
  nextDate,
  zonedInstant,
} from '../../server/services/zoned-time';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const iso = (instant: Date) => instant.toISOString();
const range = (month: string, zone: string) => {
  const { from, to } = monthRange(month, zone);
  return [iso(from), iso(to)];
};

describe('wall-clock arithmetic in an IANA time zone (zoned-time)', () => {
  it('localParts: the local date, hour and time of day, in whole-hour, +05:45 and +12:45/+13:45 zones', () => {
    assert.deepEqual(localParts(at('2026-11-20T03:00:00.000Z'), 'America/New_York'), {
      date: '2026-11-19',
      hour: 22,
      time: 22 * HOUR,
    });
    // Kathmandu is 5:45 ahead: 18:14:59.999 UTC is the last millisecond of the day there.
    assert.deepEqual(localParts(at('2026-11-22T18:14:59.999Z'), 'Asia/Kathmandu'), {
      date: '2026-11-22',
      hour: 23,
      time: 24 * HOUR - 1,
    });
    assert.deepEqual(localParts(at('2026-11-22T18:15:00.000Z'), 'Asia/Kathmandu'), {
      date: '2026-11-23',
      hour: 0,
      time: 0,
    });
    // Chatham: +12:45 in winter, +13:45 in summer.
    assert.deepEqual(localParts(at('2026-07-01T11:15:00.000Z'), 'Pacific/Chatham'), {
      date: '2026-07-02',
      hour: 0,
      time: 0,
    });
    assert.deepEqual(localParts(at('2026-12-01T10:15:00.000Z'), 'Pacific/Chatham'), {
      date: '2026-12-02',
      hour: 0,
      time: 0,
    });
  });

  it('localDate: the same instant is a different local date in two zones', () => {
    const instant = at('2026-11-20T03:00:00.000Z');
    assert.equal(localDate(instant, 'Pacific/Auckland'), '2026-11-20');
    assert.equal(localDate(instant, 'America/New_York'), '2026-11-19');
    assert.equal(localDate(instant, 'UTC'), '2026-11-20');
  });

  it('nextDate: the calendar date after, across a month, a leap day and a year', () => {
    assert.equal(nextDate('2026-10-31'), '2026-11-01');
    assert.equal(nextDate('2028-02-28'), '2028-02-29');
    assert.equal(nextDate('2026-12-31'), '2027-01-01');
  });

  it('zonedInstant DST: a local time the clocks skip is the moment they jump; one they repeat, at its first occurrence', () => {
    const half = 2.5 * HOUR;
    assert.equal(iso(zonedInstant('2026-03-29', half, 'Europe/Paris')), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(zonedInstant('2026-10-25', half, 'Europe/Paris')), '2026-10-25T00:30:00.000Z');
    // Chatham springs forward at 02:45 (+12:45) to 03:45 (+13:45) on 27 September 2026: 03:00 is skipped, and
    // falls back at 03:45 (+13:45) to 02:45 (+12:45) on 5 April 2026: 03:00 happens twice.
    assert.equal(iso(zonedInstant('2026-09-27', 3 * HOUR, 'Pacific/Chatham')), '2026-09-26T14:00:00.000Z');
    assert.equal(iso(zonedInstant('2026-04-05', 3 * HOUR, 'Pacific/Chatham')), '2026-04-04T13:15:00.000Z');
    // Auckland (+12 to +13) skips 02:00-03:00 on 27 September 2026.
    assert.equal(iso(zonedInstant('2026-09-27', half, 'Pacific/Auckland')), '2026-09-26T14:00:00.000Z');
    // Either side of the changes, the ordinary offsets.
    assert.equal(iso(zonedInstant('2026-09-27', 12 * HOUR, 'Pacific/Chatham')), '2026-09-26T22:15:00.000Z');
    assert.equal(iso(zonedInstant('2026-04-05', 12 * HOUR, 'Pacific/Chatham')), '2026-04-04T23:15:00.000Z');
  });

  it('a business-day threshold never goes back as its start moves on, across a midnight the clocks skip (Cairo)', () => {
    // Egypt springs forward at 00:00 on Friday 24 April 2026 (to 01:00): one business day after Thursday 00:57
    // and 01:04 fall in the gap and after it. Found by the issue 14 probe: 00:57 came out after 01:04.
    assert.equal(iso(zonedInstant('2026-04-24', 0.5 * HOUR, 'Africa/Cairo')), '2026-04-23T22:00:00.000Z');
    let previous = 0;
    for (
      let start = Date.parse('2026-04-22T21:00:00.000Z');
      start <= Date.parse('2026-04-23T00:00:00.000Z');
      start += 60_000
    ) {
      const due = addBusinessDays(new Date(start), 1, 'Africa/Cairo').getTime();
      assert.ok(due >= previous, `${new Date(start).toISOString()} → ${new Date(due).toISOString()}`);
      previous = due;
    }
    const now = at('2026-04-23T22:30:00.000Z');
    const latest = latestStartMet(now, 1, 'Africa/Cairo');
    assert.ok(addBusinessDays(latest, 1, 'Africa/Cairo') <= now);
    assert.ok(addBusinessDays(new Date(latest.getTime() + 1), 1, 'Africa/Cairo') > now);
  });

  it('zonedInstant: local midnight in a +05:45 zone, and the inverse of localParts to the millisecond', () => {
    assert.equal(iso(zonedInstant('2026-11-23', 0, 'Asia/Kathmandu')), '2026-11-22T18:15:00.000Z');
    for (const zone of ['UTC', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/New_York', 'Europe/Paris']) {
      for (const instant of ['2026-03-08T07:00:00.001Z', '2026-09-26T14:00:00.000Z', '2026-11-01T05:59:59.999Z']) {
        const { date, time } = localParts(at(instant), zone);
        const back = zonedInstant(date, time, zone);
        // A repeated hour's second occurrence maps back to its first: the same wall clock either way.
        assert.deepEqual(localParts(back, zone), localParts(at(instant), zone), `${zone} ${instant}`);
        assert.ok(back.getTime() <= at(instant).getTime(), `${zone} ${instant}`);
      }
    }
  });

  it('endOfLocalDate: the next local midnight, in two zones and where the clocks skip midnight', () => {
    assert.equal(iso(endOfLocalDate('2026-11-19', 'America/New_York')), '2026-11-20T05:00:00.000Z');
    assert.equal(iso(endOfLocalDate('2026-11-19', 'Pacific/Auckland')), '2026-11-19T11:00:00.000Z');
    // Santiago skips from 00:00 (-04) to 01:00 (-03) on 6 September 2026: the day ends at 01:00 local.
    assert.equal(iso(endOfLocalDate('2026-09-05', 'America/Santiago')), '2026-09-06T04:00:00.000Z');
  });

  it('monthOf: the month an instant falls in, in the zone', () => {
    // 22:00 on 31 October in New York is 1 November in UTC.
    assert.equal(monthOf(at('2026-11-01T02:00:00.000Z'), 'America/New_York'), '2026-10');
    assert.equal(monthOf(at('2026-11-01T02:00:00.000Z'), 'Asia/Tokyo'), '2026-11');
    assert.equal(monthOf(at('2026-11-30T18:15:00.000Z'), 'Asia/Kathmandu'), '2026-12');
    assert.equal(monthOf(at('2026-11-30T18:14:59.999Z'), 'Asia/Kathmandu'), '2026-11');
  });

  it('monthRange: local midnights to local midnights, across a change of offset, a year end, +05:45 and +13:45', () => {
    // New York's clocks go back on 1 November: November is an hour longer.
    assert.deepEqual(range('2026-11', 'America/New_York'), ['2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z']);
    assert.deepEqual(range('2026-12', 'Asia/Kathmandu'), ['2026-11-30T18:15:00.000Z', '2026-12-31T18:15:00.000Z']);
    assert.deepEqual(range('2026-12', 'UTC'), ['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    // Chatham: September begins at +12:45 and ends at +13:45.
    assert.deepEqual(range('2026-09', 'Pacific/Chatham'), ['2026-08-31T11:15:00.000Z', '2026-09-30T10:15:00.000Z']);
    assert.deepEqual(range('2026-10', 'Pacific/Chatham'), ['2026-09-30T10:15:00.000Z', '2026-10-31T10:15:00.000Z']);
  });
});
