import { describe, expect, it } from 'vitest'
import { eventEndWithinDay, instantToWallTime, isTimeZone, occurrences, resolveWallTime, wallTimeToInstant, WallTimeChoiceNeeded } from '#shared/schedule-time'

// A scheduled post goes out at the wall-clock time the creator chose, across DST changes, in the three zones the
// issue names: Europe/Berlin (last Sundays of March and October), America/New_York (second Sunday of March, first
// of November) and Australia/Sydney (southern hemisphere: first Sunday of October on, first Sunday of April off).
describe('wall times and instants', () => {
  it.each([
    ['Europe/Berlin', '2026-03-28T09:00', '2026-03-28T08:00:00Z', '2026-03-30T09:00', '2026-03-30T07:00:00Z'],
    ['America/New_York', '2026-03-07T09:00', '2026-03-07T14:00:00Z', '2026-03-09T09:00', '2026-03-09T13:00:00Z'],
    ['Australia/Sydney', '2026-10-03T09:00', '2026-10-02T23:00:00Z', '2026-10-05T09:00', '2026-10-04T22:00:00Z'],
  ])('%s: 09:00 is 09:00 on both sides of the change', (zone, before, beforeUtc, after, afterUtc) => {
    expect(wallTimeToInstant(before, zone)).toBe(beforeUtc)
    expect(wallTimeToInstant(after, zone)).toBe(afterUtc)
    expect(instantToWallTime(beforeUtc, zone)).toBe(before)
    expect(instantToWallTime(afterUtc, zone)).toBe(after)
  })

  it.each([
    ['Europe/Berlin', '2026-03-29T02:30', '+01:00', '+02:00', '2026-03-29T00:30:00Z'],
    ['America/New_York', '2026-03-08T02:30', '-05:00', '-04:00', '2026-03-08T06:30:00Z'],
    ['Australia/Sydney', '2026-10-04T02:30', '+10:00', '+11:00', '2026-10-03T15:30:00Z'],
  ])('%s: a time in the spring gap does not exist, and needs a choice', (zone, wall, from, to, before) => {
    const resolved = resolveWallTime(wall, zone)
    expect(resolved).toMatchObject({ kind: 'gap', offsets: [from, to], before })
    expect(() => wallTimeToInstant(wall, zone)).toThrow(WallTimeChoiceNeeded)
    expect(() => wallTimeToInstant(wall, zone)).toThrow(/does not exist/)
    // "The hour before" reads 01:30 on the clock, "the hour after" 03:30: an hour apart in real time too.
    const after = wallTimeToInstant(wall, zone, 'later')
    expect(wallTimeToInstant(wall, zone, 'earlier')).toBe(before)
    expect(Date.parse(after) - Date.parse(before)).toBe(3_600_000)
    expect(instantToWallTime(before, zone)).toBe(wall.replace('T02:', 'T01:'))
    expect(instantToWallTime(after, zone)).toBe(wall.replace('T02:', 'T03:'))
  })

  it.each([
    ['Europe/Berlin', '2026-10-25T02:30', '2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'],
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z'],
    ['Australia/Sydney', '2026-04-05T02:30', '2026-04-04T15:30:00Z', '2026-04-04T16:30:00Z'],
  ])('%s: a time in the autumn overlap happens twice, and needs a choice', (zone, wall, earlier, later) => {
    expect(resolveWallTime(wall, zone)).toMatchObject({ kind: 'overlap', earlier, later })
    expect(() => wallTimeToInstant(wall, zone)).toThrow(/happens twice/)
    expect(wallTimeToInstant(wall, zone, 'earlier')).toBe(earlier)
    expect(wallTimeToInstant(wall, zone, 'later')).toBe(later)
    expect(instantToWallTime(earlier, zone)).toBe(wall)
    expect(instantToWallTime(later, zone)).toBe(wall)
  })

  it('knows real IANA zones only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('Mars/Olympus')).toBe(false)
  })
})

describe('how long the calendar draws a post', () => {
  it('draws it for its minutes, but never past midnight in the zone, so a late post stays on its own day', () => {
    const berlin = (wall: string) => wallTimeToInstant(wall, 'Europe/Berlin')
    expect(eventEndWithinDay(berlin('2027-01-10T10:00'), 'Europe/Berlin', 30)).toBe(berlin('2027-01-10T10:30'))
    expect(eventEndWithinDay(berlin('2027-01-10T23:50'), 'Europe/Berlin', 30)).toBe(berlin('2027-01-11T00:00'))
    expect(eventEndWithinDay(berlin('2027-01-10T23:30'), 'Europe/Berlin', 30)).toBe(berlin('2027-01-11T00:00'))
    // Midnight in the zone, not in UTC: 23:50 in New York is 04:50 UTC the next day.
    expect(eventEndWithinDay(wallTimeToInstant('2027-01-10T23:50', 'America/New_York'), 'America/New_York', 30)).toBe('2027-01-11T05:00:00Z')
    // On the night the clocks go forward, half an hour from 01:50 reads 03:20.
    expect(instantToWallTime(eventEndWithinDay(berlin('2027-03-28T01:50'), 'Europe/Berlin', 30), 'Europe/Berlin')).toBe('2027-03-28T03:20')
  })
})

describe('recurring posts on the wall clock', () => {
  it.each([
    ['Europe/Berlin', '2026-03-16T09:00', '2026-03-15T00:00:00Z'],
    ['America/New_York', '2026-10-26T09:00', '2026-10-25T00:00:00Z'],
    ['Australia/Sydney', '2026-09-28T09:00', '2026-09-27T00:00:00Z'],
  ])('%s: 09:00 every Monday stays 09:00 across the change', (zone, start, from) => {
    const instants = occurrences('FREQ=WEEKLY;BYDAY=MO;COUNT=4', start, zone, from)
    expect(instants).toHaveLength(4)
    expect(instants.map(instant => instantToWallTime(instant, zone).slice(11))).toEqual(['09:00', '09:00', '09:00', '09:00'])
    // The UTC hour moves by one across the change: the wall clock is what holds.
    expect(new Set(instants.map(instant => instant.slice(11, 13))).size).toBe(2)
  })

  it('stops at the horizon, and at the rule\'s own end', () => {
    const daily = occurrences('FREQ=DAILY', '2026-01-01T09:00', 'Europe/Berlin', '2026-01-01T00:00:00Z', 90)
    expect(daily).toHaveLength(90)
    expect(occurrences('FREQ=DAILY;UNTIL=20260105T235959Z', '2026-01-01T09:00', 'Europe/Berlin', '2026-01-01T00:00:00Z')).toHaveLength(5)
  })
})
