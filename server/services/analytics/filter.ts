// The Analytics page's filters as the score queries take them: the query's days (YYYY-MM-DD, in the workspace's time
// zone) become instants through Temporal, so a day is the workspace's midnight to midnight (23 or 25 hours across a
// DST change), never the server's or UTC's.
import { Temporal } from 'temporal-polyfill'
import type { AnalyticsQuery } from '#shared/analytics'
import type { ScoreFilter } from './scores'

/** The instant a day starts in `zone` (the first instant of it, so a day starting in a gap starts when the clocks land). */
export function dayStart(day: string, zone: string): Date {
  return new Date(Temporal.PlainDate.from(day).toZonedDateTime({ timeZone: zone }).epochMilliseconds)
}

/** The day after `day`, so `to` (inclusive in the query) becomes the exclusive end the scores take. */
export function dayAfter(day: string): string {
  return Temporal.PlainDate.from(day).add({ days: 1 }).toString()
}

export function scoreFilterOf(query: AnalyticsQuery, zone: string): ScoreFilter {
  return {
    ...(query.platform ? { platform: query.platform } : {}),
    ...(query.accountId ? { socialAccountId: query.accountId } : {}),
    ...(query.from ? { from: dayStart(query.from, zone) } : {}),
    ...(query.to ? { to: dayStart(dayAfter(query.to), zone) } : {}),
  }
}
