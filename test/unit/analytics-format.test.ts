// How the Analytics page words its numbers: log effects with the multiple a creator reads, intervals, n, the shared
// scale of interval bars, and horizons.
import { expect, it } from 'vitest'
import { formatEffect, formatEvidenceCount, formatHorizon, formatInterval, intervalDomain } from '../../utils/analyticsFormat'

it('writes a log effect with its multiple, and an interval as multiples', () => {
  expect(formatEffect(Math.log(2))).toBe('+0.69 (×2.0)')
  expect(formatEffect(-Math.log(2))).toBe('−0.69 (×0.5)')
  expect(formatInterval({ lower: Math.log(0.61), upper: Math.log(2.3) })).toBe('×0.61 to ×2.3')
})

it('counts posts and references', () => {
  const posterior = { mean: 0, interval80: { lower: 0, upper: 0 }, interval95: { lower: 0, upper: 0 } }
  expect(formatEvidenceCount({ ...posterior, posts: 1, references: 0 })).toBe('1 post')
  expect(formatEvidenceCount({ ...posterior, posts: 6, references: 4 })).toBe('6 posts + 4 references')
})

it('puts every bar and 0 on one scale, never narrower than ±0.5', () => {
  const narrow = intervalDomain([{ lower: 0.1, upper: 0.2 }])
  expect(narrow.min).toBeLessThan(-0.5)
  expect(narrow.max).toBeGreaterThan(0.5)
  const wide = intervalDomain([{ lower: -2, upper: 0.3 }, { lower: 0.5, upper: 3 }])
  expect(wide.min).toBeLessThan(-2)
  expect(wide.max).toBeGreaterThan(3)
})

it('names horizons in hours up to two days, then in days', () => {
  expect(formatHorizon(24)).toBe('24 h')
  expect(formatHorizon(48)).toBe('48 h')
  expect(formatHorizon(72)).toBe('3 days')
  expect(formatHorizon(168)).toBe('7 days')
})
