// A post's outcome: views at 48 h read between the snapshots that bracket it, "not enough data" rather than a guess,
// other metrics and ratios, and the rolling median of the account's previous posts that makes it comparable.
import { describe, expect, it } from 'vitest'
import {
  ROLLING_MINIMUM, ROLLING_WINDOW, logOutcome, normaliseAccount, normalisedOutcome, rollingBaseline, valueAtHorizon,
} from '../../server/services/analytics/outcome'

describe('the value at the horizon', () => {
  it('is linear in time between the two snapshots around 48 h', () => {
    expect(valueAtHorizon([{ ageHours: 1, value: 40 }, { ageHours: 24, value: 1000 }, { ageHours: 72, value: 3000 }]))
      .toEqual({ value: 2000, lowerAgeHours: 24, upperAgeHours: 72 })
    // Pulls land late and out of order; a missing number is skipped, not read as 0.
    expect(valueAtHorizon([{ ageHours: 72.2, value: 3100 }, { ageHours: 30, value: null }, { ageHours: 24.1, value: 1000 }]).value)
      .toBeCloseTo(1000 + (48 - 24.1) / (72.2 - 24.1) * 2100, 10)
  })

  it('counts the moment of publishing as (0 h, 0 views), and takes a snapshot at the horizon as it is', () => {
    expect(valueAtHorizon([{ ageHours: 72, value: 3000 }])).toEqual({ value: 2000, lowerAgeHours: 0, upperAgeHours: 72 })
    expect(valueAtHorizon([{ ageHours: 24, value: 900 }, { ageHours: 48, value: 1500 }, { ageHours: 72, value: 3000 }]))
      .toEqual({ value: 1500, lowerAgeHours: 48, upperAgeHours: 48 })
  })

  it('is not enough data, never a guess, until a snapshot reaches the horizon', () => {
    expect(valueAtHorizon([{ ageHours: 1, value: 40 }, { ageHours: 24, value: 1000 }]))
      .toEqual({ value: null, reason: 'Not enough data yet: the latest snapshot is 24 h old; the outcome is read at 48 h.' })
    expect(valueAtHorizon([])).toEqual({ value: null, reason: 'Not enough data yet: no snapshot reaches 48 h after publishing.' })
    expect(valueAtHorizon([{ ageHours: 72, value: null }]).value).toBeNull()
  })

  it('reads at another horizon when asked', () => {
    expect(valueAtHorizon([{ ageHours: 6, value: 600 }, { ageHours: 24, value: 1500 }], 12).value).toBeCloseTo(900, 10)
    expect(valueAtHorizon([{ ageHours: 24, value: 1500 }], 72).value).toBeNull()
    expect(() => valueAtHorizon([], 0)).toThrow(/positive/)
  })
})

describe('the metric on the log scale', () => {
  const snapshots = [
    { ageHours: 24, views: 1000n, saves: 10, likes: null },
    { ageHours: 72, views: 3000n, saves: 50, likes: null },
  ]

  it('reads views as log(1 + views), from the database\'s BigInt', () => {
    expect(logOutcome(snapshots)).toEqual({ value: Math.log1p(2000), raw: 2000 })
  })

  it('reads a ratio of two counts, each at the horizon: saves per view', () => {
    expect(logOutcome(snapshots, { kind: 'ratio', numerator: 'saves', denominator: 'views' }))
      .toEqual({ value: Math.log(31 / 2001), raw: 30 / 2000 })
    expect(logOutcome([{ ageHours: 72, views: 0, saves: 0 }], { kind: 'ratio', numerator: 'saves', denominator: 'views' }))
      .toEqual({ value: null, reason: 'No views at 48 h, so no saves per view.' })
  })

  it('says so when the platform gives no such number, or the horizon is not reached', () => {
    expect(logOutcome(snapshots, { kind: 'count', field: 'likes' })).toEqual({ value: null, reason: 'The platform gave no likes for this post.' })
    expect(logOutcome(snapshots, { kind: 'count', field: 'views' }, 96).value).toBeNull()
  })
})

describe('the rolling median of the account\'s previous posts', () => {
  it('needs three earlier posts with numbers', () => {
    expect(ROLLING_MINIMUM).toBe(3)
    expect(rollingBaseline([5, 6])).toEqual({ median: null, reason: 'Not enough data yet: the account\'s usual level needs 3 earlier posts with numbers (it has 2).' })
    expect(normalisedOutcome(7, [5, 6])).toEqual({ value: null, reason: expect.stringMatching(/needs 3 earlier posts/) })
    expect(normalisedOutcome(7, [5, 9, 6])).toEqual({ value: 1, logValue: 7, baseline: 6, basis: 3 })
  })

  it('looks at the last 30 only, and is a median: one viral post does not move it', () => {
    expect(ROLLING_WINDOW).toBe(30)
    const old = [20, 20, 20, 20, 20]
    const recent = Array.from({ length: 30 }, (_, index) => 5 + (index % 3))
    expect(rollingBaseline([...old, ...recent])).toEqual({ median: 6, count: 30 })
    expect(rollingBaseline([...recent.slice(1), 40])).toEqual({ median: 6, count: 30 })
  })

  it('normalises an account\'s posts in publishing order; a post without numbers gets its reason and stays out of the median', () => {
    const day = (n: number) => new Date(Date.UTC(2026, 10, n, 18))
    const outcomes = normaliseAccount([
      { key: 'e', publishedAt: day(5), outcome: { value: 8, raw: 2980 } },
      { key: 'a', publishedAt: day(1), outcome: { value: 6, raw: 402 } },
      { key: 'c', publishedAt: day(3), outcome: { value: null, reason: 'Not enough data yet: no snapshot reaches 48 h after publishing.' } },
      { key: 'b', publishedAt: day(2), outcome: { value: 7, raw: 1096 } },
      { key: 'd', publishedAt: day(4), outcome: { value: 5, raw: 147 } },
      { key: 'f', publishedAt: day(6), outcome: { value: 4, raw: 54 } },
    ])
    expect(outcomes.get('a')).toMatchObject({ value: null })
    expect(outcomes.get('b')).toMatchObject({ value: null })
    expect(outcomes.get('c')).toEqual({ value: null, reason: 'Not enough data yet: no snapshot reaches 48 h after publishing.' })
    expect(outcomes.get('d')).toMatchObject({ value: null, reason: expect.stringMatching(/it has 2/) })
    // e against a, b, d (6, 7, 5): median 6. f against 6, 7, 5, 8: median 6.5.
    expect(outcomes.get('e')).toEqual({ value: 2, logValue: 8, baseline: 6, basis: 3 })
    expect(outcomes.get('f')).toEqual({ value: -2.5, logValue: 4, baseline: 6.5, basis: 4 })
  })
})
