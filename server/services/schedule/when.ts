// A chosen time, made exact: a wall-clock time in a zone becomes the instant it means. A time in the spring gap or the
// autumn overlap is refused with a 409 that carries both moments, so the form asks the creator instead of guessing.
import type { WallTimeChoiceData } from '#shared/calendar'
import { WallTimeChoiceNeeded, wallTimeToInstant, type Disambiguation } from '#shared/schedule-time'
import { ServiceError } from '../errors'

export interface PlacedTime { scheduledAt: Date, wall: string, zone: string }

const clock = (instant: string, zone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(new Date(instant))

/** The instant of `wall` in `zone`, or a 409 naming the two moments to choose between. */
export function placeWallTime(wall: string, zone: string, choice?: Disambiguation): PlacedTime {
  const minute = wall.slice(0, 16)
  try {
    return { scheduledAt: new Date(wallTimeToInstant(minute, zone, choice)), wall: minute, zone }
  }
  catch (error) {
    if (!(error instanceof WallTimeChoiceNeeded)) throw error
    const resolution = error.resolution
    const [first, second] = (resolution.kind === 'gap' ? [resolution.before, resolution.after] : [resolution.earlier, resolution.later]).map(instant => new Date(instant).toISOString()) as [string, string]
    const data: WallTimeChoiceData = {
      wallTimeChoice: {
        wall: minute, zone, kind: resolution.kind,
        options: resolution.kind === 'gap'
          ? [
              { choice: 'earlier', instant: first, label: `${clock(first, zone)}, before the clocks change` },
              { choice: 'later', instant: second, label: `${clock(second, zone)}, after the clocks change` },
            ]
          : [
              { choice: 'earlier', instant: first, label: `The first ${minute.slice(11)} (${clock(first, zone)})` },
              { choice: 'later', instant: second, label: `The second ${minute.slice(11)} (${clock(second, zone)})` },
            ],
      },
    }
    throw new ServiceError(409, error.message, data as unknown as Record<string, unknown>)
  }
}
