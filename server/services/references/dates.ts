// Dates a person types or a spreadsheet holds, read in the workspace's time zone: "2026-11-01" is that day in the
// workspace, "2026-11-01 18:30" that hour there, and a time with an offset ("…Z", "…+01:00") means what it says.
import { isDateText } from '#shared/references'

/** Milliseconds the zone is ahead of UTC at an instant. */
function zoneOffset(zone: string, instant: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(instant))
  const part = (type: string) => Number(parts.find(each => each.type === type)?.value)
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second')) - Math.floor(instant / 1000) * 1000
}

/** A wall-clock time in a zone as an instant (the second pass settles a guess that crossed a DST change). */
function zonedInstant(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second)
  const guess = wall - zoneOffset(zone, wall)
  return new Date(wall - zoneOffset(zone, guess))
}

export type DateRead = { ok: true, value: Date | null } | { ok: false, message: string }

/**
 * Reads a date or date-time; a day alone is taken at noon in the zone (the middle of "posted that day"), and never
 * later than `now` (numbers read today are read now). Dates after now are refused.
 */
export function readDate(text: string | null | undefined, zone: string, now: Date, what: string): DateRead {
  const value = text?.trim()
  if (!value) return { ok: true, value: null }
  if (!isDateText(value)) return { ok: false, message: `“${value}” is not a date; write the ${what} as 2026-11-01 (year-month-day), with a time if you like (2026-11-01 18:30).` }
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number]
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return { ok: false, message: `“${value}” is not a day of the calendar.` }
  let instant: Date
  if (value.length === 10) {
    instant = zonedInstant(zone, year, month, day, 12, 0, 0)
    if (instant > now && zonedInstant(zone, year, month, day, 0, 0, 0) <= now) instant = now
  }
  else if (/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    instant = new Date(value.replace(' ', 'T'))
  }
  else {
    const [hour, minute, second] = value.slice(11).split(':').map(Number) as [number, number, number?]
    instant = zonedInstant(zone, year, month, day, hour, minute, Math.floor(second ?? 0))
  }
  if (Number.isNaN(instant.getTime())) return { ok: false, message: `“${value}” is not a date we can read; write it as 2026-11-01.` }
  if (instant.getTime() > now.getTime() + 60_000) return { ok: false, message: `“${value}” is in the future.` }
  return { ok: true, value: instant }
}
