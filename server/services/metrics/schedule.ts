// When a published post's numbers are read: at +1 h, +6 h, +24 h, +72 h and +7 d, then weekly for 8 more weeks
// (the last at +63 d). Early pulls catch the first push; the weekly ones the long tail. Pure, so the sweep, the
// settle step and the tests share it.

const HOUR_MS = 3_600_000
const WEEK_HOURS = 7 * 24

/** The age, in hours, of each pull. */
export const METRICS_STEP_HOURS: readonly number[] = [1, 6, 24, 72, WEEK_HOURS, ...Array.from({ length: 8 }, (_, week) => WEEK_HOURS * (week + 2))]

export interface MetricsPull {
  /** Index into METRICS_STEP_HOURS. */
  step: number
  dueAt: Date
}

const dueAt = (publishedAt: Date, step: number) => new Date(publishedAt.getTime() + METRICS_STEP_HOURS[step]! * HOUR_MS)

/** The first pull of a post that has just been published. */
export function firstMetricsPull(publishedAt: Date): MetricsPull {
  return { step: 0, dueAt: dueAt(publishedAt, 0) }
}

/**
 * The pull after one made at `now`: the first step whose age is still ahead, so a pull that ran late (a worker down,
 * a platform's wait) skips the steps it overtook instead of catching up on stale ones. Null when the schedule is done.
 */
export function nextMetricsPull(publishedAt: Date, now: Date): MetricsPull | null {
  const step = METRICS_STEP_HOURS.findIndex((_, index) => dueAt(publishedAt, index).getTime() > now.getTime())
  return step === -1 ? null : { step, dueAt: dueAt(publishedAt, step) }
}

/** The post's age in hours at `at`, as a snapshot stores it. */
export function ageHours(publishedAt: Date, at: Date): number {
  return Math.max(0, (at.getTime() - publishedAt.getTime()) / HOUR_MS)
}

/** Followers are read once a day per account. */
export const ACCOUNT_METRICS_EVERY_HOURS = 24

/** A newly connected account's first count: an hour on, as a post's first pull. */
export function firstAccountMetricsPull(connectedAt: Date): Date {
  return new Date(connectedAt.getTime() + HOUR_MS)
}

export function nextAccountMetricsPull(now: Date): Date {
  return new Date(now.getTime() + ACCOUNT_METRICS_EVERY_HOURS * HOUR_MS)
}
