import { Temporal } from 'temporal-polyfill'
import type { ScheduleWhen } from '#shared/calendar'

/** The composer's "when", as its fields hold it: a date and a time in the workspace's zone, and a weekly repeat. */
export interface WhenFields {
  kind: 'draft' | 'at' | 'queue'
  date: string
  time: string
  repeat: boolean
  /** RRULE weekdays: MO … SU. */
  days: string[]
  end: 'count' | 'until'
  count: number
  until: string
}

export const calendarWeekdays = [
  { code: 'MO', short: 'Mon', long: 'Monday' }, { code: 'TU', short: 'Tue', long: 'Tuesday' },
  { code: 'WE', short: 'Wed', long: 'Wednesday' }, { code: 'TH', short: 'Thu', long: 'Thursday' },
  { code: 'FR', short: 'Fri', long: 'Friday' }, { code: 'SA', short: 'Sat', long: 'Saturday' },
  { code: 'SU', short: 'Sun', long: 'Sunday' },
] as const

/** Today in `zone`, as the date field reads it. */
export const todayIn = (zone: string) => Temporal.Now.plainDateISO(zone).toString()

/** The first date on or after `from` that falls on ISO weekday `day` (1 = Monday). */
export function nextWeekday(from: string, day: number): string {
  const start = Temporal.PlainDate.from(from)
  return start.add({ days: (day - start.dayOfWeek + 7) % 7 }).toString()
}

export function whenFieldsFrom(wall: string | null | undefined, zone: string, kind: WhenFields['kind'] = wall ? 'at' : 'draft'): WhenFields {
  const date = wall?.slice(0, 10) ?? todayIn(zone)
  return {
    kind, date, time: wall?.slice(11, 16) ?? '09:00', repeat: false,
    days: [calendarWeekdays[Temporal.PlainDate.from(date).dayOfWeek - 1]!.code], end: 'count', count: 4,
    until: Temporal.PlainDate.from(date).add({ weeks: 4 }).toString(),
  }
}

export function scheduleWhenOf(fields: WhenFields, zone: string, choice?: 'earlier' | 'later'): ScheduleWhen {
  if (fields.kind !== 'at') return { kind: fields.kind }
  return { kind: 'at', wall: `${fields.date}T${fields.time}`, zone, ...(choice ? { choice } : {}) }
}

/**
 * The RRULE of a weekly repeat. Its last date ends at midnight in the workspace's zone, written in UTC as RFC 5545
 * asks of an UNTIL with a zoned start.
 */
export function repeatRuleOf(fields: WhenFields, zone: string): string | undefined {
  if (fields.kind !== 'at' || !fields.repeat || !fields.days.length) return undefined
  const days = calendarWeekdays.map(day => day.code).filter(code => fields.days.includes(code)).join(',')
  if (fields.end === 'count') return `FREQ=WEEKLY;BYDAY=${days};COUNT=${fields.count}`
  const until = Temporal.PlainDateTime.from(`${fields.until}T23:59:59`).toZonedDateTime(zone).toInstant().toString({ smallestUnit: 'second' })
  return `FREQ=WEEKLY;BYDAY=${days};UNTIL=${until.replace(/[-:]/g, '')}`
}

/** What is wrong with the fields before anything is sent, in words; empty when they are fine. */
export function whenProblems(fields: WhenFields): string[] {
  if (fields.kind !== 'at') return []
  const problems: string[] = []
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fields.date)) problems.push('Choose a date.')
  if (!/^\d{2}:\d{2}$/.test(fields.time)) problems.push('Choose a time.')
  if (fields.repeat && !fields.days.length) problems.push('Choose the days it repeats on.')
  if (fields.repeat && fields.end === 'count' && !(fields.count >= 1 && fields.count <= 100)) problems.push('Repeat it between 1 and 100 times.')
  if (fields.repeat && fields.end === 'until' && !(fields.until >= fields.date)) problems.push('The last date comes after the first.')
  return problems
}
