// The composer's "when" as the calendar sends it: a wall time in the workspace's zone, a weekly repeat as an RRULE
// whose last date ends at that zone's midnight, and a best-time chip's next date.
import { describe, expect, it } from 'vitest'
import { occurrences } from '#shared/schedule-time'
import { nextWeekday, repeatRuleOf, scheduleWhenOf, whenFieldsFrom, whenProblems } from '../../utils/calendarWhen'

describe('the composer\'s time', () => {
  it('sends the wall time with the zone, and the DST choice only when one was made', () => {
    const fields = whenFieldsFrom('2026-10-25T02:30', 'Europe/Berlin')
    expect(scheduleWhenOf(fields, 'Europe/Berlin')).toEqual({ kind: 'at', wall: '2026-10-25T02:30', zone: 'Europe/Berlin' })
    expect(scheduleWhenOf(fields, 'Europe/Berlin', 'later')).toEqual({ kind: 'at', wall: '2026-10-25T02:30', zone: 'Europe/Berlin', choice: 'later' })
    expect(scheduleWhenOf({ ...fields, kind: 'queue' }, 'Europe/Berlin')).toEqual({ kind: 'queue' })
  })

  it('starts a repeat on the chosen day\'s weekday, and writes it as a weekly RRULE that ends', () => {
    const fields = { ...whenFieldsFrom('2026-03-23T09:00', 'Europe/Berlin'), repeat: true }
    expect(fields.days).toEqual(['MO'])
    expect(repeatRuleOf(fields, 'Europe/Berlin')).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=4')
    expect(repeatRuleOf({ ...fields, days: ['FR', 'MO'] }, 'Europe/Berlin')).toBe('FREQ=WEEKLY;BYDAY=MO,FR;COUNT=4')
    expect(repeatRuleOf({ ...fields, repeat: false }, 'Europe/Berlin')).toBeUndefined()
  })

  it('ends a repeat on its last date at midnight in the workspace\'s zone, so an evening post that day still goes out', () => {
    const fields = { ...whenFieldsFrom('2026-12-07T21:00', 'America/New_York'), repeat: true, end: 'until' as const, until: '2026-12-21' }
    const rule = repeatRuleOf(fields, 'America/New_York')!
    expect(rule).toBe('FREQ=WEEKLY;BYDAY=MO;UNTIL=20261222T045959Z')
    const dates = occurrences(rule, '2026-12-07T21:00', 'America/New_York', '2026-12-01T00:00:00Z')
    expect(dates).toEqual(['2026-12-08T02:00:00Z', '2026-12-15T02:00:00Z', '2026-12-22T02:00:00Z'])
  })

  it('takes a best time\'s next date on or after the chosen one', () => {
    expect(nextWeekday('2026-12-01', 2)).toBe('2026-12-01')
    expect(nextWeekday('2026-12-01', 1)).toBe('2026-12-07')
    expect(nextWeekday('2026-12-01', 5)).toBe('2026-12-04')
  })

  it('says what is missing before anything is sent', () => {
    const fields = whenFieldsFrom('2026-12-07T09:00', 'UTC')
    expect(whenProblems({ ...fields, time: '' })).toEqual(['Choose a time.'])
    expect(whenProblems({ ...fields, repeat: true, days: [] })).toEqual(['Choose the days it repeats on.'])
    expect(whenProblems({ ...fields, repeat: true, end: 'until', until: '2026-12-01' })).toEqual(['The last date comes after the first.'])
    expect(whenProblems({ ...fields, kind: 'draft', time: '' })).toEqual([])
  })
})
