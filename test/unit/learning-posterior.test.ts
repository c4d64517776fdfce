// The posterior of a pattern's score: the Normal–Inverse-Gamma update against values worked by hand, Student-t intervals
// against published quantiles, an incremental update against a rebuild, and the effect against posts without the pattern.
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PRIOR, MODEL_EXPLANATION, modelExplanation, REFERENCE_WEIGHT, addObservation, credibleInterval, effectMarginal, emptyStats, meanMarginal,
  posteriorOf, removeObservation, sampleEffect, sampleMean, statsOf, subtractStats, summarise, summariseEffect,
  type NigPosterior, type Observation,
} from '../../server/services/analytics/posterior'
import { createGenerator } from '../../server/services/analytics/random'

// Student-t quantiles from the tables (t(0.90; 5) and t(0.975; 5)).
const T90_DF5 = 1.475884049
const T975_DF5 = 2.570581836
const posts = (...values: number[]): Observation[] => values.map(value => ({ value, source: 'post' }))

function expectPosterior(actual: NigPosterior, expected: NigPosterior, digits = 12) {
  expect(actual.mu).toBeCloseTo(expected.mu, digits)
  expect(actual.kappa).toBeCloseTo(expected.kappa, digits)
  expect(actual.alpha).toBeCloseTo(expected.alpha, digits)
  expect(actual.beta).toBeCloseTo(expected.beta, digits)
}

describe('the Normal–Inverse-Gamma update', () => {
  it('matches the closed form worked by hand', () => {
    // Prior (0, 1, 1, 1); posts 1, 2, 3: ȳ = 2, Σ(y − ȳ)² = 2. κ = 4, μ = 6/4, α = 1 + 3/2, β = 1 + 2/2 + 1·3·2²/(2·4) = 3.5.
    const posterior = posteriorOf(statsOf(posts(1, 2, 3)), { mu: 0, kappa: 1, alpha: 1, beta: 1 })
    expectPosterior(posterior, { mu: 1.5, kappa: 4, alpha: 2.5, beta: 3.5 })
    // Prior mean 1, κ0 = 2: posts 0 and 4 give ȳ = 2, Σ(y − ȳ)² = 8; β = 1 + 4 + 2·2·1²/(2·4) = 5.5.
    expectPosterior(posteriorOf(statsOf(posts(0, 4)), { mu: 1, kappa: 2, alpha: 2, beta: 1 }), { mu: 1.5, kappa: 4, alpha: 3, beta: 5.5 })
  })

  it('gives the mean a Student-t marginal, and its intervals the t quantiles', () => {
    const posterior = posteriorOf(statsOf(posts(1, 2, 3)), { mu: 0, kappa: 1, alpha: 1, beta: 1 })
    const marginal = meanMarginal(posterior)
    expect(marginal.degreesOfFreedom).toBe(5)
    expect(marginal.location).toBe(1.5)
    expect(marginal.scale).toBeCloseTo(Math.sqrt(3.5 / (2.5 * 4)), 12)
    const interval80 = credibleInterval(marginal, 0.8)
    const interval95 = credibleInterval(marginal, 0.95)
    expect(interval80.lower).toBeCloseTo(1.5 - T90_DF5 * Math.sqrt(0.35), 8)
    expect(interval80.upper).toBeCloseTo(1.5 + T90_DF5 * Math.sqrt(0.35), 8)
    expect(interval95.lower).toBeCloseTo(1.5 - T975_DF5 * Math.sqrt(0.35), 8)
    expect(interval95.upper).toBeCloseTo(1.5 + T975_DF5 * Math.sqrt(0.35), 8)
  })

  it('summarises mean, intervals and n, and with no posts is the prior: centred on the usual post', () => {
    const summary = summarise(statsOf(posts(1, 2, 3)), { mu: 0, kappa: 1, alpha: 1, beta: 1 })
    expect(summary).toMatchObject({ mean: 1.5, n: 3, posts: 3, references: 0, weight: 3 })
    expect(summary.interval80.upper - summary.interval80.lower).toBeCloseTo(2 * 0.873144778, 6)
    const nothing = summarise(emptyStats())
    expect(nothing.posterior).toEqual(DEFAULT_PRIOR)
    expect(nothing).toMatchObject({ mean: 0, n: 0 })
    expect(nothing.interval80.lower).toBeCloseTo(-nothing.interval80.upper, 12)
  })

  it('shrinks a pattern seen on few posts toward the usual post, less as posts accumulate', () => {
    // One lucky post 3 (about 20× the usual views) with κ0 = 4: 3 / 5.
    expect(summarise(statsOf(posts(3))).mean).toBeCloseTo(0.6, 12)
    expect(summarise(statsOf(posts(...Array.from({ length: 36 }, () => 3)))).mean).toBeCloseTo(3 * 36 / 40, 12)
  })

  it('counts a reference video as a quarter of a post, in the mean and in the spread', () => {
    expect(REFERENCE_WEIGHT).toBe(0.25)
    // Prior (0, 1, 1, 1); a post at 2 and a reference at 4: W = 1.25, S = 3, Q = 8; κ = 2.25, μ = 4/3, α = 1.625, β = 1 + (8 − 4)/2.
    const mixed = statsOf([{ value: 2, source: 'post' }, { value: 4, source: 'reference' }])
    expect(mixed).toMatchObject({ posts: 1, references: 1, weight: 1.25, sum: 3, sumSquares: 8 })
    expectPosterior(posteriorOf(mixed, { mu: 0, kappa: 1, alpha: 1, beta: 1 }), { mu: 4 / 3, kappa: 2.25, alpha: 1.625, beta: 3 })
    // Four references at a value weigh exactly what one post at it weighs.
    const fourReferences = statsOf(Array.from({ length: 4 }, () => ({ value: 0.8, source: 'reference' as const })))
    expectPosterior(posteriorOf(fourReferences), posteriorOf(statsOf(posts(0.8))))
    expect(summarise(fourReferences)).toMatchObject({ n: 4, posts: 0, references: 4, weight: 1 })
  })

  it('refuses an outcome that is not a number, and an interval level outside (0, 1)', () => {
    expect(() => addObservation(emptyStats(), { value: Number.NaN, source: 'post' })).toThrow(/finite/)
    expect(() => credibleInterval(meanMarginal(DEFAULT_PRIOR), 1)).toThrow(/between 0 and 1/)
    expect(() => removeObservation(emptyStats(), { value: 1, source: 'reference' })).toThrow(/no reference/)
  })
})

describe('incremental updates and a rebuild', () => {
  const generator = createGenerator(77)
  const observations: Observation[] = Array.from({ length: 300 }, (_, index) => ({
    value: generator.normal(0.3, 1.5),
    source: index % 5 === 0 ? 'reference' : 'post',
  }))

  it('give the same posterior, one observation at a time or all at once, in any order', () => {
    let incremental = emptyStats()
    const seen: Observation[] = []
    for (const observation of observations) {
      incremental = addObservation(incremental, observation)
      seen.push(observation)
      if (seen.length % 50 === 0) expectPosterior(posteriorOf(incremental), posteriorOf(statsOf(seen)))
    }
    expectPosterior(posteriorOf(incremental), posteriorOf(statsOf([...observations].reverse())))
    expect(summarise(incremental).interval95).toEqual(summarise(statsOf(observations)).interval95)
  })

  it('give the same posterior when an outcome is revised: taken out, added again with its new value', () => {
    let stats = statsOf(observations)
    const revised = { ...observations[10]!, value: observations[10]!.value + 0.7 }
    stats = addObservation(removeObservation(stats, observations[10]!), revised)
    expectPosterior(posteriorOf(stats), posteriorOf(statsOf(observations.map((observation, index) => index === 10 ? revised : observation))))
  })

  it('give the posts without a pattern as the account\'s stats minus the pattern\'s', () => {
    const total = statsOf(observations)
    const withPattern = statsOf(observations.slice(0, 120))
    expectPosterior(posteriorOf(subtractStats(total, withPattern)), posteriorOf(statsOf(observations.slice(120))))
    expect(subtractStats(total, total)).toEqual(emptyStats())
  })
})

describe('the effect relative to posts without the pattern', () => {
  it('takes the Welch–Satterthwaite degrees of freedom', () => {
    const a = posteriorOf(statsOf(posts(0.5, 1.5, 2, -0.3, 1.1)))
    const b = posteriorOf(statsOf(posts(-1, 0.2, 0.4, 0.1, -0.6, 1.2, 0.3, -0.2)))
    const [ta, tb] = [meanMarginal(a), meanMarginal(b)]
    const effect = effectMarginal(a, b)
    expect(effect.location).toBeCloseTo(ta.location - tb.location, 12)
    expect(effect.scale).toBeCloseTo(Math.hypot(ta.scale, tb.scale), 12)
    const expectedDf = (ta.scale ** 2 + tb.scale ** 2) ** 2 / (ta.scale ** 4 / ta.degreesOfFreedom + tb.scale ** 4 / tb.degreesOfFreedom)
    expect(effect.degreesOfFreedom).toBeCloseTo(expectedDf, 10)
    // Two equal groups: twice the df of one, as for the pooled two-sample t.
    const same = effectMarginal(a, a)
    expect(same.degreesOfFreedom).toBeCloseTo(2 * ta.degreesOfFreedom, 10)
    expect(same.location).toBe(0)
  })

  it('has intervals close to the exact difference of the two posteriors (drawn)', () => {
    const withStats = statsOf(posts(0.9, -0.4, 2.1, 1.3, 0.2))
    const withoutStats = statsOf(posts(...Array.from({ length: 20 }, (_, index) => Math.sin(index) * 1.4)))
    const summary = summariseEffect(withStats, withoutStats)
    const generator = createGenerator(2026)
    const draws = Array.from({ length: 200_000 }, () => sampleEffect(summary.with.posterior, summary.without.posterior, generator))
      .sort((x, y) => x - y)
    const quantile = (p: number) => draws[Math.floor(p * draws.length)]!
    expect(Math.abs(summary.mean - (draws.reduce((sum, value) => sum + value, 0) / draws.length))).toBeLessThan(0.01)
    for (const [interval, low, high] of [[summary.interval80, 0.1, 0.9], [summary.interval95, 0.025, 0.975]] as const) {
      expect(Math.abs(interval.lower - quantile(low))).toBeLessThan(0.03)
      expect(Math.abs(interval.upper - quantile(high))).toBeLessThan(0.03)
    }
    expect(summary.with.n).toBe(5)
    expect(summary.without.n).toBe(20)
  })

  it('draws the mean with the spread of its Student-t marginal, and `spread` 0 draws the mean itself', () => {
    const posterior = posteriorOf(statsOf(posts(0.4, 1.2, -0.5, 0.9, 0.3, 1.8)))
    const marginal = meanMarginal(posterior)
    const generator = createGenerator(9)
    const draws = Array.from({ length: 100_000 }, () => sampleMean(posterior, generator))
    const average = draws.reduce((sum, value) => sum + value, 0) / draws.length
    const variance = draws.reduce((sum, value) => sum + (value - average) ** 2, 0) / draws.length
    expect(average).toBeCloseTo(marginal.location, 2)
    const tVariance = marginal.scale ** 2 * marginal.degreesOfFreedom / (marginal.degreesOfFreedom - 2)
    expect(variance / tVariance).toBeGreaterThan(0.97)
    expect(variance / tVariance).toBeLessThan(1.03)
    expect(sampleMean(posterior, generator, 0)).toBe(posterior.mu)
  })
})

it('explains the model in one paragraph, from the constants in use', () => {
  expect(MODEL_EXPLANATION).toMatch(/views at 48 hours minus the median of your previous 30 posts/)
  expect(MODEL_EXPLANATION).toMatch(/counts as four posts/)
  expect(MODEL_EXPLANATION).toMatch(/counts as a quarter of one of your own posts/)
  expect(MODEL_EXPLANATION).not.toMatch(/\n/)
  expect(MODEL_EXPLANATION).toMatch(/about twice the views\./)
})

it('words the workspace\'s metric and horizon in the model paragraph', () => {
  const text = modelExplanation({ outcomeMetric: 'saves_per_view', outcomeHorizonHours: 168 })
  expect(text).toMatch(/the log of a post's saves per view at 168 hours minus the median of your previous 30 posts/)
  expect(text).toMatch(/about twice the saves per view\./)
  expect(text).not.toMatch(/views at 48 hours/)
})
