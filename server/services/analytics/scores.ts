// The read side of the learning loop: each pattern's posterior (posterior.ts) from our rows, and the arms the decisions
// sample from (thompson.ts).
//
// "With" a pattern: the workspace's posts linked to it (their outcome sums, kept on the Pattern row by learning.ts) plus
// the reference videos filed under it (their normalised reference score, each weighing REFERENCE_WEIGHT of a post).
// "Without": every scored post and reference of the workspace, minus those. A filtered view (platform, account, dates)
// sums the PostOutcome rows it keeps instead of reading the stored sums; unfiltered, both give the same numbers (a test).
import type { PrismaClient } from '../../generated/prisma/client'
import type { PlatformKey } from '#shared/platforms/keys'
import { ENOUGH_POSTS, type PatternScoreView, type PosteriorView } from '#shared/analytics'
import { referenceScores } from '../references/performance'
import { addObservation, combineStats, emptyStats, subtractStats, summarise, summariseEffect, type PosteriorSummary, type SufficientStats } from './posterior'
import type { Arm } from './thompson'

export interface ScoreFilter {
  platform?: PlatformKey
  socialAccountId?: string
  /** Posts published at or after `from` and before `to`. */
  from?: Date
  to?: Date
}

const EVIDENCE_POSTS = 20

export interface PatternPosterior {
  id: string
  key: string
  kind: string
  label: string
  with: SufficientStats
  without: SufficientStats
}

const filtered = (filter: ScoreFilter) => Boolean(filter.platform || filter.socialAccountId || filter.from || filter.to)

/** The references' side: each scored reference video, and the patterns its analysis or reading filed it under. */
async function referenceSide(db: PrismaClient, workspaceId: string, filter: ScoreFilter) {
  // References are other creators' posts: an account or date filter is about the workspace's own posts, so they leave.
  if (filter.socialAccountId || filter.from || filter.to) return { total: emptyStats(), byPattern: new Map<string, SufficientStats>() }
  const scores = await referenceScores(db, workspaceId)
  const evidence = await db.patternEvidence.findMany({
    where: { workspaceId, source: { in: ['analysis', 'semantic'] }, video: { workspaceId, deletedAt: null, kind: 'reference' } },
    select: { patternId: true, videoId: true },
  })
  const scoreOf = (videoId: string) => {
    const entry = scores.get(videoId)
    if (!entry || entry.score.value === null) return null
    if (filter.platform && entry.row.platform !== filter.platform) return null
    return entry.score.value
  }
  let total = emptyStats()
  const counted = new Set<string>()
  const byPattern = new Map<string, SufficientStats>()
  const seen = new Set<string>()
  for (const item of evidence) {
    const value = scoreOf(item.videoId!)
    if (value === null) continue
    if (!counted.has(item.videoId!)) {
      counted.add(item.videoId!)
      total = addObservation(total, { value, source: 'reference' })
    }
    const pair = `${item.patternId}:${item.videoId}`
    if (seen.has(pair)) continue
    seen.add(pair)
    byPattern.set(item.patternId, addObservation(byPattern.get(item.patternId) ?? emptyStats(), { value, source: 'reference' }))
  }
  return { total, byPattern }
}

function statsFromSums(sums: { posts: number, weight: number, sum: number, sumSquares: number }): SufficientStats {
  return { posts: sums.posts, references: 0, weight: sums.weight, sum: sums.sum, sumSquares: sums.sumSquares }
}

/** Every pattern's "with" and "without" statistics (see the top of the file). */
export async function patternPosteriors(db: PrismaClient, workspaceId: string, filter: ScoreFilter = {}): Promise<PatternPosterior[]> {
  const postWhere = {
    workspaceId,
    outcome: { not: null },
    ...(filter.socialAccountId ? { socialAccountId: filter.socialAccountId } : {}),
    ...(filter.platform ? { socialAccount: { workspaceId, platform: filter.platform } } : {}),
    ...(filter.from || filter.to ? { publishedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
  }
  const [patterns, outcomes, references] = await Promise.all([
    db.pattern.findMany({ where: { workspaceId }, select: { id: true, key: true, kind: true, label: true, posts: true, weight: true, sum: true, sumSquares: true }, orderBy: { key: 'asc' } }),
    db.postOutcome.findMany({ where: postWhere, select: { postId: true, outcome: true } }),
    referenceSide(db, workspaceId, filter),
  ])
  let postTotal = emptyStats()
  for (const row of outcomes) postTotal = addObservation(postTotal, { value: row.outcome!, source: 'post' })

  let postsByPattern: Map<string, SufficientStats> | null = null
  if (filtered(filter)) {
    const outcomeOf = new Map(outcomes.map(row => [row.postId, row.outcome!]))
    const links = outcomeOf.size
      ? await db.patternEvidence.findMany({ where: { workspaceId, source: 'metrics', postId: { in: [...outcomeOf.keys()] } }, select: { patternId: true, postId: true } })
      : []
    postsByPattern = new Map()
    for (const link of links) postsByPattern.set(link.patternId, addObservation(postsByPattern.get(link.patternId) ?? emptyStats(), { value: outcomeOf.get(link.postId!)!, source: 'post' }))
  }
  const total = combineStats(postTotal, references.total)
  return patterns.map((pattern) => {
    const posts = postsByPattern ? postsByPattern.get(pattern.id) ?? emptyStats() : statsFromSums(pattern)
    const withStats = combineStats(posts, references.byPattern.get(pattern.id) ?? emptyStats())
    return { id: pattern.id, key: pattern.key, kind: pattern.kind, label: pattern.label, with: withStats, without: subtractStats(total, withStats) }
  })
}

/** A summary's mean and intervals with the observations behind them, as the page shows them. */
export const posteriorView = (summary: Pick<PosteriorSummary, 'mean' | 'interval80' | 'interval95'>, stats: SufficientStats): PosteriorView => ({
  mean: summary.mean, interval80: summary.interval80, interval95: summary.interval95, posts: stats.posts, references: stats.references,
})

/** The leaderboard: patterns with evidence, by effect (those with enough posts first), with the posts behind each. */
export async function patternScores(db: PrismaClient, workspaceId: string, filter: ScoreFilter = {}): Promise<PatternScoreView[]> {
  const posteriors = (await patternPosteriors(db, workspaceId, filter)).filter(pattern => pattern.with.posts + pattern.with.references > 0)
  if (!posteriors.length) return []
  const links = await db.patternEvidence.findMany({
    where: {
      workspaceId, source: 'metrics', patternId: { in: posteriors.map(pattern => pattern.id) },
      post: {
        workspaceId,
        outcome: { outcome: { not: null } },
        ...(filter.socialAccountId ? { socialAccountId: filter.socialAccountId } : {}),
        ...(filter.platform ? { socialAccount: { workspaceId, platform: filter.platform } } : {}),
        ...(filter.from || filter.to ? { publishedAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } } : {}),
      },
    },
    select: { patternId: true, post: { select: { id: true, caption: true, title: true, publishedAt: true, socialAccount: { select: { platform: true } }, outcome: { select: { outcome: true } } } } },
    orderBy: { post: { publishedAt: 'desc' } },
  })
  const byPattern = Map.groupBy(links, link => link.patternId)
  const scores = posteriors.map((pattern): PatternScoreView => {
    const effect = summariseEffect(pattern.with, pattern.without)
    return {
      id: pattern.id, key: pattern.key, kind: pattern.kind, label: pattern.label,
      score: posteriorView(effect.with, pattern.with),
      effect: posteriorView(effect, pattern.with),
      enough: pattern.with.posts >= ENOUGH_POSTS && pattern.without.posts >= ENOUGH_POSTS,
      evidence: (byPattern.get(pattern.id) ?? []).slice(0, EVIDENCE_POSTS).map(link => ({
        postId: link.post!.id,
        caption: (link.post!.title || link.post!.caption).slice(0, 120),
        platform: link.post!.socialAccount.platform as PlatformKey,
        publishedAt: link.post!.publishedAt!.toISOString(),
        outcome: link.post!.outcome!.outcome!,
      })),
    }
  })
  return scores.sort((a, b) => Number(b.enough) - Number(a.enough) || b.effect.mean - a.effect.mean || a.label.localeCompare(b.label))
}

/** The arms Thompson sampling chooses among, by pattern key: each pattern's posterior over the outcome with it. */
export async function patternArms(db: PrismaClient, workspaceId: string): Promise<Map<string, Arm<string> & { stats: SufficientStats }>> {
  const posteriors = await patternPosteriors(db, workspaceId)
  return new Map(posteriors.map(pattern => [pattern.key, { key: pattern.key, posterior: summarise(pattern.with).posterior, stats: pattern.with }]))
}
