// The posterior of a pattern's score: a Normal–Inverse-Gamma (NIG) model over the normalised outcome of posts
// (outcome.ts: log views at 48 h minus the account's rolling median, so 0 is "like the account's usual post").
// Pure maths: no database, no H3. The lead's wiring keeps one SufficientStats per (account, pattern) and per account.
//
// Model. Outcomes y of posts with a pattern are Normal(μ, σ²); μ | σ² ~ Normal(μ0, σ²/κ0); σ² ~ InverseGamma(α0, β0).
// An observation of weight w counts as w of an observation (its likelihood raised to w: a "fractional" or power
// likelihood), so a reference video at 0.25 moves the mean and the spread as a quarter of one of our own posts. Then
// the posterior depends on the data only through W = Σw, S = Σw·y, Q = Σw·y² (kept in SufficientStats), and:
//   κ = κ0 + W,  μ = (κ0·μ0 + S) / κ,  α = α0 + W/2,  β = β0 + ½·(Q + κ0·μ0² − κ·μ²)
// (the last is the usual β0 + ½·Σw(y − ȳ)² + κ0·W·(ȳ − μ0)² / (2κ), rearranged so that W = 0 needs no special case).
// The mean μ's marginal is Student-t with 2α degrees of freedom, location μ, scale √(β / (α·κ)).
// Adding observations one at a time (addObservation) and rebuilding from all of them (statsOf) sum the same numbers,
// so both give the same posterior (a test); removeObservation takes a revised outcome back out before its new value.
//
// "Relative to posts without it": a pattern's effect is μ(with) − μ(without), each group its own NIG posterior from
// its own stats (without = the account's stats minus the pattern's: subtractStats). The two marginals are independent
// Student-t's; their difference (the Behrens–Fisher distribution) has no closed form, so the intervals use the
// Welch–Satterthwaite approximation: a Student-t with scale √(s1² + s2²) and df (s1² + s2²)² / (s1⁴/ν1 + s2⁴/ν2),
// matching the two moments that matter (exact when one group's spread vanishes, and within a few per cent of the
// exact quantiles for the df we see, ≥ 6: a test checks it against draws). sampleEffect draws the exact difference.
//
// Interface:
//   emptyStats(), addObservation(stats, observation), removeObservation(stats, observation), statsOf(observations),
//   combineStats(a, b), subtractStats(total, part)                                  → SufficientStats
//   posteriorOf(stats, prior = DEFAULT_PRIOR)                                        → NigPosterior
//   meanMarginal(posterior), effectMarginal(withPosterior, withoutPosterior)         → StudentT
//   credibleInterval(studentT, level)                                                → Interval
//   summarise(stats, prior?)                                                         → PosteriorSummary (mean, 80/95%, n)
//   summariseEffect(withStats, withoutStats, prior?)                                 → EffectSummary
//   sampleMean(posterior, generator, spread = 1), sampleEffect(withPosterior, withoutPosterior, generator)
//   modelExplanation(settings), MODEL_EXPLANATION (the defaults): the paragraph the analytics page shows.
import tQuantile from '@stdlib/stats-base-dists-t-quantile'
import { DEFAULT_HORIZON_HOURS, ROLLING_WINDOW } from './outcome'
import type { Generator } from './random'
import type { OutcomeMetricKey } from '#shared/analytics'

// ── The prior, and why ──
// The outcome is already relative to the account's usual post, so "no evidence" means "like the usual post": μ0 = 0.
// Public short-video data puts the spread of one account's posts around its usual level at about 1.5 in log views
// (a post doing 4–5× better or worse than usual is common). α0 = 3, β0 = 4.5 give σ² a prior mean of β0 / (α0 − 1) = 2.25
// = 1.5², weighing as 2·α0 = 6 posts' worth of spread: a pattern seen on two posts that happened to agree does not get a
// narrow interval, and after 20 posts the account's own spread dominates. κ0 = 4 counts the prior mean as four usual
// posts, so μ's prior spread is σ/√κ0 ≈ 0.75 in log views: published pattern effects are 0.1–0.6, and this keeps effects
// of that size and somewhat beyond plausible while one lucky post (y = 3, about 20× usual) moves a new pattern's mean
// to 0.6, not to 3. With 25 posts a pattern keeps 25/29 of its own average.
export const PRIOR_MEAN = 0
export const PRIOR_KAPPA = 4
export const PRIOR_ALPHA = 3
export const PRIOR_BETA = 4.5

export interface NigPrior {
  readonly mu: number
  readonly kappa: number
  readonly alpha: number
  readonly beta: number
}
export type NigPosterior = NigPrior

export const DEFAULT_PRIOR: NigPrior = { mu: PRIOR_MEAN, kappa: PRIOR_KAPPA, alpha: PRIOR_ALPHA, beta: PRIOR_BETA }

// ── Observation weights ──
// A reference video (another creator's post, scored against the workspace's references) is evidence about a pattern
// at a discount: it carries the within-account noise (σ ≈ 1.5) plus the difference between that creator's audience and
// ours, whose spread is the cross-sectional SD of log(views/followers), about 2.6. Weighting each source by its
// precision relative to our own posts gives σ² / (σ² + 2.6²) = 2.25 / 9.01 ≈ 0.25: four references count as one post.
// So references steer a new account and fade as its own posts arrive.
export const REFERENCE_WEIGHT = 0.25
export const SOURCE_WEIGHTS = { post: 1, reference: REFERENCE_WEIGHT } as const
export type OutcomeSource = keyof typeof SOURCE_WEIGHTS

export interface Observation {
  /** The normalised outcome (outcome.ts). */
  readonly value: number
  readonly source: OutcomeSource
}

export interface SufficientStats {
  readonly posts: number
  readonly references: number
  /** Σ w */
  readonly weight: number
  /** Σ w·y */
  readonly sum: number
  /** Σ w·y² */
  readonly sumSquares: number
}

export interface StudentT {
  readonly degreesOfFreedom: number
  readonly location: number
  readonly scale: number
}

export interface Interval {
  readonly lower: number
  readonly upper: number
}

export interface PosteriorSummary {
  readonly mean: number
  readonly interval80: Interval
  readonly interval95: Interval
  /** Observations behind it (posts + references), and the posts alone. */
  readonly n: number
  readonly posts: number
  readonly references: number
  /** Σ w: what the observations weigh, in posts. */
  readonly weight: number
  readonly posterior: NigPosterior
}

export interface EffectSummary {
  readonly mean: number
  readonly interval80: Interval
  readonly interval95: Interval
  readonly degreesOfFreedom: number
  readonly with: PosteriorSummary
  readonly without: PosteriorSummary
}

export function emptyStats(): SufficientStats {
  return { posts: 0, references: 0, weight: 0, sum: 0, sumSquares: 0 }
}

function assertFinite(value: number) {
  if (!Number.isFinite(value)) throw new RangeError(`An outcome must be a finite number (got ${value}).`)
}

export function addObservation(stats: SufficientStats, observation: Observation): SufficientStats {
  assertFinite(observation.value)
  const weight = SOURCE_WEIGHTS[observation.source]
  return {
    posts: stats.posts + (observation.source === 'post' ? 1 : 0),
    references: stats.references + (observation.source === 'reference' ? 1 : 0),
    weight: stats.weight + weight,
    sum: stats.sum + weight * observation.value,
    sumSquares: stats.sumSquares + weight * observation.value * observation.value,
  }
}

/** Takes back an observation added before (its outcome was revised, or its post deleted). */
export function removeObservation(stats: SufficientStats, observation: Observation): SufficientStats {
  assertFinite(observation.value)
  const count = observation.source === 'post' ? stats.posts : stats.references
  if (count < 1) throw new RangeError(`There is no ${observation.source} observation to remove.`)
  const weight = SOURCE_WEIGHTS[observation.source]
  return clampEmpty({
    posts: stats.posts - (observation.source === 'post' ? 1 : 0),
    references: stats.references - (observation.source === 'reference' ? 1 : 0),
    weight: stats.weight - weight,
    sum: stats.sum - weight * observation.value,
    sumSquares: stats.sumSquares - weight * observation.value * observation.value,
  })
}

export function statsOf(observations: Iterable<Observation>): SufficientStats {
  let stats = emptyStats()
  for (const observation of observations) stats = addObservation(stats, observation)
  return stats
}

export function combineStats(a: SufficientStats, b: SufficientStats): SufficientStats {
  return {
    posts: a.posts + b.posts,
    references: a.references + b.references,
    weight: a.weight + b.weight,
    sum: a.sum + b.sum,
    sumSquares: a.sumSquares + b.sumSquares,
  }
}

/** The stats of `total` without those of `part` (e.g. the account's posts without a pattern). */
export function subtractStats(total: SufficientStats, part: SufficientStats): SufficientStats {
  if (part.posts > total.posts || part.references > total.references) throw new RangeError('The part holds observations the total does not.')
  return clampEmpty({
    posts: total.posts - part.posts,
    references: total.references - part.references,
    weight: total.weight - part.weight,
    sum: total.sum - part.sum,
    sumSquares: total.sumSquares - part.sumSquares,
  })
}

// Subtraction leaves rounding dust (1e-16) where nothing is left; an empty group must read as exactly the prior.
function clampEmpty(stats: SufficientStats): SufficientStats {
  return stats.posts === 0 && stats.references === 0 ? emptyStats() : stats
}

export function posteriorOf(stats: SufficientStats, prior: NigPrior = DEFAULT_PRIOR): NigPosterior {
  const kappa = prior.kappa + stats.weight
  const mu = (prior.kappa * prior.mu + stats.sum) / kappa
  const alpha = prior.alpha + stats.weight / 2
  // Q + κ0·μ0² − κ·μ² is a weighted sum of squares, never negative; rounding may take it a hair below 0.
  const spread = Math.max(0, stats.sumSquares + prior.kappa * prior.mu * prior.mu - kappa * mu * mu)
  return { mu, kappa, alpha, beta: prior.beta + spread / 2 }
}

/** The marginal posterior of the mean μ. */
export function meanMarginal(posterior: NigPosterior): StudentT {
  return {
    degreesOfFreedom: 2 * posterior.alpha,
    location: posterior.mu,
    scale: Math.sqrt(posterior.beta / (posterior.alpha * posterior.kappa)),
  }
}

/** μ(with) − μ(without) as one Student-t, by Welch–Satterthwaite (see the header). */
export function effectMarginal(withPosterior: NigPosterior, withoutPosterior: NigPosterior): StudentT {
  const a = meanMarginal(withPosterior)
  const b = meanMarginal(withoutPosterior)
  const varianceA = a.scale * a.scale
  const varianceB = b.scale * b.scale
  const total = varianceA + varianceB
  return {
    degreesOfFreedom: total * total / (varianceA * varianceA / a.degreesOfFreedom + varianceB * varianceB / b.degreesOfFreedom),
    location: a.location - b.location,
    scale: Math.sqrt(total),
  }
}

/** The central interval holding `level` (e.g. 0.8) of the distribution's mass. */
export function credibleInterval(distribution: StudentT, level: number): Interval {
  if (!(level > 0 && level < 1)) throw new RangeError(`A credible level lies strictly between 0 and 1 (got ${level}).`)
  const half = tQuantile(0.5 + level / 2, distribution.degreesOfFreedom) * distribution.scale
  return { lower: distribution.location - half, upper: distribution.location + half }
}

export function summarise(stats: SufficientStats, prior: NigPrior = DEFAULT_PRIOR): PosteriorSummary {
  const posterior = posteriorOf(stats, prior)
  const marginal = meanMarginal(posterior)
  return {
    mean: marginal.location,
    interval80: credibleInterval(marginal, 0.8),
    interval95: credibleInterval(marginal, 0.95),
    n: stats.posts + stats.references,
    posts: stats.posts,
    references: stats.references,
    weight: stats.weight,
    posterior,
  }
}

export function summariseEffect(withStats: SufficientStats, withoutStats: SufficientStats, prior: NigPrior = DEFAULT_PRIOR): EffectSummary {
  const withSummary = summarise(withStats, prior)
  const withoutSummary = summarise(withoutStats, prior)
  const marginal = effectMarginal(withSummary.posterior, withoutSummary.posterior)
  return {
    mean: marginal.location,
    interval80: credibleInterval(marginal, 0.8),
    interval95: credibleInterval(marginal, 0.95),
    degreesOfFreedom: marginal.degreesOfFreedom,
    with: withSummary,
    without: withoutSummary,
  }
}

/**
 * One draw of the mean μ: σ² from its inverse-gamma (1 / Gamma(α, rate β)), then μ from Normal(μ_n, σ²/κ).
 * `spread` scales the draw's distance from the posterior mean (1: the posterior itself; 0: the mean, no exploration).
 */
export function sampleMean(posterior: NigPosterior, generator: Generator, spread = 1): number {
  const variance = 1 / generator.gamma(posterior.alpha, posterior.beta)
  const draw = generator.normal(posterior.mu, Math.sqrt(variance / posterior.kappa))
  return posterior.mu + spread * (draw - posterior.mu)
}

/** One draw of the effect μ(with) − μ(without), exact under the two independent posteriors. */
export function sampleEffect(withPosterior: NigPosterior, withoutPosterior: NigPosterior, generator: Generator): number {
  return sampleMean(withPosterior, generator) - sampleMean(withoutPosterior, generator)
}

// Written from the constants and the workspace's settings, so the page never describes a model other than the one that ran.
const PRIOR_POSTS_WORDS: Record<number, string> = { 1: 'one post', 2: 'two posts', 3: 'three posts', 4: 'four posts', 5: 'five posts', 6: 'six posts' }
const REFERENCE_WORDS: Record<number, string> = { 0.25: 'a quarter of', 0.5: 'half of' }
// What the outcome measures, as the paragraph's sentence says it ("the log of a post's …"), and what +0.7 doubles.
const METRIC_WORDS: Record<OutcomeMetricKey, { value: string, doubled: string }> = {
  views: { value: 'views', doubled: 'the views' },
  saves_per_view: { value: 'saves per view', doubled: 'the saves per view' },
  shares_per_view: { value: 'shares per view', doubled: 'the shares per view' },
  likes_per_view: { value: 'likes per view', doubled: 'the likes per view' },
  comments_per_view: { value: 'comments per view', doubled: 'the comments per view' },
  watch_time_per_view: { value: 'watch time per view', doubled: 'the watch time per view' },
}

/** The paragraph the analytics page shows, for the workspace's outcome metric and horizon. */
export function modelExplanation(settings: { outcomeMetric: OutcomeMetricKey, outcomeHorizonHours: number }): string {
  const metric = METRIC_WORDS[settings.outcomeMetric] ?? METRIC_WORDS.views
  return 'Each pattern\'s score is the typical result of your posts that use it, measured against your own usual '
    + `post: the log of a post's ${metric.value} at ${settings.outcomeHorizonHours} hours minus the median of your previous ${ROLLING_WINDOW} posts, so 0 means `
    + `"like your usual post" and +0.7 means about twice ${metric.doubled}. Before there is any evidence we assume a pattern does as well as your `
    + 'usual post, and that single posts swing a lot (typically 4 to 5 times up or down, as public short-video data shows); that starting '
    + `assumption counts as ${PRIOR_POSTS_WORDS[PRIOR_KAPPA] ?? `${PRIOR_KAPPA} posts`}, so a pattern seen once or twice stays near 0 and one with many `
    + 'posts follows your own numbers. The model is a Normal–Inverse-Gamma posterior, updated exactly with every post. A reference video '
    + `from another creator counts as ${REFERENCE_WORDS[REFERENCE_WEIGHT] ?? `${REFERENCE_WEIGHT} of`} one of your own posts. A bar shows where the `
    + 'pattern\'s true score lies with 80% (thick) and 95% (thin) probability, with n, the number of posts behind it; its effect is its '
    + 'score minus the score of your posts without it. When the bars are wide or cross 0, the data is too thin to say.'
}

export const MODEL_EXPLANATION = modelExplanation({ outcomeMetric: 'views', outcomeHorizonHours: DEFAULT_HORIZON_HOURS })
