import { z } from 'zod'
import { platforms, type PlatformKey } from './recipe'
import type { PosteriorFigures } from './decisions'
import { formatMultiple } from './references'

// The strategy: pillars, a cadence per platform, hooks to test, an experiment plan, and claims that each cite a
// pattern. The model writes the words; every figure a person sees beside them is read from our rows
// (server/services/strategy/), never from the model's text.

export const strategyMetrics = ['views_per_follower', 'views', 'likes', 'comments', 'shares', 'saves'] as const
export type StrategyMetric = typeof strategyMetrics[number]

export const strategyMetricLabels: Record<StrategyMetric, string> = {
  views_per_follower: 'views per follower',
  views: 'views',
  likes: 'likes',
  comments: 'comments',
  shares: 'shares',
  saves: 'saves',
}

/** What a person asks for: the workspace's provider, or the local generator when a paid provider failed. */
export const generateStrategySchema = z.object({
  useLocal: z.boolean().default(false),
})

export const strategyStatusSchema = z.object({
  status: z.enum(['active', 'archived']),
})

export const compareQuerySchema = z.object({
  from: z.uuid('Pick the older version to compare.'),
  to: z.uuid('Pick the newer version to compare.'),
})

/** Who made a strategy; the page names the provider and model, and says when the answer came from the cache. */
export interface StrategyProvenance {
  provider: 'local' | 'openai' | 'gemini'
  model: string
  promptVersion: string
  aiCallId: string
  cacheHit: boolean
  at: string
}

export interface EvidenceVideo { id: string, title: string }

/**
 * One pattern's evidence, computed by our code from the workspace's rows when the strategy was made: the videos that
 * show it, and the reference performance of the videos with it against those without.
 */
export interface PatternEvidenceFigures {
  key: string
  label: string
  kind: string
  /** Videos in the library that show the pattern. */
  videoCount: number
  /** Videos with reference numbers, with the pattern and without it. */
  n: { with: number, without: number }
  /** What `with` and `without` measure, in words. */
  measure: string
  /** Mean reference scores (natural log of views per follower against the platform's usual; 0 is usual), null for an empty group. */
  with: number | null
  without: number | null
  /** Fewer than three scored videos on a side: a hint, not a finding. */
  weak: boolean
  videos: EvidenceVideo[]
  /** The learning loop's posterior of the outcome with it (the workspace's posts, references at a quarter), when any
   *  post or scored reference shows it; its role says whether the strategy leans on it as the best of its family. */
  posterior?: PosteriorFigures
}

export interface StrategyPillar { name: string, description: string, patternKeys: string[] }
export interface StrategyCadence { platform: PlatformKey, postsPerWeek: number, rationale: string }
export interface StrategyHook { line: string, patternKey: string }
export interface StrategyExperiment {
  name: string
  patternKey: string
  /** The pattern it is tested against; null: against its absence. */
  againstKey: string | null
  metric: StrategyMetric
  postsEach: number
  rationale: string
}
export interface StrategyClaim { text: string, patternKey: string, videos: EvidenceVideo[] }

export interface StrategyContent {
  summary: string
  pillars: StrategyPillar[]
  cadence: StrategyCadence[]
  hooks: StrategyHook[]
  experiments: StrategyExperiment[]
  claims: StrategyClaim[]
}

/** What the checks removed from the model's answer, so the page can say so. */
export interface StrategyDropped {
  /** Pattern keys the model cited that the workspace does not have. */
  unknownPatternKeys: string[]
  /** Video ids the model cited that are not in the workspace. */
  unknownVideoIds: string[]
  /** How many claims, hooks and experiments went with them. */
  claims: number
  hooks: number
  experiments: number
  /** Figures (numbers, percentages, multipliers) taken out of the model's prose. */
  figuresRemoved: number
}

export interface StrategyBasis {
  /** Every cited pattern's evidence, by key. */
  patterns: PatternEvidenceFigures[]
  /** How the patterns were ranked ("reference performance" until the workspace's own posts have metrics). */
  rankedBy: string
  computedAt: string
  dropped: StrategyDropped
  /** How the pillars' patterns were drawn (Thompson sampling over the posteriors); absent before any outcome. */
  decisions?: StrategyDecisions
}

export interface StrategyDecisions {
  /** The workspace's exploration when the strategy was made. */
  exploration: number
  /** "2 of 3 pillar patterns exploit the best of their family so far; 1 tests another." */
  sentence: string
  /** Each pillar pattern with a posterior: exploited (the best of its family by posterior mean) or explored. */
  patterns: { key: string, role: 'exploit' | 'explore' }[]
}

export type StrategyStatus = 'draft' | 'active' | 'archived'

export interface StrategySummary {
  id: string
  version: number
  title: string
  status: StrategyStatus
  createdAt: string
  createdBy: string | null
  provenance: StrategyProvenance | null
}

export interface StrategyDetail extends StrategySummary {
  content: StrategyContent
  basis: StrategyBasis
}

/** What a strategy needs before it says anything worth reading; the empty state names what is missing. */
export interface StrategyReadiness {
  brandSaved: boolean
  analysedVideos: number
  videosWithNumbers: number
  patterns: number
}

/** Why the last generation failed, in plain words, and whether the local generator can stand in. */
export interface StrategyFailure {
  jobId: string
  message: string
  /** budget, blocked, rate_limited, unavailable, auth, malformed… (generate()'s reasons); null for anything else. */
  reason: string | null
  localAvailable: boolean
  at: string
}

export interface StrategyList {
  strategies: StrategySummary[]
  activeId: string | null
  /** The active version in full, so the page draws it in one request (and on the server). */
  active: StrategyDetail | null
  /** A generation waiting or running, for <JobProgress>. */
  pendingJobId: string | null
  /** The last generation, when it failed after the newest strategy was made. */
  lastFailure: StrategyFailure | null
  /** The workspace's provider and model now; a paid one can fall back to the local generator. */
  provider: { name: 'local' | 'openai' | 'gemini', model: string }
  readiness: StrategyReadiness
}

export interface StrategyQueued { jobId: string, alreadyRunning: boolean }

export interface ListChange<T> { added: T[], removed: T[], kept: T[] }

export interface StrategyComparison {
  from: StrategyDetail
  to: StrategyDetail
  changes: {
    pillars: ListChange<string>
    cadence: { platform: PlatformKey, from: number | null, to: number | null }[]
    hooks: ListChange<string>
    experiments: ListChange<string>
    patterns: ListChange<string>
  }
}

function listChange<T>(before: T[], after: T[]): ListChange<T> {
  return {
    added: after.filter(item => !before.includes(item)),
    removed: before.filter(item => !after.includes(item)),
    kept: after.filter(item => before.includes(item)),
  }
}

/** One line per experiment, so two versions' plans compare as text. */
export function experimentLine(experiment: Pick<StrategyExperiment, 'patternKey' | 'againstKey' | 'metric'>): string {
  return `${experiment.patternKey} vs ${experiment.againstKey ?? 'without it'} on ${strategyMetricLabels[experiment.metric]}`
}

/** What changed from one version to the other: pillars, cadence, hooks, experiments and the patterns cited. */
export function compareStrategies(from: StrategyDetail, to: StrategyDetail): StrategyComparison['changes'] {
  const cadencePlatforms = platforms.filter(platform => [...from.content.cadence, ...to.content.cadence].some(line => line.platform === platform))
  const postsOf = (strategy: StrategyDetail, platform: PlatformKey) => strategy.content.cadence.find(line => line.platform === platform)?.postsPerWeek ?? null
  return {
    pillars: listChange(from.content.pillars.map(pillar => pillar.name), to.content.pillars.map(pillar => pillar.name)),
    cadence: cadencePlatforms.map(platform => ({ platform, from: postsOf(from, platform), to: postsOf(to, platform) })),
    hooks: listChange(from.content.hooks.map(hook => hook.line), to.content.hooks.map(hook => hook.line)),
    experiments: listChange(from.content.experiments.map(experimentLine), to.content.experiments.map(experimentLine)),
    patterns: listChange(from.basis.patterns.map(pattern => pattern.key), to.basis.patterns.map(pattern => pattern.key)),
  }
}

/** A mean reference score as a multiple of the usual views per follower ("×1.6", "×0.35"), as the Patterns page shows it. */
export function formatFigure(score: number | null): string {
  return score === null ? '–' : formatMultiple(score)
}
