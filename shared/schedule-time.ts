// Scheduled times: a wall-clock time in an IANA zone, as the creator chose it, and the instant it means. Every
// conversion goes through Temporal (temporal-polyfill, imported, never global), never hand-written offset arithmetic.
// A wall time in the spring gap does not exist and one in the autumn overlap exists twice: both are said, so the form
// can offer a choice instead of guessing.
import { Temporal } from 'temporal-polyfill'
import { RRuleTemporal } from 'rrule-temporal'

/** A wall-clock time as the forms send it: `2026-03-29T09:00` (seconds optional). */
export type WallTime = string

export type WallTimeResolution
  = | { kind: 'exact', instant: string }
  /** The clocks jump over it: `before` reads the gap's length earlier (01:30 for 02:30), `after` that much later (03:30). */
    | { kind: 'gap', before: string, after: string, offsets: [string, string] }
  /** The clocks go through it twice: the first time (summer time) or the second. */
    | { kind: 'overlap', earlier: string, later: string, offsets: [string, string] }

export type Disambiguation = 'earlier' | 'later'

const instantOf = (zoned: Temporal.ZonedDateTime) => zoned.toInstant().toString()

/** Whether `zone` is an IANA zone Temporal knows. */
export function isTimeZone(zone: string): boolean {
  try {
    Temporal.Now.zonedDateTimeISO(zone)
    return true
  }
  catch {
    return false
  }
}

/** What `wall` in `zone` means: one instant, none (a gap), or two (an overlap). */
export function resolveWallTime(wall: WallTime, zone: string): WallTimeResolution {
  const local = Temporal.PlainDateTime.from(wall)
  const earlier = local.toZonedDateTime(zone, { disambiguation: 'earlier' })
  const later = local.toZonedDateTime(zone, { disambiguation: 'later' })
  if (Temporal.ZonedDateTime.compare(earlier, later) === 0) return { kind: 'exact', instant: instantOf(earlier) }
  // In an overlap both readings show the chosen wall time; in a gap neither shows it.
  const overlap = Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), local) === 0
  const offsets: [string, string] = [earlier.offset, later.offset]
  return overlap
    ? { kind: 'overlap', earlier: instantOf(earlier), later: instantOf(later), offsets }
    : { kind: 'gap', before: instantOf(earlier), after: instantOf(later), offsets }
}

/**
 * The instant of `wall` in `zone`. An ambiguous or missing wall time needs the creator's choice: without one it is
 * refused, so nothing is scheduled at a time nobody picked.
 */
export function wallTimeToInstant(wall: WallTime, zone: string, choice?: Disambiguation): string {
  const resolved = resolveWallTime(wall, zone)
  if (resolved.kind === 'exact') return resolved.instant
  if (!choice) throw new WallTimeChoiceNeeded(wall, zone, resolved)
  if (resolved.kind === 'overlap') return choice === 'earlier' ? resolved.earlier : resolved.later
  return choice === 'earlier' ? resolved.before : resolved.after
}

/** The wall time an instant shows in `zone` (`2026-03-29T09:00`), to the minute. */
export function instantToWallTime(instant: string, zone: string): WallTime {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(zone).toPlainDateTime().toString({ smallestUnit: 'minute' })
}

/**
 * Where the calendar draws a post to: `minutes` after it, but never past midnight in `zone`. A post is a moment; drawn
 * half an hour long, one at 23:50 would run into the next day and show on both.
 */
export function eventEndWithinDay(start: string, zone: string, minutes: number): string {
  const zoned = Temporal.Instant.from(start).toZonedDateTimeISO(zone)
  const later = zoned.add({ minutes })
  const midnight = zoned.toPlainDate().add({ days: 1 }).toZonedDateTime({ timeZone: zone })
  return instantOf(Temporal.ZonedDateTime.compare(later, midnight) > 0 ? midnight : later)
}

export class WallTimeChoiceNeeded extends Error {
  constructor(readonly wall: WallTime, readonly zone: string, readonly resolution: Exclude<WallTimeResolution, { kind: 'exact' }>) {
    const [first, second] = resolution.offsets
    super(resolution.kind === 'gap'
      ? `${wall.replace('T', ' ')} does not exist in ${zone}: the clocks jump from UTC${first} to UTC${second}. Choose the hour before or after.`
      : `${wall.replace('T', ' ')} happens twice in ${zone} (UTC${first}, then UTC${second}). Choose the first or the second.`)
    this.name = 'WallTimeChoiceNeeded'
  }
}

/** How far ahead a recurring post is expanded into occurrences. */
export const RECURRENCE_HORIZON_DAYS = 90

/**
 * The occurrences of a recurring post from `start` (a wall time in `zone`), on the wall clock: "09:00 every Monday"
 * is 09:00 before and after a DST change. `rule` is an RRULE body (`FREQ=WEEKLY;BYDAY=MO;COUNT=10`); at most
 * RECURRENCE_HORIZON_DAYS from `from`. A wall time that falls in a gap moves to the hour after it (as calendars do).
 */
export function occurrences(rule: string, start: WallTime, zone: string, from: string, horizonDays = RECURRENCE_HORIZON_DAYS): string[] {
  const dtstart = Temporal.PlainDateTime.from(start).toZonedDateTime(zone, { disambiguation: 'compatible' })
  const recurrence = new RRuleTemporal({ rruleString: rule, dtstart })
  const begin = Temporal.Instant.from(from)
  const end = begin.add({ hours: horizonDays * 24 })
  return recurrence.between(begin.toZonedDateTimeISO(zone), end.toZonedDateTimeISO(zone), true).map(instantOf)
}
