// The workspace's patterns with the evidence a strategy shows beside its claims: the Patterns ranking
// (server/services/patterns/patterns.ts), computed from our rows only: the videos that show each pattern, and the
// reference performance of the videos with it against those without.
import type { PatternEvidenceFigures, StrategyContent, StrategyDecisions } from '#shared/strategy'
import type { PrismaClient } from '../../generated/prisma/client'
import { bestMeanArm } from '../analytics/thompson'
import { drawOrder, evidenceFigures, hasEvidence, outcomeWords, workspaceExploration, type DecisionArm } from '../analytics/decisions'
import { patternArms } from '../analytics/scores'
import { patternFamily } from '../ai/prompts/strategy'
import { listPatterns } from '../patterns/patterns'

export const RANKED_BY = 'reference performance: each reference video\'s views per follower, adjusted for its age and compared with the usual on its platform, averaged over the videos with the pattern and over those without it'
const MEASURE = 'mean reference score (the log of views per follower against the usual on the video\'s platform; 0 is usual)'
// Titles shown per pattern: enough to recognise them, few enough for a phone.
const VIDEOS_PER_PATTERN = 8

export interface RankedPatterns { rankedBy: string, patterns: PatternEvidenceFigures[] }

/**
 * Every pattern of the workspace with its evidence, in the Patterns page's order (solid comparisons first, by how
 * much better the videos with it did; then weak ones; then patterns without numbers). A pattern no video shows any
 * more is still listed, so a claim citing it resolves to its empty evidence rather than to nothing.
 */
export async function rankPatterns(db: PrismaClient, workspaceId: string): Promise<RankedPatterns> {
  const view = await listPatterns(db, workspaceId)
  return {
    rankedBy: RANKED_BY,
    patterns: view.patterns.map((pattern): PatternEvidenceFigures => {
      // A video read by the AI and measured by the analysis is listed once, best scored first.
      const videos = [...new Map(pattern.videos.map(video => [video.id, video])).values()]
        .sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.title.localeCompare(b.title))
      return {
        key: pattern.key,
        label: pattern.label,
        kind: pattern.kind,
        videoCount: pattern.n,
        n: { with: pattern.performance.with.n, without: pattern.performance.without.n },
        measure: MEASURE,
        with: pattern.performance.with.mean,
        without: pattern.performance.without.mean,
        weak: pattern.performance.weak,
        videos: videos.slice(0, VIDEOS_PER_PATTERN).map(video => ({ id: video.id, title: video.title })),
      }
    }),
  }
}

export interface DrawnPatterns {
  patterns: PatternEvidenceFigures[]
  /** Each family's leader by posterior mean once posts have results (the decisions' roles); empty before. */
  leaders: Set<string>
  exploration: number
}

/**
 * The ranked patterns with their posterior figures where any post or scored reference shows them, and, once the
 * workspace's own posts have results, in the order of one Thompson draw over those posteriors, so the prompt and the
 * local templates (which take the pillars' patterns from the top of the list) mostly lean on the best so far and
 * sometimes on one still uncertain. With references alone the Patterns ranking keeps its order: it already is the
 * references' evidence, and their posteriors (each reference a quarter of a post) are too wide to reorder it by more
 * than chance. Seeded by the workspace and the day, so regenerating the same day draws the same.
 */
export async function drawPatterns(db: PrismaClient, workspaceId: string, patterns: PatternEvidenceFigures[], day: string): Promise<DrawnPatterns> {
  const [arms, exploration, metric] = await Promise.all([patternArms(db, workspaceId), workspaceExploration(db, workspaceId), outcomeWords(db, workspaceId)])
  const armsOf = patterns.flatMap(pattern => arms.get(pattern.key) ?? [])
  if (!armsOf.some(hasEvidence)) return { patterns, leaders: new Set(), exploration }
  const fromPosts = armsOf.some(arm => arm.stats.posts > 0)
  const leaders = new Set<string>()
  if (fromPosts) {
    for (const family of Map.groupBy(armsOf, arm => patternFamily(arm.key)).values()) {
      const leader = family.some(hasEvidence) ? bestMeanArm(family) : null
      if (leader) leaders.add(leader)
    }
  }
  const withPosterior = patterns.map((pattern) => {
    const arm: DecisionArm | undefined = arms.get(pattern.key)
    return hasEvidence(arm) ? { ...pattern, posterior: evidenceFigures(arm!, leaders.has(pattern.key) ? 'exploit' : 'explore', metric) } : pattern
  })
  if (!fromPosts) return { patterns: withPosterior, leaders, exploration }
  const order = new Map(drawOrder(armsOf, `${workspaceId}:${day}:strategy`, exploration).map((key, index) => [key, index]))
  return { patterns: withPosterior.sort((a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity)), leaders, exploration }
}

/** Which pillar patterns exploit their family's leader and which test another, in a sentence; null without evidence. */
export function pillarDecisions(content: StrategyContent, drawn: DrawnPatterns): StrategyDecisions | null {
  if (!drawn.leaders.size) return null
  const withPosterior = new Map(drawn.patterns.filter(pattern => pattern.posterior).map(pattern => [pattern.key, pattern]))
  const keys = [...new Set(content.pillars.flatMap(pillar => pillar.patternKeys))].filter(key => withPosterior.has(key))
  if (!keys.length) return null
  const roles = keys.map(key => ({ key, role: drawn.leaders.has(key) ? 'exploit' as const : 'explore' as const }))
  const exploit = roles.filter(item => item.role === 'exploit').length
  const rest = keys.length - exploit
  const sentence = `${exploit} of ${keys.length} pillar pattern${keys.length === 1 ? '' : 's'} exploit${exploit === 1 && keys.length === 1 ? 's' : ''} the best of ${keys.length === 1 ? 'its' : 'their'} family so far${rest ? `; ${rest} test${rest === 1 ? 's' : ''} ${rest === 1 ? 'another' : 'others'} whose results are still uncertain` : ''}.`
  return { exploration: drawn.exploration, sentence, patterns: roles }
}
