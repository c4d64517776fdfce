// The outcome of a post, as the learning loop scores it. Pure: the lead's wiring feeds MetricSnapshot rows
// (ageHours and the counts), tests and the bench feed numbers.
//
// 1. The value at a horizon (default 48 h): linear in time between the two snapshots that bracket the horizon, with the
//    moment of publishing counting as (0 h, 0). No snapshot at or past the horizon yet means no value ("not enough
//    data"), never an extrapolation. Linear is the honest choice between two measured points: views grow concavely
//    (fast at first), so it reads a little low, by the same factor for posts pulled on the same schedule, which the
//    normalisation below then cancels.
// 2. The metric: a count (views, saves, ...) read as log(1 + value), or a ratio of two counts (saves per view, watch time
//    per view) read as log((numerator + 1) / (denominator + 1)), each count interpolated at the horizon first. Logs,
//    because views are heavy-tailed and what a pattern does is multiply them (+0.69 is twice, whoever posts).
// 3. Normalised: the log value minus the median log value of the account's previous posts (the last ROLLING_WINDOW with a
//    value), so 0 is "like this account's usual post" whatever its size. A median, not a mean, so one viral post does not
//    move the baseline. With fewer than ROLLING_MINIMUM previous values there is no baseline to speak of: no outcome,
//    with the reason. A post's outcome uses only posts before it, so it does not change when later posts land (it does
//    when an earlier post's value arrives late: rebuild the account then).
//
// Interface:
//   valueAtHorizon(points, horizonHours = 48)              → { value, lowerAgeHours, upperAgeHours } | { value: null, reason }
//   logOutcome(snapshots, metric = VIEWS, horizonHours)    → { value (log), raw } | { value: null, reason }
//   rollingBaseline(previousLogValues)                     → { median, count } | { median: null, reason }
//   normalisedOutcome(logValue, previousLogValues)         → { value, baseline, basis } | { value: null, reason }
//   normaliseAccount(posts)                                → Map(key → normalised outcome), posts in publishing order
import { median } from '../patterns/performance'

export const DEFAULT_HORIZON_HOURS = 48
// 30 posts: about a month of daily posting, long enough that the median is steady (its SD is about 1.25·1.5/√30 ≈ 0.34
// in log views) and short enough to follow an account that grows or changes format.
export const ROLLING_WINDOW = 30
// Below 3 previous values, a median is one or two posts' luck.
export const ROLLING_MINIMUM = 3

export const countFields = ['views', 'likes', 'comments', 'shares', 'saves', 'reach', 'watchTimeSec'] as const
export type CountField = typeof countFields[number]

export type OutcomeMetric
  = | { readonly kind: 'count', readonly field: CountField }
    | { readonly kind: 'ratio', readonly numerator: CountField, readonly denominator: CountField }

export const VIEWS: OutcomeMetric = { kind: 'count', field: 'views' }

export interface SnapshotPoint {
  readonly ageHours: number
  readonly value: number | null
}

/** A MetricSnapshot's numbers (views is a BigInt in the database). */
export type SnapshotNumbers = { readonly ageHours: number } & { readonly [Field in CountField]?: number | bigint | null }

export type AtHorizon
  = | { readonly value: number, readonly lowerAgeHours: number, readonly upperAgeHours: number }
    | { readonly value: null, readonly reason: string }

export type LogOutcome
  = | { readonly value: number, readonly raw: number }
    | { readonly value: null, readonly reason: string }

export type Baseline
  = | { readonly median: number, readonly count: number }
    | { readonly median: null, readonly reason: string }

export type NormalisedOutcome
  = | { readonly value: number, readonly logValue: number, readonly baseline: number, readonly basis: number }
    | { readonly value: null, readonly reason: string }

const FIELD_NAMES: Record<CountField, string> = {
  views: 'views', likes: 'likes', comments: 'comments', shares: 'shares', saves: 'saves', reach: 'reach', watchTimeSec: 'watch time',
}
// The denominator of a ratio: "saves per view".
const FIELD_UNITS: Record<CountField, string> = {
  views: 'view', likes: 'like', comments: 'comment', shares: 'share', saves: 'save', reach: 'account reached', watchTimeSec: 'second watched',
}

function checkHorizon(horizonHours: number) {
  if (!(Number.isFinite(horizonHours) && horizonHours > 0)) throw new RangeError(`A horizon is a positive number of hours (got ${horizonHours}).`)
}

export function valueAtHorizon(points: readonly SnapshotPoint[], horizonHours = DEFAULT_HORIZON_HOURS): AtHorizon {
  checkHorizon(horizonHours)
  const measured = points
    .filter((point): point is { ageHours: number, value: number } => point.value !== null && Number.isFinite(point.value)
      && Number.isFinite(point.ageHours) && point.ageHours >= 0)
    .sort((a, b) => a.ageHours - b.ageHours)
  const upper = measured.find(point => point.ageHours >= horizonHours)
  if (!upper) {
    const latest = measured.at(-1)
    return { value: null, reason: latest
      ? `Not enough data yet: the latest snapshot is ${formatHours(latest.ageHours)} old; the outcome is read at ${formatHours(horizonHours)}.`
      : `Not enough data yet: no snapshot reaches ${formatHours(horizonHours)} after publishing.` }
  }
  if (upper.ageHours === horizonHours) return { value: upper.value, lowerAgeHours: horizonHours, upperAgeHours: horizonHours }
  const lower = measured.findLast(point => point.ageHours < horizonHours) ?? { ageHours: 0, value: 0 }
  const share = (horizonHours - lower.ageHours) / (upper.ageHours - lower.ageHours)
  return { value: lower.value + share * (upper.value - lower.value), lowerAgeHours: lower.ageHours, upperAgeHours: upper.ageHours }
}

function formatHours(hours: number): string {
  return `${Number(hours.toFixed(1))} h`
}

function points(snapshots: readonly SnapshotNumbers[], field: CountField): SnapshotPoint[] {
  return snapshots.map((snapshot) => {
    const value = snapshot[field]
    return { ageHours: snapshot.ageHours, value: value === null || value === undefined ? null : Number(value) }
  })
}

/** The metric at the horizon, on the log scale the posteriors use. */
export function logOutcome(snapshots: readonly SnapshotNumbers[], metric: OutcomeMetric = VIEWS, horizonHours = DEFAULT_HORIZON_HOURS): LogOutcome {
  const fields = metric.kind === 'count' ? [metric.field] : [metric.numerator, metric.denominator]
  const values: number[] = []
  for (const field of fields) {
    const fieldPoints = points(snapshots, field)
    if (fieldPoints.every(point => point.value === null)) return { value: null, reason: `The platform gave no ${FIELD_NAMES[field]} for this post.` }
    const atHorizon = valueAtHorizon(fieldPoints, horizonHours)
    if (atHorizon.value === null) return atHorizon
    if (atHorizon.value < 0) return { value: null, reason: `The ${FIELD_NAMES[field]} read negative at ${formatHours(horizonHours)}.` }
    values.push(atHorizon.value)
  }
  if (metric.kind === 'count') return { value: Math.log1p(values[0]!), raw: values[0]! }
  const [numerator, denominator] = values as [number, number]
  if (denominator === 0) return { value: null, reason: `No ${FIELD_NAMES[metric.denominator]} at ${formatHours(horizonHours)}, so no ${FIELD_NAMES[metric.numerator]} per ${FIELD_UNITS[metric.denominator]}.` }
  return { value: Math.log((numerator + 1) / (denominator + 1)), raw: numerator / denominator }
}

/** The median of the last ROLLING_WINDOW values (oldest first), once there are ROLLING_MINIMUM. */
export function rollingBaseline(previousLogValues: readonly number[]): Baseline {
  const window = previousLogValues.slice(-ROLLING_WINDOW)
  if (window.length < ROLLING_MINIMUM) {
    return { median: null, reason: `Not enough data yet: the account's usual level needs ${ROLLING_MINIMUM} earlier posts with numbers (it has ${window.length}).` }
  }
  return { median: median(window), count: window.length }
}

export function normalisedOutcome(logValue: number, previousLogValues: readonly number[]): NormalisedOutcome {
  const baseline = rollingBaseline(previousLogValues)
  if (baseline.median === null) return { value: null, reason: baseline.reason }
  return { value: logValue - baseline.median, logValue, baseline: baseline.median, basis: baseline.count }
}

export interface AccountPost<Key> {
  readonly key: Key
  readonly publishedAt: Date
  readonly outcome: LogOutcome
}

/** Every post's normalised outcome, each against the posts of the same account published before it. */
export function normaliseAccount<Key>(posts: readonly AccountPost<Key>[]): Map<Key, NormalisedOutcome> {
  const ordered = [...posts].sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime())
  const previous: number[] = []
  const outcomes = new Map<Key, NormalisedOutcome>()
  for (const post of ordered) {
    if (post.outcome.value === null) {
      outcomes.set(post.key, { value: null, reason: post.outcome.reason })
      continue
    }
    outcomes.set(post.key, normalisedOutcome(post.outcome.value, previous))
    previous.push(post.outcome.value)
  }
  return outcomes
}
