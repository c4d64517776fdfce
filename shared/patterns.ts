import type { AiProviderName } from './ai'
import type { VideoKind } from './library'
import { formatMultiple } from './references'

// The Patterns page and its route: every pattern bucket of the workspace with the videos that show it, where each
// piece of evidence came from (measured by the analysis, or read by an AI model), and how the reference videos with
// it performed against those without, computed from our rows only (server/services/patterns/patterns.ts).

export type PatternEvidenceSource = 'analysis' | 'semantic'

/** Who read a video when the evidence is semantic: the provider and model of its VideoReading. */
export interface EvidenceReading {
  provider: AiProviderName
  model: string
  promptVersion: string
  at: string
}

export interface PatternVideo {
  id: string
  title: string
  kind: VideoKind
  source: PatternEvidenceSource
  /** The value that put the video in the bucket (e.g. { firstCutSeconds: 0.9 }), and the note that says it. */
  value: Record<string, unknown> | null
  note: string | null
  reading: EvidenceReading | null
  /** The video's normalised reference score (references with numbers only). */
  score: number | null
}

export interface PatternGroup {
  /** Scored reference videos in the group. */
  n: number
  /** Their mean normalised score (natural log units; 0 is the platform median), null for an empty group. */
  mean: number | null
}

export interface PatternPerformance {
  with: PatternGroup
  /** Scored references examined the same way (analysed, or read) that do not show the pattern. */
  without: PatternGroup
  /** with.mean − without.mean, null when a group is empty. */
  difference: number | null
  /** True when either group has fewer than WEAK_BELOW videos: the figure is a hint, not a finding. */
  weak: boolean
}

export interface PatternSummary {
  id: string
  key: string
  kind: string
  label: string
  /** Videos (references and footage) that show it. */
  n: number
  sources: PatternEvidenceSource[]
  videos: PatternVideo[]
  performance: PatternPerformance
}

export interface PatternsView {
  /** What orders the list: the references' public numbers, until the workspace's own posts have metrics. */
  rankedBy: 'reference-performance'
  /** Reference videos whose numbers give a score. */
  scoredReferences: number
  patterns: PatternSummary[]
}

export const WEAK_BELOW = 3

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`

/** The plain-language line of a pattern: how the references with it did against those without. */
export function patternSentence(pattern: Pick<PatternSummary, 'label' | 'performance'>): string {
  const { with: having, without, difference } = pattern.performance
  const name = `“${pattern.label}”`
  if (having.mean === null) return `No reference video with ${name} has numbers yet: add views and followers to rank it.`
  if (without.mean === null || difference === null) return `Every scored reference that was examined has ${name} (n = ${having.n}): there is nothing to compare it with yet.`
  return `Videos with ${name} reach ${formatMultiple(having.mean)} the usual views per follower on their platform; those without, ${formatMultiple(without.mean)} (mean score ${signed(having.mean)} vs ${signed(without.mean)}, n = ${having.n} vs ${without.n}).`
}

/** "+0.95": a difference of scores, signed. */
export function formatScore(value: number): string {
  return signed(value)
}
